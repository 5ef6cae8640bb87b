package io.clip4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** GIF and BMP files built by hand decode to the pixels put in, in Pillow's modes. */
class GifBmpDecoderTest {
    private static final long MAX = ImagePreprocessor.PILLOW_MAX_IMAGE_PIXELS;
    private final GifDecoder gif = new GifDecoder();
    private final BmpDecoder bmp = new BmpDecoder();

    private static byte[] table(int entries, long seed) {
        byte[] t = new byte[entries * 3];
        new Random(seed).nextBytes(t);
        return t;
    }

    private static byte[] expand(byte[] idx, byte[] table) {
        byte[] rgb = new byte[idx.length * 3];
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(table, (idx[i] & 0xFF) * 3, rgb, i * 3, 3);
        }
        return rgb;
    }

    @Test
    void gifPaletteFrameExpandsNearestOnly() {
        int w = 9;
        int h = 4;
        byte[] idx = new byte[w * h];
        Random r = new Random(3);
        for (int i = 0; i < idx.length; i++) {
            idx[i] = (byte) r.nextInt(4);
        }
        byte[] pal = table(4, 5);
        byte[] f = TestImages.gif(w, h, pal, 0, 0, w, h, null, -1, idx, 2);
        assertTrue(gif.canDecode(f));
        DecodedImage img = gif.decode(f, MAX);
        assertEquals(PixelMode.RGB, img.mode());
        assertTrue(img.nearestOnly());
        assertArrayEquals(expand(idx, pal), img.data());
    }

    @Test
    void gifLzwWithLongRunsAndFullTable() {
        // 256 colours, long runs (KwKwK codes) then noise (fills the 4096-entry table, forcing clears).
        int w = 300;
        int h = 200;
        byte[] idx = new byte[w * h];
        Random r = new Random(11);
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i < 5000 ? (byte) 7 : (byte) r.nextInt(256);
        }
        byte[] pal = table(256, 13);
        byte[] f = TestImages.gif(w, h, null, 0, 0, w, h, pal, -1, idx, 8);
        assertArrayEquals(expand(idx, pal), gif.decode(f, MAX).data());
    }

    @Test
    void gifFrameSmallerThanScreenFilledWithTransparencyIndex() {
        byte[] pal = table(4, 17);
        byte[] idx = {1, 2, 3, 1};
        byte[] f = TestImages.gif(4, 3, pal, 1, 1, 2, 2, null, 3, idx, 2);
        DecodedImage img = gif.decode(f, MAX);
        byte[] expectedIdx = {3, 3, 3, 3, 3, 1, 2, 3, 3, 3, 1, 3};
        assertArrayEquals(expand(expectedIdx, pal), img.data());
    }

    @Test
    void gifGreyRampPaletteIsModeL() {
        byte[] pal = new byte[16 * 3];
        for (int i = 0; i < 16; i++) {
            pal[3 * i] = pal[3 * i + 1] = pal[3 * i + 2] = (byte) i;
        }
        byte[] idx = {0, 5, 15, 9, 3, 2};
        DecodedImage img = gif.decode(TestImages.gif(3, 2, pal, 0, 0, 3, 2, null, -1, idx, 4), MAX);
        assertEquals(PixelMode.L, img.mode());
        assertFalse(img.nearestOnly());
        assertArrayEquals(idx, img.data());
    }

    @Test
    void gifErrors() {
        byte[] f = TestImages.gif(4, 4, table(4, 1), 0, 0, 4, 4, null, -1, new byte[16], 2);
        assertThrows(ImageDecodeException.class, () -> gif.decode(java.util.Arrays.copyOf(f, f.length - 6), MAX));
        byte[] zero = TestImages.gif(0, 0, table(4, 1), 0, 0, 0, 0, null, -1, new byte[0], 2);
        assertTrue(assertThrows(ImageDecodeException.class, () -> gif.decode(zero, MAX)).getMessage().contains("zero-sized"));
        assertTrue(assertThrows(ImageDecodeException.class, () -> gif.decode(f, 15)).getMessage().contains("limit"));
    }

    @Test
    void gifTooLargeForAJavaArrayIsACleanErrorWithTheBombGuardOff() {
        // Few bytes, but a screen whose pixels (or their RGB expansion) exceed the largest Java array: with
        // maxPixels lifted this must be a clear "too large" error, not an int overflow (NegativeArraySize).
        byte[] grey = TestImages.gif(60000, 40000, null, 0, 0, 1, 1, null, -1, new byte[1], 2);
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> gif.decode(grey, Long.MAX_VALUE));
        assertTrue(e.getMessage().contains("60000x40000") && e.getMessage().contains("too large"), e.getMessage());
        byte[] rgb = TestImages.gif(30000, 30000, table(4, 1), 0, 0, 1, 1, null, -1, new byte[1], 2);
        e = assertThrows(ImageDecodeException.class, () -> gif.decode(rgb, Long.MAX_VALUE));
        assertTrue(e.getMessage().contains("30000x30000") && e.getMessage().contains("too large"), e.getMessage());
    }

    @Test
    void bmp24BottomUpAnd32BgrxTopDown() {
        int w = 5;
        int h = 3;
        byte[] rgb = new byte[w * h * 3];
        new Random(21).nextBytes(rgb);
        byte[][] rows24 = new byte[h][w * 3];
        byte[][] rows32 = new byte[h][w * 4];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int s = (y * w + x) * 3;
                rows24[y][x * 3] = rgb[s + 2];
                rows24[y][x * 3 + 1] = rgb[s + 1];
                rows24[y][x * 3 + 2] = rgb[s];
                rows32[y][x * 4] = rgb[s + 2];
                rows32[y][x * 4 + 1] = rgb[s + 1];
                rows32[y][x * 4 + 2] = rgb[s];
                rows32[y][x * 4 + 3] = (byte) 0x55; // ignored by Pillow for BI_RGB
            }
        }
        DecodedImage a = bmp.decode(TestImages.bmp(w, h, 24, false, rows24, null, null), MAX);
        assertEquals(PixelMode.RGB, a.mode());
        assertArrayEquals(rgb, a.data());
        DecodedImage b = bmp.decode(TestImages.bmp(w, h, 32, true, rows32, null, null), MAX);
        assertEquals(PixelMode.RGB, b.mode());
        assertArrayEquals(rgb, b.data());
    }

    @Test
    void bmp32BitfieldsWithoutAlphaMask() {
        byte[][] rows = {{1, 2, 3, 4, 5, 6, 7, 8}};
        DecodedImage img = bmp.decode(TestImages.bmp(2, 1, 32, false, rows, null,
                new int[] {0xFF0000, 0xFF00, 0xFF}), MAX);
        assertEquals(PixelMode.RGB, img.mode());
        assertArrayEquals(new byte[] {3, 2, 1, 7, 6, 5}, img.data());
    }

    @Test
    void bmp8BitPaletteAndGreyPalette() {
        byte[] pal = new byte[4 * 4];
        byte[] colours = table(4, 31);
        for (int i = 0; i < 4; i++) { // file order B, G, R, X
            pal[4 * i] = colours[3 * i + 2];
            pal[4 * i + 1] = colours[3 * i + 1];
            pal[4 * i + 2] = colours[3 * i];
        }
        byte[] idx = {0, 1, 2, 3, 3, 2};
        byte[][] rows = {{0, 1, 2}, {3, 3, 2}};
        DecodedImage img = bmp.decode(TestImages.bmp(3, 2, 8, false, rows, pal, null), MAX);
        assertEquals(PixelMode.RGB, img.mode());
        assertTrue(img.nearestOnly());
        assertArrayEquals(expand(idx, colours), img.data());

        byte[] grey = new byte[256 * 4];
        for (int i = 0; i < 256; i++) {
            grey[4 * i] = grey[4 * i + 1] = grey[4 * i + 2] = (byte) i;
        }
        byte[][] g = {{10, (byte) 200, 0}, {(byte) 255, 1, 2}};
        DecodedImage l = bmp.decode(TestImages.bmp(3, 2, 8, false, g, grey, null), MAX);
        assertEquals(PixelMode.L, l.mode());
        assertFalse(l.nearestOnly());
        assertArrayEquals(new byte[] {10, (byte) 200, 0, (byte) 255, 1, 2}, l.data());
    }

    @Test
    void bmp1BitBlackWhiteIsModeOne() {
        byte[] pal = {0, 0, 0, 0, (byte) 255, (byte) 255, (byte) 255, 0};
        byte[][] rows = {{(byte) 0b1010_0000}, {(byte) 0b0110_0000}};
        DecodedImage img = bmp.decode(TestImages.bmp(3, 2, 1, false, rows, pal, null), MAX);
        assertEquals(PixelMode.L, img.mode());
        assertTrue(img.nearestOnly());
        assertArrayEquals(new byte[] {(byte) 255, 0, (byte) 255, 0, (byte) 255, (byte) 255}, img.data());
    }

    @Test
    void bmpV4HeaderCutBeforeItsMasksIsTruncated() {
        // A BITMAPV4HEADER (108 bytes) holds the bitfield masks at bytes 54 to 70; a file cut inside them used to
        // fail with ArrayIndexOutOfBoundsException (found by fuzzing).
        byte[] v4 = new byte[58];
        v4[0] = 'B';
        v4[1] = 'M';
        v4[10] = 14 + 108; // pixel data offset
        v4[14] = 108; // header size
        v4[18] = 7; // width
        v4[22] = 5; // height
        v4[26] = 1; // planes
        v4[28] = 32; // bits
        v4[30] = 6; // BI_ALPHABITFIELDS
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> bmp.decode(v4, MAX));
        assertNull(e.getCause());
        assertTrue(e.getMessage().contains("truncated (bitfield masks)"), e.getMessage());
    }

    @Test
    void bmpErrors() {
        byte[][] rows = {{1, 2, 3}};
        byte[] f = TestImages.bmp(1, 1, 24, false, rows, null, null);
        assertTrue(assertThrows(ImageDecodeException.class,
                () -> bmp.decode(java.util.Arrays.copyOf(f, f.length - 2), MAX)).getMessage().contains("truncated"));
        byte[] zero = TestImages.bmp(0, 1, 24, false, new byte[][] {{}}, null, null);
        assertTrue(assertThrows(ImageDecodeException.class, () -> bmp.decode(zero, MAX)).getMessage().contains("zero-sized"));
        byte[] huge = f.clone();
        huge[18] = 0; huge[19] = 0; huge[20] = 0; huge[21] = 0x10; // width 2^28
        assertTrue(assertThrows(ImageDecodeException.class, () -> bmp.decode(huge, MAX)).getMessage().contains("limit"));
    }
}
