package io.clip4j.image.webp;

/**
 * Inverse of the predictor transform: each pixel is a residual added (per channel, modulo 256) to a prediction
 * from its decoded neighbours, the mode chosen per tile by the green channel of the sub-image. As in libwebp,
 * the top-left pixel is predicted by black (0xff000000), the rest of the first row by its left neighbour, the
 * first column by the pixel above, and modes 14 and 15 act as mode 0. The top-right neighbour of a row's last
 * pixel is the first pixel of the current row (the rows are contiguous).
 */
final class PredictorTransform implements Transform {
    private static final int BLACK = 0xFF000000;

    private final int xsize;
    private final int bits;
    private final int[] modes;

    /**
     * @param xsize image width
     * @param bits  log2 of the tile size
     * @param modes the sub-image of modes, one pixel per tile (mode in bits 8..11)
     */
    PredictorTransform(int xsize, int bits, int[] modes) {
        this.xsize = xsize;
        this.bits = bits;
        this.modes = modes;
    }

    @Override
    public int[] inverse(int[] p, int height) {
        int w = xsize;
        p[0] = Transform.addPixels(p[0], BLACK);
        for (int x = 1; x < w; x++) {
            p[x] = Transform.addPixels(p[x], p[x - 1]);
        }
        int tilesPerRow = Transform.subSample(w, bits);
        int tileWidth = 1 << bits;
        for (int y = 1; y < height; y++) {
            int row = y * w;
            int tileRow = (y >> bits) * tilesPerRow;
            p[row] = Transform.addPixels(p[row], p[row - w]);
            int x = 1;
            while (x < w) {
                int mode = (modes[tileRow + (x >> bits)] >>> 8) & 0xF;
                int xEnd = Math.min((x & -tileWidth) + tileWidth, w);
                for (int i = row + x, e = row + xEnd; i < e; i++) {
                    p[i] = Transform.addPixels(p[i], predict(mode, p, i, i - w));
                }
                x = xEnd;
            }
        }
        return p;
    }

    /**
     * @param mode predictor mode 0..15
     * @param p    the image
     * @param i    index of the pixel being predicted (not the first row or column)
     * @param t    index of the pixel above it
     * @return the prediction
     */
    private static int predict(int mode, int[] p, int i, int t) {
        return switch (mode) {
            case 1 -> p[i - 1];
            case 2 -> p[t];
            case 3 -> p[t + 1];
            case 4 -> p[t - 1];
            case 5 -> average2(average2(p[i - 1], p[t + 1]), p[t]);
            case 6 -> average2(p[i - 1], p[t - 1]);
            case 7 -> average2(p[i - 1], p[t]);
            case 8 -> average2(p[t - 1], p[t]);
            case 9 -> average2(p[t], p[t + 1]);
            case 10 -> average2(average2(p[i - 1], p[t - 1]), average2(p[t], p[t + 1]));
            case 11 -> select(p[t], p[i - 1], p[t - 1]);
            case 12 -> clampedAddSubtractFull(p[i - 1], p[t], p[t - 1]);
            case 13 -> clampedAddSubtractHalf(p[i - 1], p[t], p[t - 1]);
            default -> BLACK;
        };
    }

    /** Per-channel average, rounded down. */
    private static int average2(int a, int b) {
        return (((a ^ b) & 0xFEFEFEFE) >>> 1) + (a & b);
    }

    /** Picks {@code top} or {@code left}, whichever is closer to the gradient estimate (ties go to top). */
    private static int select(int top, int left, int topLeft) {
        int pa = 0;
        for (int s = 0; s < 32; s += 8) {
            int a = (top >>> s) & 0xFF;
            int b = (left >>> s) & 0xFF;
            int c = (topLeft >>> s) & 0xFF;
            pa += Math.abs(b - c) - Math.abs(a - c);
        }
        return pa <= 0 ? top : left;
    }

    /** Clamps to 0..255. */
    private static int clip255(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** Per channel {@code clamp(a + b - c)}. */
    private static int clampedAddSubtractFull(int a, int b, int c) {
        int out = 0;
        for (int s = 0; s < 32; s += 8) {
            out |= clip255(((a >>> s) & 0xFF) + ((b >>> s) & 0xFF) - ((c >>> s) & 0xFF)) << s;
        }
        return out;
    }

    /** Per channel {@code clamp(avg + (avg - c) / 2)} with {@code avg = average2(a, b)}, division toward zero. */
    private static int clampedAddSubtractHalf(int a, int b, int c) {
        int avg = average2(a, b);
        int out = 0;
        for (int s = 0; s < 32; s += 8) {
            int v = (avg >>> s) & 0xFF;
            out |= clip255(v + (v - ((c >>> s) & 0xFF)) / 2) << s;
        }
        return out;
    }
}
