package io.clip4j.image.webp;

/** A VP8L image transform, undone after the entropy-coded pixels are decoded (last read, first undone). */
interface Transform {
    /**
     * Undoes the transform.
     *
     * @param pixels the transformed image, row-major ARGB (may be updated in place)
     * @param height rows
     * @return the image before the transform (the same array, or a new one when the width changes)
     */
    int[] inverse(int[] pixels, int height);

    /**
     * Rounds a size up to whole blocks of {@code 1 << bits} (libwebp's {@code VP8LSubSampleSize}).
     *
     * @param size pixels
     * @param bits log2 of the block size
     * @return blocks
     */
    static int subSample(int size, int bits) {
        return (size + (1 << bits) - 1) >> bits;
    }

    /**
     * Adds two ARGB pixels channel by channel, modulo 256.
     *
     * @param a pixel
     * @param b pixel
     * @return the sum
     */
    static int addPixels(int a, int b) {
        int ag = (a & 0xFF00FF00) + (b & 0xFF00FF00);
        int rb = (a & 0x00FF00FF) + (b & 0x00FF00FF);
        return (ag & 0xFF00FF00) | (rb & 0x00FF00FF);
    }
}
