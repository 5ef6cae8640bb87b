package io.clip4j.image.jpeg;

import io.clip4j.image.DecodedImage;
import io.clip4j.image.PixelMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Files made with libjpeg-turbo 2.1.5's cjpeg/jpegtran (see make-testfiles.sh next to them) cover
 * what the Pillow fixtures do not: grayscale, progressive (with successive approximation), every
 * upsampling method, restart intervals, RGB (Adobe transform 0), tiny images, arithmetic coding (sequential
 * and progressive, with restarts, block smoothing and non-default DAC conditioning). Each is compared
 * bit-exactly with the {@code djpeg -dct int} decoding of the same library build.
 */
class JpegGeneratedFilesTest {

    static byte[] resource(String name) throws IOException {
        try (InputStream in = JpegGeneratedFilesTest.class.getResourceAsStream(name)) {
            assertNotNull(in, "missing test resource " + name);
            return in.readAllBytes();
        }
    }

    /** A binary PGM (P5) or PPM (P6) as written by djpeg: header lines, then raw samples. */
    record Pnm(int width, int height, int channels, byte[] samples) {
        static Pnm parse(byte[] b) {
            int[] pos = {0};
            String magic = token(b, pos);
            int w = Integer.parseInt(token(b, pos));
            int h = Integer.parseInt(token(b, pos));
            int max = Integer.parseInt(token(b, pos));
            assertEquals(255, max);
            int channels = magic.equals("P5") ? 1 : 3;
            int start = pos[0] + 1; // one whitespace byte after maxval
            return new Pnm(w, h, channels, Arrays.copyOfRange(b, start, start + w * h * channels));
        }

        private static String token(byte[] b, int[] pos) {
            int p = pos[0];
            while (Character.isWhitespace(b[p])) {
                p++;
            }
            int s = p;
            while (!Character.isWhitespace(b[p])) {
                p++;
            }
            pos[0] = p;
            return new String(b, s, p - s, StandardCharsets.US_ASCII);
        }
    }

    /**
     * {@code range_limit} has coefficients far outside what its samples allow; its reference is
     * libjpeg-turbo's x86-64 SIMD IDCT (which saturates, as Pillow's decoding does), not the C one (which wraps).
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "gray", "gray_progressive", "s420", "s420_progressive", "s422", "s440", "s444", "s411", "s3x2",
        "mixed_h1v2_h2v2", "mixed_h2v1_h2v2", "restart", "restart_progressive", "q100_optimized", "rgb",
        "tiny_5x3", "tiny_4x4", "tiny_4x4_s422", "tiny_1x1", "range_limit", "no_dht", "progressive_unrefined",
        "progressive_dc_only", "arithmetic", "arith_gray", "arith_s444", "arith_s422_restart", "arith_s3x2",
        "arith_three_scans", "arith_progressive", "arith_progressive_restart", "arith_gray_progressive",
        "arith_unrefined", "arith_dac", "arith_dac_progressive"})
    void matchesDjpegBitExactly(String name) throws IOException {
        DecodedImage img = new JpegDecoder().decode(resource(name + ".jpg"), 1_000_000);
        Pnm ref = Pnm.parse(resource(name + ".pnm"));
        assertEquals(ref.width(), img.width());
        assertEquals(ref.height(), img.height());
        assertEquals(ref.channels() == 1 ? PixelMode.L : PixelMode.RGB, img.mode());
        assertEquals(1, img.exifOrientation());
        byte[] got = img.data();
        int maxDiff = 0;
        int differing = 0;
        for (int i = 0; i < got.length; i++) {
            int diff = Math.abs((got[i] & 0xFF) - (ref.samples()[i] & 0xFF));
            maxDiff = Math.max(maxDiff, diff);
            differing += diff != 0 ? 1 : 0;
        }
        assertEquals(0, maxDiff, name + ": " + differing + " samples differ");
        assertArrayEquals(ref.samples(), got);
    }

    /**
     * 4-component files: djpeg writes them as RGB with {@code r = round(c * k / 255)} (libjpeg-turbo's
     * cmyk_to_rgb) from libjpeg's CMYK output, which is the inverse of Pillow's CMYK samples.
     */
    @Test
    void plainFilesAreThoseLaidOutAsEncodersWriteThem() throws IOException {
        for (String f : new String[]{"s420_progressive", "gray_progressive", "restart_progressive", "s420", "restart",
                "q100_optimized", "rgb", "no_dht"}) {
            assertTrue(JpegDecoder.isPlain(resource(f + ".jpg")), f);
        }
        // libjpeg block-smooths these
        assertFalse(JpegDecoder.isPlain(resource("progressive_unrefined.jpg")));
        // arithmetic coding: OpenCV's libjpeg may lack it, and Pillow fails on such data across its 64 KiB blocks
        assertFalse(JpegDecoder.isPlain(resource("arithmetic.jpg")));
        assertFalse(JpegDecoder.isPlain(resource("arith_progressive.jpg")));
        assertFalse(JpegDecoder.isPlain(resource("progressive_dc_only.jpg")));
        byte[] p = resource("s420_progressive.jpg");
        int secondScan = indexOf(p, 0xDA, 2);
        byte[] cut = Arrays.copyOf(p, secondScan + 2); // closed by an EOI after the first (DC) scan
        cut[secondScan + 1] = (byte) 0xD9;
        assertFalse(JpegDecoder.isPlain(cut));
        // damage that wrote a marker into the data, a renumbered restart marker, a missing EOI
        byte[] s420 = resource("s420.jpg");
        byte[] marked = s420.clone();
        int data = indexOf(s420, 0xDA, 1) + 20;
        marked[data] = (byte) 0xFF;
        marked[data + 1] = (byte) 0x9B;
        assertFalse(JpegDecoder.isPlain(marked));
        byte[] restart = resource("restart.jpg");
        int rst = indexOf(restart, 0xD0, 1);
        restart[rst + 1] = (byte) 0xD3;
        assertFalse(JpegDecoder.isPlain(restart));
        assertFalse(JpegDecoder.isPlain(Arrays.copyOf(s420, s420.length - 2)));
        // bit errors inside the data keep it plain
        byte[] flipped = s420.clone();
        flipped[data] ^= 0x10;
        assertTrue(JpegDecoder.isPlain(flipped) || (flipped[data] & 0xFF) == 0xFF);
        assertFalse(JpegDecoder.isPlain(new byte[]{(byte) 0xFF, (byte) 0xD8}));
        assertFalse(JpegDecoder.isPlain(null));
    }

