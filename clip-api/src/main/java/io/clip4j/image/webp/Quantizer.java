package io.clip4j.image.webp;

/**
 * Dequantization factors per segment (RFC 6386 sections 9.6 and 14.1), computed as libwebp does: each
 * index clipped to [0, 127] (the chroma DC one to [0, 117], so its factor is at most 132), the Y2 DC
 * factor doubled, the Y2 AC factor scaled by 155/100 with a minimum of 8.
 */
final class Quantizer {
    private static final int[] DC_TABLE = {
        4, 5, 6, 7, 8, 9, 10, 10, 11, 12, 13, 14, 15, 16, 17, 17,
        18, 19, 20, 20, 21, 21, 22, 22, 23, 23, 24, 25, 25, 26, 27, 28,
        29, 30, 31, 32, 33, 34, 35, 36, 37, 37, 38, 39, 40, 41, 42, 43,
        44, 45, 46, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58,
        59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74,
        75, 76, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89,
        91, 93, 95, 96, 98, 100, 101, 102, 104, 106, 108, 110, 112, 114, 116, 118,
        122, 124, 126, 128, 130, 132, 134, 136, 138, 140, 143, 145, 148, 151, 154, 157
    };

    private static final int[] AC_TABLE = {
        4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
        20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,
        36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51,
        52, 53, 54, 55, 56, 57, 58, 60, 62, 64, 66, 68, 70, 72, 74, 76,
        78, 80, 82, 84, 86, 88, 90, 92, 94, 96, 98, 100, 102, 104, 106, 108,
        110, 112, 114, 116, 119, 122, 125, 128, 131, 134, 137, 140, 143, 146, 149, 152,
        155, 158, 161, 164, 167, 170, 173, 177, 181, 185, 189, 193, 197, 201, 205, 209,
        213, 217, 221, 225, 229, 234, 239, 245, 249, 254, 259, 264, 269, 274, 279, 284
    };

    /** Factors per segment: [segment][0 DC, 1 AC]. */
    final int[][] y1 = new int[4][2];
    final int[][] y2 = new int[4][2];
    final int[][] uv = new int[4][2];

    /**
     * Reads the base index and the five deltas from the first partition and derives each segment's factors.
     *
     * @param br       the first partition, positioned after the partition count
     * @param segments the segment header (per-segment indices, absolute or relative)
     */
    Quantizer(BoolDecoder br, FrameHeader.Segments segments) {
        int base = br.readLiteral(7);
        int dy1Dc = br.readFlag() ? br.readSignedLiteral(4) : 0;
        int dy2Dc = br.readFlag() ? br.readSignedLiteral(4) : 0;
        int dy2Ac = br.readFlag() ? br.readSignedLiteral(4) : 0;
        int duvDc = br.readFlag() ? br.readSignedLiteral(4) : 0;
        int duvAc = br.readFlag() ? br.readSignedLiteral(4) : 0;
        for (int s = 0; s < 4; s++) {
            int q;
            if (segments.enabled) {
                q = segments.quantizer[s] + (segments.absolute ? 0 : base);
            } else {
                q = base; // all segments alike; only segment 0 is ever used
            }
            y1[s][0] = DC_TABLE[clip(q + dy1Dc, 127)];
            y1[s][1] = AC_TABLE[clip(q, 127)];
            y2[s][0] = DC_TABLE[clip(q + dy2Dc, 127)] * 2;
            // x * 155 / 100 for every table value, in libwebp's fixed-point form
            y2[s][1] = Math.max(8, (AC_TABLE[clip(q + dy2Ac, 127)] * 101581) >> 16);
            uv[s][0] = DC_TABLE[clip(q + duvDc, 117)];
            uv[s][1] = AC_TABLE[clip(q + duvAc, 127)];
        }
    }

    private static int clip(int v, int max) {
        return v < 0 ? 0 : Math.min(v, max);
    }
}
