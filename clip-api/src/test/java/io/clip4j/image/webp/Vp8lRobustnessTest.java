package io.clip4j.image.webp;

import io.clip4j.image.ImageDecodeException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.clip4j.image.webp.WebpTestFiles.canvasSize;
import static io.clip4j.image.webp.WebpTestFiles.payload;
import static io.clip4j.image.webp.WebpTestFiles.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input gives an ImageDecodeException ("WebP: ...") raised by a check, and nothing else: no other exception,
 * no hang, no allocation beyond what the header legitimately implies.
 */
class Vp8lRobustnessTest {
    private static final List<String> LOSSLESS = List.of("lossless_1x1.webp", "lossless_7x5.webp",
            "lossless_palette2.webp", "lossless_palette4.webp", "lossless_palette16.webp", "lossless_palette200.webp",
            "lossless_gray.webp", "lossless_noise.webp", "lossless_z0.webp", "lossless_z3.webp", "lossless_z6.webp",
            "lossless_z9.webp", "lossless_rgba.webp", "lossless_near60.webp", "pillow_lossless_rgba.webp");
    private static final List<String> ALPHA = List.of("alpha_exact.webp", "alpha_q30.webp", "alpha_raw.webp",
            "alpha_x_levels.webp", "alpha_x_vp8l_stream.webp", "alpha_x_vp8l_gradient.webp", "alpha_x_raw_gradient.webp");

    /** LSB-first bit writer for hand-made streams. */
    static final class Bits {
        private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        private long acc;
        private int n;

        Bits put(int value, int bits) {
            acc |= (long) (value & ((1L << bits) - 1)) << n;
            n += bits;
            while (n >= 8) {
                out.write((int) acc);
                acc >>>= 8;
                n -= 8;
            }
            return this;
        }

        /** A simple prefix code with one symbol (8-bit form). */
        Bits single(int symbol) {
            return put(1, 1).put(0, 1).put(1, 1).put(symbol, 8);
        }

        byte[] bytes() {
            byte[] b = out.toByteArray();
            return n > 0 ? concat(b, new byte[] {(byte) acc}) : b;
        }

        private static byte[] concat(byte[] a, byte[] b) {
            byte[] r = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, r, a.length, b.length);
            return r;
        }
    }

    static Bits header(int width, int height) {
        return new Bits().put(0x2F, 8).put(width - 1, 14).put(height - 1, 14).put(0, 1).put(0, 3);
    }

    private static ImageDecodeException vp8lFails(byte[] data) {
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> Vp8lDecoder.decode(data, 0, data.length, 1L << 24));
        assertTrue(e.getMessage().startsWith("WebP: "), e.getMessage());
        assertNull(e.getCause(), e.toString());
        return e;
    }

    @Test
    void badHeadersAreRejected() throws IOException {
        byte[] good = payload(resource("lossless_7x5.webp"), "VP8L");
        for (int len = 0; len < 5; len++) {
            vp8lFails(Arrays.copyOf(good, len));
        }
        byte[] sig = good.clone();
        sig[0] = 0x2E;
        assertTrue(vp8lFails(sig).getMessage().contains("signature"));
        for (int v = 1; v < 8; v++) {
            byte[] ver = good.clone();
            ver[4] = (byte) ((ver[4] & 0x1F) | v << 5);
            assertTrue(vp8lFails(ver).getMessage().contains("version"));
        }
        assertThrows(ImageDecodeException.class, () -> Vp8lDecoder.decode(good, 10, good.length, 1L << 24));
    }

    @Test
    void sizeIsCheckedAgainstTheLimitBeforeDecoding() throws IOException {
        byte[] good = payload(resource("lossless_7x5.webp"), "VP8L");
        var e = assertThrows(ImageDecodeException.class, () -> Vp8lDecoder.decode(good, 0, good.length, 34));
        assertTrue(e.getMessage().contains("7x5"), e.getMessage());
        assertEquals(35, Vp8lDecoder.decode(good, 0, good.length, 35).argb().length);
        // A 12-byte stream declaring 16384 x 16384 pixels: refused from the header, nothing allocated.
        byte[] huge = header(16384, 16384).put(0, 3).single(1).single(2).single(3).single(4).single(0).bytes();
        assertTrue(vp8lFails(huge).getMessage().contains("16384x16384"));
    }

    @Test
    void manyDeclaredHuffmanGroupsCostOnlyWhatIsRead() {
        // Entropy image of one tile naming group 65535: 65536 groups must follow.
        Bits b = header(4, 4).put(0, 1).put(0, 1).put(1, 1).put(0, 3) // no transform, no cache, entropy image 4x4 tiles
                .put(0, 1).single(0xFF).single(0xFF).single(0).single(0).single(0);
        vp8lFails(b.bytes()); // nothing after: truncated
        for (int g = 0; g < 65536; g++) {
            b.single(g & 0xFF).single(1).single(2).single(0xFF).single(0); // every group trivial (one colour)
        }
        long t = System.nanoTime();
        byte[] data = b.bytes();
        Vp8lImage im = Vp8lDecoder.decode(data, 0, data.length, 1L << 24);
        assertEquals(0xFF01FF02, im.argb()[0]); // group 65535: green 0xFF
        assertTrue(System.nanoTime() - t < 5_000_000_000L, "too slow");
    }

    @Test
    void randomDamageOnlyEverGivesImageDecodeException() throws IOException {
        Random r = new Random(4242);
        int decoded = 0;
        int failed = 0;
        for (String name : LOSSLESS) {
            byte[] payload = payload(resource(name), "VP8L");
            for (int i = 0; i < 150; i++) {
                byte[] d = damage(payload, r);
                try {
                    Vp8lImage im = Vp8lDecoder.decode(d, 0, d.length, 1L << 22);
                    assertEquals((long) im.width() * im.height(), im.argb().length);
                    decoded++;
                } catch (ImageDecodeException e) {
                    assertNull(e.getCause(), name + ": " + e);
                    failed++;
                }
            }
        }
        for (String name : ALPHA) {
            byte[] file = resource(name);
            int[] size = canvasSize(file);
            byte[] payload = payload(file, "ALPH");
            for (int i = 0; i < 150; i++) {
                byte[] d = damage(payload, r);
                try {
                    assertEquals(size[0] * size[1], AlphaDecoder.decode(d, 0, d.length, size[0], size[1]).length);
                    decoded++;
                } catch (ImageDecodeException e) {
                    assertNull(e.getCause(), name + ": " + e);
                    failed++;
                }
            }
        }
        assertTrue(decoded > 100 && failed > 1000, decoded + " decoded, " + failed + " failed");
    }

    /** Cuts, flips 1 to 8 bits or overwrites a run of bytes, at seeded random places. */
    private static byte[] damage(byte[] payload, Random r) {
        byte[] d = payload.clone();
        switch (r.nextInt(3)) {
            case 0 -> d = Arrays.copyOf(d, r.nextInt(d.length));
            case 1 -> {
                for (int k = 1 + r.nextInt(8); k > 0; k--) {
                    int bit = r.nextInt(8 * d.length);
                    d[bit >> 3] ^= (byte) (1 << (bit & 7));
                }
            }
            default -> {
                int p = r.nextInt(d.length);
                for (int k = 0; k < 1 + r.nextInt(16) && p + k < d.length; k++) {
                    d[p + k] = (byte) r.nextInt(256);
                }
            }
        }
        return d;
    }
}
