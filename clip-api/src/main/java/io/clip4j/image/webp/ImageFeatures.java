package io.clip4j.image.webp;

/**
 * Width, height and alpha of a 'VP8 ' or 'VP8L' chunk, read from its first bytes the way libwebp's
 * {@code WebPGetFeatures} reads them (VP8GetInfo, VP8LGetInfo), which the demuxer calls on every image chunk.
 *
 * @param width    columns, 1..16383
 * @param height   rows, 1..16383
 * @param alpha    the VP8L header's alpha_is_used bit (always false for VP8)
 */
record ImageFeatures(int width, int height, boolean alpha) {

    /**
     * @param d         the file
     * @param payload   offset of the chunk's payload
     * @param available payload bytes present in the file
     * @param size      the chunk's declared payload size
     * @param lossless  true for a 'VP8L' chunk
     * @return the features, or null where libwebp's feature check fails (a bitstream error)
     */
    static ImageFeatures read(byte[] d, int payload, long available, long size, boolean lossless) {
        return lossless ? vp8l(d, payload, available) : vp8(d, payload, available, size);
    }

    private static ImageFeatures vp8(byte[] d, int p, long available, long size) {
        if (available < 10 || (d[p + 3] & 0xFF) != 0x9D || (d[p + 4] & 0xFF) != 0x01 || (d[p + 5] & 0xFF) != 0x2A) {
            return null;
        }
        int bits = (d[p] & 0xFF) | (d[p + 1] & 0xFF) << 8 | (d[p + 2] & 0xFF) << 16;
        boolean keyFrame = (bits & 1) == 0;
        int profile = (bits >> 1) & 7;
        boolean shown = ((bits >> 4) & 1) != 0;
        long firstPartition = bits >>> 5;
        int w = ((d[p + 7] & 0xFF) << 8 | (d[p + 6] & 0xFF)) & 0x3FFF;
        int h = ((d[p + 9] & 0xFF) << 8 | (d[p + 8] & 0xFF)) & 0x3FFF;
        if (!keyFrame || profile > 3 || !shown || firstPartition >= size || w == 0 || h == 0) {
            return null;
        }
        return new ImageFeatures(w, h, false);
    }

    private static ImageFeatures vp8l(byte[] d, int p, long available) {
        if (available < 5 || (d[p] & 0xFF) != 0x2F || ((d[p + 4] & 0xFF) >> 5) != 0) {
            return null;
        }
        long bits = (d[p + 1] & 0xFFL) | (d[p + 2] & 0xFFL) << 8 | (d[p + 3] & 0xFFL) << 16 | (d[p + 4] & 0xFFL) << 24;
        int w = (int) (bits & 0x3FFF) + 1;
        int h = (int) ((bits >> 14) & 0x3FFF) + 1;
        boolean alpha = ((bits >> 28) & 1) != 0;
        return new ImageFeatures(w, h, alpha);
    }
}
