package io.clip4j.image.webp;

/**
 * Inverse of colour indexing: green holds a palette index; with 16 colours or fewer, 2, 4 or 8 indices are
 * bundled into one pixel (low bits first). Like libwebp, the palette is padded with transparent black
 * (0x00000000) to every index the bundle width can express, so out-of-range indices decode to 0.
 */
final class ColorIndexingTransform implements Transform {
    private final int xsize;
    private final int bits;
    private final int[] palette;

    /**
     * @param xsize   image width (unbundled)
     * @param bits    log2 of the pixels bundled per coded pixel: 0 (over 16 colours), 1, 2 or 3
     * @param palette the palette, already padded to {@code 1 << (8 >> bits)} entries
     */
    ColorIndexingTransform(int xsize, int bits, int[] palette) {
        this.xsize = xsize;
        this.bits = bits;
        this.palette = palette;
    }

    /**
     * Bits per index for a palette size, as libwebp chooses them.
     *
     * @param numColors palette size, 1 to 256
     * @return log2 of the pixels bundled per coded pixel
     */
    static int bundleBits(int numColors) {
        return numColors > 16 ? 0 : numColors > 4 ? 1 : numColors > 2 ? 2 : 3;
    }

    /**
     * Undoes the palette's delta coding (each entry is coded as its difference to the previous one) and pads it.
     *
     * @param coded the decoded palette sub-image
     * @param bits  the bundle bits
     * @return the palette with {@code 1 << (8 >> bits)} entries
     */
    static int[] expandPalette(int[] coded, int bits) {
        int[] palette = new int[1 << (8 >> bits)];
        palette[0] = coded[0];
        for (int i = 1; i < coded.length; i++) {
            palette[i] = Transform.addPixels(coded[i], palette[i - 1]);
        }
        return palette;
    }

    @Override
    public int[] inverse(int[] pixels, int height) {
        if (bits == 0) {
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = palette[(pixels[i] >>> 8) & 0xFF];
            }
            return pixels;
        }
        int codedWidth = Transform.subSample(xsize, bits);
        int bitsPerIndex = 8 >> bits;
        int indexMask = (1 << bitsPerIndex) - 1;
        int countMask = (1 << bits) - 1;
        int[] out = new int[xsize * height];
        int o = 0;
        for (int y = 0; y < height; y++) {
            int src = y * codedWidth;
            int packed = 0;
            for (int x = 0; x < xsize; x++) {
                if ((x & countMask) == 0) {
                    packed = (pixels[src++] >>> 8) & 0xFF;
                }
                out[o++] = palette[packed & indexMask];
                packed >>>= bitsPerIndex;
            }
        }
        return out;
    }
}
