package io.clip4j.image.webp;

/**
 * Inverse of the cross-colour transform: per tile, red gets {@code green_to_red * green >> 5} added and blue
 * {@code green_to_blue * green >> 5 + red_to_blue * red' >> 5}, with signed 8-bit factors and channels
 * ({@code red'} being the already restored red), modulo 256.
 */
final class CrossColorTransform implements Transform {
    private final int xsize;
    private final int bits;
    /** Per tile: {@code red_to_blue << 16 | green_to_blue << 8 | green_to_red} (alpha ignored). */
    private final int[] multipliers;

    /**
     * @param xsize       image width
     * @param bits        log2 of the tile size
     * @param multipliers the sub-image of factors, one pixel per tile
     */
    CrossColorTransform(int xsize, int bits, int[] multipliers) {
        this.xsize = xsize;
        this.bits = bits;
        this.multipliers = multipliers;
    }

    @Override
    public int[] inverse(int[] pixels, int height) {
        int tilesPerRow = Transform.subSample(xsize, bits);
        for (int y = 0; y < height; y++) {
            int row = y * xsize;
            int tileRow = (y >> bits) * tilesPerRow;
            for (int x = 0; x < xsize; x++) {
                int m = multipliers[tileRow + (x >> bits)];
                int greenToRed = (byte) m;
                int greenToBlue = (byte) (m >> 8);
                int redToBlue = (byte) (m >> 16);
                int argb = pixels[row + x];
                int green = (byte) (argb >> 8);
                int red = ((argb >>> 16) + ((greenToRed * green) >> 5)) & 0xFF;
                int blue = (argb + ((greenToBlue * green) >> 5) + ((redToBlue * (byte) red) >> 5)) & 0xFF;
                pixels[row + x] = (argb & 0xFF00FF00) | (red << 16) | blue;
            }
        }
        return pixels;
    }
}
