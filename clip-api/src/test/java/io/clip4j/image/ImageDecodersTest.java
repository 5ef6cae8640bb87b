package io.clip4j.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How the registry reports a decoder's failures (always an ImageDecodeException naming the input), and that its
 * defaults do not depend on clip-api's service file.
 */
class ImageDecodersTest {
    /** Accepts everything and fails the way a decoder would on a file that expands past the heap. */
    private static ImageDecoder failing(Throwable failure) {
        return new ImageDecoder() {
            @Override
            public boolean canDecode(byte[] header) {
                return true;
            }

            @Override
            public DecodedImage decode(byte[] file, long maxPixels) {
                if (failure instanceof Error) {
                    throw (Error) failure;
                }
                throw (RuntimeException) failure;
            }

            @Override
            public String name() {
                return "failing";
            }
        };
    }

    @Test
    void outOfHeapBecomesImageDecodeException() {
        ImageDecoders decoders = ImageDecoders.of(List.of(failing(new OutOfMemoryError("Java heap space"))));
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> decoders.decode(new byte[]{1, 2, 3}, 1000, "big.png"));
        assertTrue(e.getMessage().startsWith("big.png: not enough Java heap to decode it (Java heap space; max heap "),
                e.getMessage());
        // It named only ImagePreprocessor.Builder.maxPixels, which a ClipModel user does not call.
        assertTrue(e.getMessage().endsWith("raise -Xmx, or lower the pixel limit with ClipModel.Builder.maxPixels"
                + " (ImagePreprocessor.Builder.maxPixels for the preprocessor alone)"), e.getMessage());
        assertInstanceOf(OutOfMemoryError.class, e.getCause());
    }

    @Test
    void unexpectedRuntimeExceptionNamesInputAndDecoder() {
        ImageDecoders decoders = ImageDecoders.of(List.of(failing(new ArrayIndexOutOfBoundsException(7))));
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> decoders.decode(new byte[]{1, 2, 3}, 1000, "x.bin"));
        assertTrue(e.getMessage().startsWith("x.bin: failing failed: java.lang.ArrayIndexOutOfBoundsException"),
                e.getMessage());
    }

    /** A third-party decoder failing in canDecode, or returning null, is named as the decode failures are. */
    @Test
    void aDecoderFailingToRecogniseOrReturningNullIsNamed() {
        ImageDecoder throwing = new ImageDecoder() {
            @Override
            public boolean canDecode(byte[] header) {
                throw new IllegalStateException("no native library");
            }

            @Override
            public DecodedImage decode(byte[] file, long maxPixels) {
                throw new AssertionError("not recognised, so not called");
            }

            @Override
            public String name() {
                return "broken";
            }
        };
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> ImageDecoders.of(List.of(throwing)).decode(new byte[]{1, 2, 3}, 1000, "x.bin"));
        assertEquals("x.bin: broken failed to recognise it: java.lang.IllegalStateException: no native library",
                e.getMessage());
        ImageDecoder returningNull = new ImageDecoder() {
            @Override
            public boolean canDecode(byte[] header) {
                return true;
            }

            @Override
            public DecodedImage decode(byte[] file, long maxPixels) {
                return null;
            }

            @Override
            public String name() {
                return "lazy";
            }
        };
        e = assertThrows(ImageDecodeException.class,
                () -> ImageDecoders.of(List.of(returningNull)).decode(new byte[]{1, 2, 3}, 1000, "y.bin"));
        assertEquals("y.bin: lazy returned no image", e.getMessage());
    }

    /**
     * A fat jar built without merging {@code META-INF/services} (maven-shade's default) keeps one
     * {@code io.clip4j.image.ImageDecoder} file, clip-native's, which lists OpenCV alone: PNG files then failed with
     * "unknown image format ... decoders available: opencv". Loads clip-api's classes afresh in a class loader
     * that hides the service file and checks that the defaults still hold every pure-Java decoder.
     */
    @Test
    void defaultsHoldClipApisDecodersWithoutItsServiceFile() throws Exception {
        URL classes = ImageDecoders.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader loader = new WithoutDecoderServices(classes, ImageDecodersTest.class.getClassLoader())) {
            Class<?> registry = Class.forName(ImageDecoders.class.getName(), true, loader);
            assertEquals(loader, registry.getClassLoader());
            Object defaults = registry.getMethod("defaults").invoke(null);
            List<String> names = new ArrayList<>();
            for (Object d : (List<?>) registry.getMethod("decoders").invoke(defaults)) {
                names.add(d.getClass().getName());
            }
            assertEquals(List.of("io.clip4j.image.PngDecoder", "io.clip4j.image.GifDecoder",
                    "io.clip4j.image.BmpDecoder", "io.clip4j.image.jpeg.JpegDecoder",
                    "io.clip4j.image.webp.WebpDecoder", "io.clip4j.image.tiff.TiffDecoder"), names);
        }
    }

    @Test
    void defaultsListEachDecoderOnce() {
        List<String> names = new ArrayList<>();
        for (ImageDecoder d : ImageDecoders.defaults().decoders()) {
            names.add(d.getClass().getName());
        }
        assertEquals(names.size(), new java.util.HashSet<>(names).size(), names.toString());
        assertTrue(names.contains("io.clip4j.image.PngDecoder"), names.toString());
    }

    /** Loads io.clip4j classes itself, from clip-api's classes, and finds no ImageDecoder service file. */
    private static final class WithoutDecoderServices extends URLClassLoader {
        WithoutDecoderServices(URL classes, ClassLoader parent) {
            super(new URL[]{classes}, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("io.clip4j.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    c = findClass(name);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            if (name.equals("META-INF/services/" + ImageDecoder.class.getName())) {
                return Collections.emptyEnumeration();
            }
            return super.getResources(name);
        }
    }
}