    /**
     * Pillow reads a file in 64 KiB blocks and gives libjpeg another only when it suspends; libjpeg's arithmetic
     * decoder cannot suspend, so an arithmetic-coded scan whose data crosses the end of what Pillow has read fails
     * there ("broken data stream"), while a Huffman-coded one decodes. A COM segment in front of the SOS moves the
     * block boundary: into the scan data, or into the scan header (then Pillow has read the next block too).
     */
    @Test
    void pillowsReadBlocksMatterOnlyToArithmeticCoding() throws IOException {
        Pnm huffmanRef = Pnm.parse(resource("restart.pnm"));
        Pnm arithRef = Pnm.parse(resource("arith_s422_restart.pnm"));
        JpegDecoder decoder = new JpegDecoder();
        for (int intoData : new int[] {0, 1, 100, 300}) {
            byte[] huffman = blockBoundaryInScan(resource("restart.jpg"), intoData);
            assertArrayEquals(huffmanRef.samples(), decoder.decode(huffman, 1 << 20).data());
            byte[] arith = blockBoundaryInScan(resource("arith_s422_restart.jpg"), intoData);
            String msg = org.junit.jupiter.api.Assertions.assertThrows(io.clip4j.image.ImageDecodeException.class,
                    () -> decoder.decode(arith, 1 << 20)).getMessage();
            assertTrue(msg.contains("65536-byte boundary"), msg);
        }
        // the boundary inside the SOS segment: libjpeg suspends reading it, so Pillow has read 128 KiB
        byte[] arith = blockBoundaryInScan(resource("arith_s422_restart.jpg"), -3);
        assertArrayEquals(arithRef.samples(), decoder.decode(arith, 1 << 20).data());
    }

    /** @return the file with a COM segment before its first SOS, so that offset 65536 is {@code t} bytes into the data */
    private static byte[] blockBoundaryInScan(byte[] f, int t) {
        int sos = indexOf(f, 0xDA, 1);
        int sosLen = ((f[sos + 2] & 0xFF) << 8) | (f[sos + 3] & 0xFF);
        int n = 65536 - t - (sos + 4 + 2 + sosLen);
        byte[] out = new byte[f.length + 4 + n];
        System.arraycopy(f, 0, out, 0, sos);
        out[sos] = (byte) 0xFF;
        out[sos + 1] = (byte) 0xFE;
        out[sos + 2] = (byte) ((n + 2) >> 8);
        out[sos + 3] = (byte) (n + 2);
        System.arraycopy(f, sos, out, sos + 4 + n, f.length - sos);
        return out;
    }

    /** @return the index of the FF of the k-th (1-based) FF code marker */
    private static int indexOf(byte[] b, int code, int k) {
        for (int i = 0; i + 1 < b.length; i++) {
            if (b[i] == (byte) 0xFF && b[i + 1] == (byte) code && --k == 0) {
                return i;
            }
        }
        throw new AssertionError("marker FF " + Integer.toHexString(code) + " not found");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cmyk", "ycck"})
    void fourComponentFilesMatchDjpeg(String name) throws IOException {
        DecodedImage img = new JpegDecoder().decode(resource(name + ".jpg"), 1_000_000);
        Pnm ref = Pnm.parse(resource(name + ".pnm"));
        assertEquals(PixelMode.CMYK, img.mode());
        assertEquals(ref.width(), img.width());
        assertEquals(ref.height(), img.height());
        byte[] cmyk = img.data();
        byte[] rgb = new byte[ref.width() * ref.height() * 3];
        int darkest = 255; // smallest libjpeg K sample
        for (int p = 0; p < ref.width() * ref.height(); p++) {
            int k = 255 - (cmyk[4 * p + 3] & 0xFF);
            darkest = Math.min(darkest, k);
            for (int c = 0; c < 3; c++) {
                int v = 255 - (cmyk[4 * p + c] & 0xFF);
                rgb[3 * p + c] = (byte) (int) ((double) v * (double) k / 255.0 + 0.5);
            }
        }
        // Pillow's RGB->CMYK conversion (which made the source) leaves K = 0, so r = c exactly: the
        // comparison sees every C/M/Y level.
        assertEquals(255, darkest);
        assertArrayEquals(ref.samples(), rgb);
    }
}
