package io.clip4j.image;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How the registry reports a decoder's failures: always an ImageDecodeException naming the input. */
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
        assertTrue(e.getMessage().contains("maxPixels"), e.getMessage());
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
}
