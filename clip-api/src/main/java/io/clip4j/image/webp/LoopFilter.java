package io.clip4j.image.webp;

/**
 * The VP8 in-loop deblocking filter (RFC 6386 section 15) in libwebp's form: per-macroblock strengths
 * precomputed per segment and per "uses subblock modes" ({@code PrecomputeFilterStrengths}), and the
 * simple and normal edge filters applied on a macroblock's left edge, its inner vertical edges, its top
 * edge and its inner horizontal edges, in that order.
 */
final class LoopFilter {
    /** 0 none (frame level 0), 1 simple, 2 normal. */
    final int type;
    /** [segment][0 16x16 modes, 1 subblock modes]: edge limit ({@code 2 * level + ilevel}, 0 off). */
    private final int[][] limit = new int[4][2];
    private final int[][] interior = new int[4][2];
    private final int[][] hevThreshold = new int[4][2];

    /**
     * @param header the frame header (filter and segment parameters)
     */
    LoopFilter(FrameHeader header) {
        FrameHeader.Filter f = header.filter;
        FrameHeader.Segments seg = header.segments;
        type = f.level == 0 ? 0 : f.simple ? 1 : 2;
        if (type == 0) {
            return;
        }
        for (int s = 0; s < 4; s++) {
            int base;
            if (seg.enabled) {
                base = seg.filterStrength[s] + (seg.absolute ? 0 : f.level);
            } else {
                base = f.level;
            }
            for (int i4 = 0; i4 <= 1; i4++) {
                int level = base;
                if (f.useDeltas) {
                    level += f.refDeltas[0]; // intra frame
                    if (i4 == 1) {
                        level += f.modeDeltas[0]; // B_PRED
                    }
                }
                level = level < 0 ? 0 : Math.min(level, 63);
                if (level > 0) {
                    int ilevel = level;
                    if (f.sharpness > 0) {
                        ilevel >>= f.sharpness > 4 ? 2 : 1;
                        ilevel = Math.min(ilevel, 9 - f.sharpness);
                    }
                    ilevel = Math.max(ilevel, 1);
                    interior[s][i4] = ilevel;
                    limit[s][i4] = 2 * level + ilevel;
                    hevThreshold[s][i4] = level >= 40 ? 2 : level >= 15 ? 1 : 0;
                }
            }
        }
    }

    /**
     * Filters one macroblock's edges in the frame planes.
     *
     * @param y        luma plane
     * @param u        Cb plane
     * @param v        Cr plane
     * @param yStride  luma row stride
     * @param uvStride chroma row stride
     * @param mbx      macroblock column
     * @param mby      macroblock row
     * @param segment  the macroblock's segment
     * @param isI4x4   whether it uses subblock modes
     * @param inner    whether its inner edges are filtered (subblock modes or non-zero coefficients)
     */
    void filter(byte[] y, byte[] u, byte[] v, int yStride, int uvStride, int mbx, int mby, int segment,
                boolean isI4x4, boolean inner) {
        int i4 = isI4x4 ? 1 : 0;
        int lim = limit[segment][i4];
        if (lim == 0) {
            return;
        }
        int yOff = mby * 16 * yStride + mbx * 16;
        if (type == 1) {
            if (mbx > 0) {
                simple(y, yOff, 1, yStride, lim + 4);
            }
            if (inner) {
                for (int k = 4; k < 16; k += 4) {
                    simple(y, yOff + k, 1, yStride, lim);
                }
            }
            if (mby > 0) {
                simple(y, yOff, yStride, 1, lim + 4);
            }
            if (inner) {
                for (int k = 4; k < 16; k += 4) {
                    simple(y, yOff + k * yStride, yStride, 1, lim);
                }
            }
            return;
        }
        int il = interior[segment][i4];
        int hev = hevThreshold[segment][i4];
        int uvOff = mby * 8 * uvStride + mbx * 8;
        if (mbx > 0) {
            macroblockEdge(y, yOff, 1, yStride, 16, lim + 4, il, hev);
            macroblockEdge(u, uvOff, 1, uvStride, 8, lim + 4, il, hev);
            macroblockEdge(v, uvOff, 1, uvStride, 8, lim + 4, il, hev);
        }
        if (inner) {
            for (int k = 4; k < 16; k += 4) {
                innerEdge(y, yOff + k, 1, yStride, 16, lim, il, hev);
            }
            innerEdge(u, uvOff + 4, 1, uvStride, 8, lim, il, hev);
            innerEdge(v, uvOff + 4, 1, uvStride, 8, lim, il, hev);
        }
        if (mby > 0) {
            macroblockEdge(y, yOff, yStride, 1, 16, lim + 4, il, hev);
            macroblockEdge(u, uvOff, uvStride, 1, 8, lim + 4, il, hev);
            macroblockEdge(v, uvOff, uvStride, 1, 8, lim + 4, il, hev);
        }
        if (inner) {
            for (int k = 4; k < 16; k += 4) {
                innerEdge(y, yOff + k * yStride, yStride, 1, 16, lim, il, hev);
            }
            innerEdge(u, uvOff + 4 * uvStride, uvStride, 1, 8, lim, il, hev);
            innerEdge(v, uvOff + 4 * uvStride, uvStride, 1, 8, lim, il, hev);
        }
    }

