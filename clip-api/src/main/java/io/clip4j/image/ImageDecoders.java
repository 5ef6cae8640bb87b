package io.clip4j.image;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * An ordered list of {@link ImageDecoder}s; a file goes to the first one whose
 * {@link ImageDecoder#canDecode(byte[])} accepts it (it is given the whole file, not only a prefix).
 *
 * <p>{@link #defaults()} holds clip-api's own decoders (PNG, GIF, BMP, JPEG, WebP and TIFF) and every decoder
 * listed in {@code META-INF/services/io.clip4j.image.ImageDecoder} on the class path (native decoders, such as
 * clip-native's OpenCV JPEG decoder, register that way). clip-api's own are always there, so a fat jar that kept
 * only one of the service files (clip-native's, say) still decodes every format.
 * {@link #with(ImageDecoder)} registers a decoder explicitly, ahead of the others. Immutable and
 * thread-safe.
 */
public final class ImageDecoders {
    private static volatile ImageDecoders defaults;

    private final List<ImageDecoder> decoders;

    private ImageDecoders(List<ImageDecoder> decoders) {
        this.decoders = Collections.unmodifiableList(new ArrayList<>(decoders));
    }

    /**
     * Returns the registry of clip-api's decoders and every decoder on the class path.
     *
     * @return clip-api's decoders and those found by {@link ServiceLoader} (loaded once, with this class's class
     *         loader), highest {@link ImageDecoder#priority()} first
     */
    public static ImageDecoders defaults() {
        ImageDecoders d = defaults;
        if (d == null) {
            // clip-api's own decoders do not depend on its service file: a fat jar built without merging
            // META-INF/services keeps one file of that name, and clip-native's lists OpenCV alone.
            List<ImageDecoder> found = new ArrayList<>(List.of(new PngDecoder(), new GifDecoder(), new BmpDecoder(),
                    new io.clip4j.image.jpeg.JpegDecoder(), new io.clip4j.image.webp.WebpDecoder(),
                    new io.clip4j.image.tiff.TiffDecoder()));
            java.util.Set<Class<?>> builtIn = new java.util.HashSet<>();
            for (ImageDecoder dec : found) {
                builtIn.add(dec.getClass());
            }
            for (ImageDecoder dec : ServiceLoader.load(ImageDecoder.class, ImageDecoders.class.getClassLoader())) {
                if (!builtIn.contains(dec.getClass())) {
                    found.add(dec);
                }
            }
            // Native decoders (higher priority) first; the sort is stable, so among equal priorities clip-api's
            // own come first, then the others in class-path order.
            found.sort(java.util.Comparator.comparingInt(ImageDecoder::priority).reversed());
            d = new ImageDecoders(found);
            defaults = d;
        }
        return d;
    }

    /**
     * Returns a registry of the given decoders only.
     *
     * @param decoders decoders in priority order (no ServiceLoader lookup)
     * @return a registry holding exactly these
     * @throws NullPointerException if {@code decoders} or an element is null
     */
    public static ImageDecoders of(List<? extends ImageDecoder> decoders) {
        for (ImageDecoder d : decoders) {
            Objects.requireNonNull(d, "decoder");
        }
        return new ImageDecoders(new ArrayList<>(decoders));
    }

    /**
     * Returns a registry that tries {@code decoder} first, then these.
     *
     * @param decoder a decoder to try before the ones already here
     * @return a new registry
     * @throws NullPointerException if {@code decoder} is null
     */
    public ImageDecoders with(ImageDecoder decoder) {
        List<ImageDecoder> l = new ArrayList<>();
        l.add(Objects.requireNonNull(decoder, "decoder"));
        l.addAll(decoders);
        return new ImageDecoders(l);
    }

    /** {@return the decoders in priority order (unmodifiable)} */
    public List<ImageDecoder> decoders() {
        return decoders;
    }

    /**
     * Decodes an encoded image file.
     *
     * @param file      the file's bytes
     * @param maxPixels largest accepted {@code width * height}
     * @param source    name of the input for error messages (path, "byte[]", ...)
     * @return the decoded pixels, as Pillow's {@code Image.open} holds them (not checked against
     *         {@code maxPixels} here: each decoder checks it, and {@link ImagePreprocessor#decode} checks again)
     * @throws NullPointerException if {@code file} is null
     * @throws ImageDecodeException naming {@code source}: empty file, unknown format (with the first bytes), the
     *                              decoder's failure (truncated, corrupt, zero-sized, too many pixels; a
     *                              decoder's runtime exception in canDecode or decode, or its null result, named
     *                              with the decoder), or a Java heap too small for the decoded image
     */
    public DecodedImage decode(byte[] file, long maxPixels, String source) {
        Objects.requireNonNull(file, "file");
        if (file.length == 0) {
            throw new ImageDecodeException(source + ": empty file");
        }
        byte[] header = java.util.Arrays.copyOf(file, Math.min(file.length, 32));
        for (ImageDecoder d : decoders) {
            // The whole file, not a prefix: some decoders decline by content past the signature
            // (OpenCV leaves CMYK JPEGs, whose component count sits in the frame header, to Java).
            if (recognises(d, file, source)) {
                DecodedImage image;
                try {
                    image = d.decode(file, maxPixels);
                } catch (ImageDecodeException e) {
                    throw new ImageDecodeException(source + ": " + e.getMessage(), e);
                } catch (RuntimeException e) {
                    // A decoder bug or corrupt input it did not anticipate: still a typed, named failure.
                    throw new ImageDecodeException(source + ": " + d.name() + " failed: " + e, e);
                } catch (OutOfMemoryError e) {
                    // A small file may expand to maxPixels (300 KB of PNG to 9000x9000 RGBA, 324 MB). The failed
                    // allocation is this image's own, and its buffers are garbage once we leave.
                    throw new ImageDecodeException(source + ": not enough Java heap to decode it (" + e.getMessage()
                            + "; max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB); raise -Xmx, or lower "
                            + "the pixel limit with ClipModel.Builder.maxPixels (ImagePreprocessor.Builder.maxPixels for the"
                            + " preprocessor alone)", e);
                }
                if (image == null) { // a third-party decoder's bug, named here rather than an NPE later
                    throw new ImageDecodeException(source + ": " + d.name() + " returned no image");
                }
                return image;
            }
        }
        throw new ImageDecodeException(source + ": unknown image format" + guessFormat(header)
                + " (first bytes: " + hex(header, 12) + "; decoders available: " + names() + ")");
    }

    /** {@link ImageDecoder#canDecode}, with a third-party decoder's failure there named like one in decode. */
    private static boolean recognises(ImageDecoder d, byte[] file, String source) {
        try {
            return d.canDecode(file);
        } catch (RuntimeException e) {
            throw new ImageDecodeException(source + ": " + d.name() + " failed to recognise it: " + e, e);
        }
    }

    private String names() {
        if (decoders.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (ImageDecoder d : decoders) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(d.name());
        }
        return sb.toString();
    }

    /** Names formats recognised by signature that no registered decoder accepted. */
    private static String guessFormat(byte[] h) {
        if (h.length >= 3 && (h[0] & 0xFF) == 0xFF && (h[1] & 0xFF) == 0xD8 && (h[2] & 0xFF) == 0xFF) {
            return ": looks like JPEG, but no JPEG decoder is registered";
        }
        if (h.length >= 12 && h[0] == 'R' && h[1] == 'I' && h[2] == 'F' && h[3] == 'F'
                && h[8] == 'W' && h[9] == 'E' && h[10] == 'B' && h[11] == 'P') {
            return ": looks like WebP, which no registered decoder supports";
        }
        if (h.length >= 4 && ((h[0] == 'I' && h[1] == 'I' && h[2] == 42 && h[3] == 0)
                || (h[0] == 'M' && h[1] == 'M' && h[2] == 0 && h[3] == 42))) {
            return ": looks like TIFF, which no registered decoder supports";
        }
        return "";
    }

    static String hex(byte[] b, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, max); i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(String.format("%02x", b[i] & 0xFF));
        }
        return sb.toString();
    }
}
