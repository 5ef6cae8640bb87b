package io.clip4j.image.webp;

/** The VP8L colour cache: recently decoded colours, indexed by a multiplicative hash of the ARGB value. */
final class ColorCache {
    private static final int HASH_MUL = 0x1e35a7bd;

    private final int[] colors;
    private final int shift;

    /** @param bits log2 of the cache size, 1 to 11 */
    ColorCache(int bits) {
        colors = new int[1 << bits];
        shift = 32 - bits;
    }

    /** @param argb a decoded pixel, stored under its hash */
    void insert(int argb) {
        colors[(argb * HASH_MUL) >>> shift] = argb;
    }

    /**
     * @param key cache index
     * @return the colour stored there (0 if none yet)
     */
    int lookup(int key) {
        return colors[key];
    }
}