    /** Simple filter over 16 positions along an edge; {@code step} crosses the edge, {@code along} follows it. */
    private static void simple(byte[] b, int off, int step, int along, int thresh) {
        int t2 = 2 * thresh + 1;
        for (int i = 0; i < 16; i++, off += along) {
            int p1 = b[off - 2 * step] & 0xFF;
            int p0 = b[off - step] & 0xFF;
            int q0 = b[off] & 0xFF;
            int q1 = b[off + step] & 0xFF;
            if (4 * Math.abs(p0 - q0) + Math.abs(p1 - q1) <= t2) {
                filter2(b, off, step, p1, p0, q0, q1);
            }
        }
    }

    /** Normal filter on a macroblock edge: up to three samples changed on each side. */
    private static void macroblockEdge(byte[] b, int off, int step, int along, int count, int thresh,
                                       int ilevel, int hevThresh) {
        int t2 = 2 * thresh + 1;
        for (int i = 0; i < count; i++, off += along) {
            if (needsFilter(b, off, step, t2, ilevel)) {
                int p1 = b[off - 2 * step] & 0xFF;
                int p0 = b[off - step] & 0xFF;
                int q0 = b[off] & 0xFF;
                int q1 = b[off + step] & 0xFF;
                if (Math.abs(p1 - p0) > hevThresh || Math.abs(q1 - q0) > hevThresh) {
                    filter2(b, off, step, p1, p0, q0, q1);
                } else {
                    filter6(b, off, step);
                }
            }
        }
    }

    /** Normal filter on an inner (subblock) edge: up to two samples changed on each side. */
    private static void innerEdge(byte[] b, int off, int step, int along, int count, int thresh, int ilevel,
                                  int hevThresh) {
        int t2 = 2 * thresh + 1;
        for (int i = 0; i < count; i++, off += along) {
            if (needsFilter(b, off, step, t2, ilevel)) {
                int p1 = b[off - 2 * step] & 0xFF;
                int p0 = b[off - step] & 0xFF;
                int q0 = b[off] & 0xFF;
                int q1 = b[off + step] & 0xFF;
                if (Math.abs(p1 - p0) > hevThresh || Math.abs(q1 - q0) > hevThresh) {
                    filter2(b, off, step, p1, p0, q0, q1);
                } else {
                    filter4(b, off, step, p1, p0, q0, q1);
                }
            }
        }
    }

    private static boolean needsFilter(byte[] b, int off, int step, int t2, int it) {
        int p3 = b[off - 4 * step] & 0xFF;
        int p2 = b[off - 3 * step] & 0xFF;
        int p1 = b[off - 2 * step] & 0xFF;
        int p0 = b[off - step] & 0xFF;
        int q0 = b[off] & 0xFF;
        int q1 = b[off + step] & 0xFF;
        int q2 = b[off + 2 * step] & 0xFF;
        int q3 = b[off + 3 * step] & 0xFF;
        if (4 * Math.abs(p0 - q0) + Math.abs(p1 - q1) > t2) {
            return false;
        }
        return Math.abs(p3 - p2) <= it && Math.abs(p2 - p1) <= it && Math.abs(p1 - p0) <= it
                && Math.abs(q3 - q2) <= it && Math.abs(q2 - q1) <= it && Math.abs(q1 - q0) <= it;
    }

    /** Two samples changed, using the outer taps. */
    private static void filter2(byte[] b, int off, int step, int p1, int p0, int q0, int q1) {
        int a = 3 * (q0 - p0) + sclip1(p1 - q1);
        int a1 = sclip2((a + 4) >> 3);
        int a2 = sclip2((a + 3) >> 3);
        b[off - step] = clip1(p0 + a2);
        b[off] = clip1(q0 - a1);
    }

    /** Four samples changed, without the outer taps in the adjustment. */
    private static void filter4(byte[] b, int off, int step, int p1, int p0, int q0, int q1) {
        int a = 3 * (q0 - p0);
        int a1 = sclip2((a + 4) >> 3);
        int a2 = sclip2((a + 3) >> 3);
        int a3 = (a1 + 1) >> 1;
        b[off - 2 * step] = clip1(p1 + a3);
        b[off - step] = clip1(p0 + a2);
        b[off] = clip1(q0 - a1);
        b[off + step] = clip1(q1 - a3);
    }

    /** Six samples changed, with weights 27, 18 and 9 (in 1/128). */
    private static void filter6(byte[] b, int off, int step) {
        int p2 = b[off - 3 * step] & 0xFF;
        int p1 = b[off - 2 * step] & 0xFF;
        int p0 = b[off - step] & 0xFF;
        int q0 = b[off] & 0xFF;
        int q1 = b[off + step] & 0xFF;
        int q2 = b[off + 2 * step] & 0xFF;
        int a = sclip1(3 * (q0 - p0) + sclip1(p1 - q1));
        int a1 = (27 * a + 63) >> 7;
        int a2 = (18 * a + 63) >> 7;
        int a3 = (9 * a + 63) >> 7;
        b[off - 3 * step] = clip1(p2 + a3);
        b[off - 2 * step] = clip1(p1 + a2);
        b[off - step] = clip1(p0 + a1);
        b[off] = clip1(q0 - a1);
        b[off + step] = clip1(q1 - a2);
        b[off + 2 * step] = clip1(q2 - a3);
    }

    /** Clamps to a signed byte. */
    private static int sclip1(int v) {
        return v < -128 ? -128 : Math.min(v, 127);
    }

    /** Clamps to [-16, 15]. */
    private static int sclip2(int v) {
        return v < -16 ? -16 : Math.min(v, 15);
    }

    private static byte clip1(int v) {
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }
}
