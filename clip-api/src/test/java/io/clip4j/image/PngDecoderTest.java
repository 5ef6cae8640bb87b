package io.clip4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** PNG colour types, bit depths, filters and interlacing decoded to known pixels (Pillow's modes). */
class PngDecoderTest {
    private static final long MAX = ImagePreprocessor.PILLOW_MAX_IMAGE_PIXELS;
    private final PngDecoder png = new PngDecoder();

    private static byte[][] rows(int h, java.util.function.IntFunction<byte[]> row) {
        byte[][] r = new byte[h][];
        for (int y = 0; y < h; y++) {
            r[y] = row.apply(y);
        }
        return r;
    }

    @Test
    void rgb8AllFilterTypes() {
        int w = 7;
        int h = 6;
        byte[] px = new byte[w * h * 3];
        new Random(1).nextBytes(px);
        byte[] f = TestImages.png(TestImages.ihdr(w, h, 8, 2, 0), null,
                rows(h, y -> java.util.Arrays.copyOfRange(px, y * w * 3, (y + 1) * w * 3)), 3, null, null);
        DecodedImage img = png.decode(f, MAX);
        assertEquals(PixelMode.RGB, img.mode());
        assertFalse(img.nearestOnly());
        assertArrayEquals(px, img.data());
    }

    @Test
    void gray1BitIsModeOneAsZeroOr255NearestOnly() {
        int[] s = {1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1};
        byte[] f = TestImages.png(TestImages.ihdr(11, 1, 1, 0, 0), null, new byte[][] {TestImages.pack(s, 1)}, 1, null, null);
        DecodedImage img = png.decode(f, MAX);
        assertEquals(PixelMode.L, img.mode());
        assertTrue(img.nearestOnly());
        for (int i = 0; i < s.length; i++) {
            assertEquals(s[i] * 255, img.data()[i] & 0xFF);
        }
    }

    @Test
    void gray2And4BitScaledLikePillowUnpackers() {
        int[] s2 = {0, 1, 2, 3, 3, 2};
        DecodedImage a = png.decode(TestImages.png(TestImages.ihdr(6, 1, 2, 0, 0), null,
                new byte[][] {TestImages.pack(s2, 2)}, 1, null, null), MAX);
        assertEquals(PixelMode.L, a.mode());
        assertFalse(a.nearestOnly());
        assertArrayEquals(new byte[] {0, 85, (byte) 170, (byte) 255, (byte) 255, (byte) 170}, a.data());
        int[] s4 = {0, 15, 7, 1, 9};
        DecodedImage b = png.decode(TestImages.png(TestImages.ihdr(5, 1, 4, 0, 0), null,
                new byte[][] {TestImages.pack(s4, 4)}, 1, null, null), MAX);
        assertArrayEquals(new byte[] {0, (byte) 255, 119, 17, (byte) 153}, b.data());
    }

    @Test
    void gray16IsModeIUnscaled() {
        byte[] row = {0x01, 0x02, (byte) 0xFF, (byte) 0xFE, 0x00, 0x05};
        DecodedImage img = png.decode(TestImages.png(TestImages.ihdr(3, 1, 16, 0, 0), null,
                new byte[][] {row}, 2, null, null), MAX);
        assertEquals(PixelMode.I, img.mode());
        assertArrayEquals(new int[] {0x0102, 0xFFFE, 5}, img.intData());
    }

    @Test
    void palette2BitExpandedWithGreyRampBeyondPlte() {
        byte[] plte = {10, 20, 30, 40, 50, 60}; // two entries; index 2 and 3 fall back to grey (i, i, i)
        int[] s = {0, 1, 2, 3, 1};
        DecodedImage img = png.decode(TestImages.png(TestImages.ihdr(5, 1, 2, 3, 0), plte,
                new byte[][] {TestImages.pack(s, 2)}, 1, null, null), MAX);
        assertEquals(PixelMode.RGB, img.mode());
        assertTrue(img.nearestOnly());
        assertArrayEquals(new byte[] {10, 20, 30, 40, 50, 60, 2, 2, 2, 3, 3, 3, 40, 50, 60}, img.data());
    }

    @Test
    void grayAlpha8IsLaAnd16IsRgbaHighBytes() {
        DecodedImage la = png.decode(TestImages.png(TestImages.ihdr(2, 1, 8, 4, 0), null,
                new byte[][] {{7, (byte) 200, 9, 0}}, 2, null, null), MAX);
        assertEquals(PixelMode.LA, la.mode());
        assertArrayEquals(new byte[] {7, (byte) 200, 9, 0}, la.data());
        DecodedImage la16 = png.decode(TestImages.png(TestImages.ihdr(1, 1, 16, 4, 0), null,
                new byte[][] {{(byte) 0xAB, 0x12, 0x34, 0x56}}, 4, null, null), MAX);
        assertEquals(PixelMode.RGBA, la16.mode());
        assertArrayEquals(new byte[] {(byte) 0xAB, (byte) 0xAB, (byte) 0xAB, 0x34}, la16.data());
    }

    @Test
    void rgba16KeepsHighByte() {
        byte[] row = {1, (byte) 0xFF, 2, 0, 3, 0x7F, 4, 0x01};
        DecodedImage img = png.decode(TestImages.png(TestImages.ihdr(1, 1, 16, 6, 0), null,
                new byte[][] {row}, 8, null, null), MAX);
        assertEquals(PixelMode.RGBA, img.mode());
        assertArrayEquals(new byte[] {1, 2, 3, 4}, img.data());
    }

    @Test
    void adam7InterlacedEqualsPlain() {
        int w = 13;
        int h = 11;
        byte[] px = new byte[w * h * 3];
        new Random(7).nextBytes(px);
        int[][] passes = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}};
        List<byte[]> rows = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        for (int[] p : passes) {
            starts.add(rows.size());
            for (int y = p[1]; y < h; y += p[3]) {
                ByteArrayOutputStream r = new ByteArrayOutputStream();
                for (int x = p[0]; x < w; x += p[2]) {
                    r.write(px, (y * w + x) * 3, 3);
                }
                if (r.size() > 0) {
                    rows.add(r.toByteArray());
                }
            }
        }
        int[] st = starts.stream().mapToInt(Integer::intValue).toArray();
        byte[] f = TestImages.png(TestImages.ihdr(w, h, 8, 2, 1), null, rows.toArray(new byte[0][]), 3, st, null);
        assertArrayEquals(px, png.decode(f, MAX).data());
    }

    @Test
    void exifChunkGivesOrientation() {
        // Big-endian TIFF: header, IFD0 with one entry (Orientation, SHORT, 1, value 6).
        byte[] tiff = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0};
        byte[] f = TestImages.png(TestImages.ihdr(1, 1, 8, 0, 0), null, new byte[][] {{5}}, 1, null,
                TestImages.chunk("eXIf", tiff));
        assertEquals(6, png.decode(f, MAX).exifOrientation());
    }

    @Test
    void fixturePngsDecodeToPillowModes() throws Exception {
        for (var e : Fixtures.manifest().get("images")) {
            if (!e.get("format").asText().equals("PNG")) {
                continue;
            }
            byte[] f = Files.readAllBytes(Fixtures.preprocessDir().resolve(e.get("file").asText()));
            assertTrue(png.canDecode(f));
            DecodedImage img = png.decode(f, MAX);
            String m = e.get("mode_on_open").asText();
            assertEquals(m.equals("P") ? PixelMode.RGB : PixelMode.valueOf(m), img.mode(), e.get("name").asText());
        }
    }

    @Test
    void checksumsBeforeTheImageDataAreVerifiedLikePillow() throws Exception {
        byte[] f = Files.readAllBytes(Fixtures.preprocessDir().resolve("images/palette_P.png"));
        DecodedImage good = png.decode(f, MAX);
        // IHDR's CRC sits at bytes 29..32 (signature 8 + length 4 + type 4 + 13 data bytes).
        byte[] badHeader = f.clone();
        badHeader[29] ^= 0x01;
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> png.decode(badHeader, MAX));
        assertTrue(e.getMessage().contains("bad checksum of chunk 'IHDR'"), e.getMessage());
        // A flipped bit inside PLTE's data: Pillow refuses the file ("broken PNG file"), so must we.
        int plte = indexOf(f, "PLTE");
        byte[] badPalette = f.clone();
        badPalette[plte + 4] ^= 0x40;
        e = assertThrows(ImageDecodeException.class, () -> png.decode(badPalette, MAX));
        assertTrue(e.getMessage().contains("'PLTE'"), e.getMessage());
        // The CRC of the image data is not checked (Pillow reads over it): same pixels.
        int idat = indexOf(f, "IDAT");
        int idatLength = ((f[idat - 4] & 0xFF) << 24) | ((f[idat - 3] & 0xFF) << 16) | ((f[idat - 2] & 0xFF) << 8)
                | (f[idat - 1] & 0xFF);
        byte[] badDataCrc = f.clone();
        badDataCrc[idat + 4 + idatLength] ^= 0x01;
        assertArrayEquals(good.data(), png.decode(badDataCrc, MAX).data());
    }

    private static int indexOf(byte[] f, String chunkType) {
        byte[] t = chunkType.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 8; i + 4 <= f.length; i++) {
            if (f[i] == t[0] && f[i + 1] == t[1] && f[i + 2] == t[2] && f[i + 3] == t[3]) {
                return i;
            }
        }
        throw new AssertionError("no " + chunkType + " chunk");
    }

    @Test
    void truncatedPngIsRejected() throws Exception {
        byte[] f = Files.readAllBytes(Fixtures.preprocessDir().resolve("images/chelsea.png"));
        byte[] cut = java.util.Arrays.copyOf(f, f.length / 2);
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> png.decode(cut, MAX));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void corruptCompressedDataIsRejected() {
        byte[] f = TestImages.png(TestImages.ihdr(4, 4, 8, 0, 0), null, rows(4, y -> new byte[4]), 1, null, null);
        // Overwrite the zlib stream (first IDAT payload starts after signature 8 + IHDR 25 + 8).
        for (int i = 8 + 25 + 8; i < 8 + 25 + 8 + 6; i++) {
            f[i] = (byte) 0xFF;
        }
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> png.decode(f, MAX));
        assertTrue(e.getMessage().startsWith("PNG:"), e.getMessage());
    }

    @Test
    void zeroSizedHeaderIsRejected() {
        byte[] f = TestImages.png(TestImages.ihdr(0, 5, 8, 0, 0), null, new byte[][] {}, 1, null, null);
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> png.decode(f, MAX));
        assertTrue(e.getMessage().contains("zero-sized"), e.getMessage());
    }

    @Test
    void pixelLimitCheckedFromHeaderBeforeAllocation() {
        // Header claims 60000 x 60000 RGBA (14.4 GB of pixels) with a few bytes of data.
        byte[] f = TestImages.png(TestImages.ihdr(60000, 60000, 8, 6, 0), null, new byte[][] {{0}}, 4, null, null);
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> png.decode(f, MAX));
        assertTrue(e.getMessage().contains("more than the limit of 89478485"), e.getMessage());
        // Within the limit but absurdly short data: rejected as truncated without allocating 9000*9000*4.
        byte[] g = TestImages.png(TestImages.ihdr(9000, 9000, 8, 6, 0), null, new byte[][] {{0}}, 4, null, null);
        ImageDecodeException e2 = assertThrows(ImageDecodeException.class, () -> png.decode(g, MAX));
        assertTrue(e2.getMessage().contains("truncated"), e2.getMessage());
    }

    @Test
    void chunkLengthBeyondFileIsRejected() {
        byte[] f = TestImages.png(TestImages.ihdr(2, 2, 8, 0, 0), null, rows(2, y -> new byte[2]), 1, null, null);
        f[8 + 25] = 0x7F; // IDAT length now ~2 GB
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> png.decode(f, MAX));
        assertTrue(e.getMessage().contains("truncated or corrupt chunk"), e.getMessage());
    }
}
