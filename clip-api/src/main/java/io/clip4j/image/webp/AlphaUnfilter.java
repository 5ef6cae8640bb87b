package io.clip4j.image.webp;

/**
 * Undoes the prediction filter of an ALPH plane like libwebp's {@code WebPUnfilters}: horizontal (from the
 * left; the first pixel of a row from the pixel above, 0 for the very first), vertical (from above; the first
 * row horizontally) and gradient ({@code clamp(left + top - top_left)}; the first row horizontally, the first
 * pixel of later rows from the pixel above).
 */
final class AlphaUnfilter {
    /** No filter. */
    static final int NONE = 0;
    /** Predicted from the left. */
    static final int HORIZONTAL = 1;
    /** Predicted from above. */
    static final int VERTICAL = 2;
    /** Predicted from the gradient. */
    static final int GRADIENT = 3;

    private AlphaUnfilter() {
    }

    /**
     * Unfilters in place.
     *
     * @param filter one of {@link #NONE}, {@link #HORIZONTAL}, {@link #VERTICAL}, {@link #GRADIENT}
     * @param a      the plane, row-major
     * @param width  columns
     * @param height rows
     */
    static void unfilter(int filter, byte[] a, int width, int height) {
        if (filter == NONE) {
            return;
        }
        horizontal(a, 0, -1, width);
        for (int y = 1; y < height; y++) {
            int row = y * width;
            int prev = row - width;
            switch (filter) {
                case HORIZONTAL -> horizontal(a, row, prev, width);
                case VERTICAL -> {
                    for (int x = 0; x < width; x++) {
                        a[row + x] += a[prev + x];
                    }
                }
                default -> gradient(a, row, prev, width);
            }
        }
    }

    /** Unfilters one row from the left, starting from the first pixel above ({@code prev < 0}: from 0). */
    private static void horizontal(byte[] a, int row, int prev, int width) {
        int pred = prev < 0 ? 0 : a[prev];
        for (int x = 0; x < width; x++) {
            pred = (byte) (pred + a[row + x]);
            a[row + x] = (byte) pred;
        }
    }

    /** Unfilters one row (not the first) with the clamped gradient predictor. */
    private static void gradient(byte[] a, int row, int prev, int width) {
        int left = a[prev] & 0xFF;
        int topLeft = left;
        for (int x = 0; x < width; x++) {
            int top = a[prev + x] & 0xFF;
            int g = left + top - topLeft;
            int pred = g < 0 ? 0 : Math.min(g, 255);
            left = (a[row + x] + pred) & 0xFF;
            topLeft = top;
            a[row + x] = (byte) left;
        }
    }
}
