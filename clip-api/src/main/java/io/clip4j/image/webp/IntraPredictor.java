package io.clip4j.image.webp;

import java.util.Arrays;

/**
 * Intra prediction (RFC 6386 section 12) as libwebp computes it, in a work buffer of stride {@link #BPS}
 * whose row above and column left of each block hold the edge samples (127 above the picture, 129 left of
 * it, as filled by the caller). DC prediction uses only the edges that exist: libwebp's "no top"/"no left"
 * variants.
 */
final class IntraPredictor {
    /** Stride of the work buffer. */
    static final int BPS = 32;

    private IntraPredictor() {
    }

    /**
     * Predicts a 16x16 luma block.
     *
     * @param mode    DC, TM, VE or HE ({@link IntraModeParser} numbering)
     * @param b       work buffer
     * @param off     top-left sample of the block
     * @param hasTop  whether a macroblock row exists above
     * @param hasLeft whether a macroblock exists to the left
     */
    static void luma16(int mode, byte[] b, int off, boolean hasTop, boolean hasLeft) {
        predictSquare(mode, b, off, 16, 4, hasTop, hasLeft);
    }

    /**
     * Predicts an 8x8 chroma block.
     *
     * @param mode    DC, TM, VE or HE
     * @param b       work buffer
     * @param off     top-left sample of the block
     * @param hasTop  whether a macroblock row exists above
     * @param hasLeft whether a macroblock exists to the left
     */
    static void chroma8(int mode, byte[] b, int off, boolean hasTop, boolean hasLeft) {
        predictSquare(mode, b, off, 8, 3, hasTop, hasLeft);
    }

    private static void predictSquare(int mode, byte[] b, int off, int size, int log2, boolean hasTop,
                                      boolean hasLeft) {
        switch (mode) {
            case IntraModeParser.DC -> {
                int v;
                if (hasTop && hasLeft) {
                    int sum = size;
                    for (int i = 0; i < size; i++) {
                        sum += (b[off - BPS + i] & 0xFF) + (b[off - 1 + i * BPS] & 0xFF);
                    }
                    v = sum >> (log2 + 1);
                } else if (hasTop) {
                    int sum = size >> 1;
                    for (int i = 0; i < size; i++) {
                        sum += b[off - BPS + i] & 0xFF;
                    }
                    v = sum >> log2;
                } else if (hasLeft) {
                    int sum = size >> 1;
                    for (int i = 0; i < size; i++) {
                        sum += b[off - 1 + i * BPS] & 0xFF;
                    }
                    v = sum >> log2;
                } else {
                    v = 0x80;
                }
                fill(b, off, size, (byte) v);
            }
            case IntraModeParser.TM -> trueMotion(b, off, size);
            case IntraModeParser.VE -> {
                for (int j = 0; j < size; j++) {
                    System.arraycopy(b, off - BPS, b, off + j * BPS, size);
                }
            }
            case IntraModeParser.HE -> {
                for (int j = 0; j < size; j++) {
                    int o = off + j * BPS;
                    Arrays.fill(b, o, o + size, b[o - 1]);
                }
            }
            default -> throw new IllegalStateException("mode " + mode);
        }
    }

    private static void fill(byte[] b, int off, int size, byte v) {
        for (int j = 0; j < size; j++) {
            int o = off + j * BPS;
            Arrays.fill(b, o, o + size, v);
        }
    }

    /** TM_PRED: left + above - above-left, clamped. */
    private static void trueMotion(byte[] b, int off, int size) {
        int topLeft = b[off - BPS - 1] & 0xFF;
        for (int j = 0; j < size; j++) {
            int o = off + j * BPS;
            int base = (b[o - 1] & 0xFF) - topLeft;
            for (int i = 0; i < size; i++) {
                b[o + i] = clip8(base + (b[off - BPS + i] & 0xFF));
            }
        }
    }

    private static byte clip8(int v) {
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    private static int avg3(int a, int b, int c) {
        return (a + 2 * b + c + 2) >> 2;
    }

    private static int avg2(int a, int b) {
        return (a + b + 1) >> 1;
    }

    /**
     * Predicts one 4x4 luma subblock from the row above (eight samples: four above, four above-right), the
     * column to the left and the corner.
     *
     * @param mode one of the ten subblock modes
     * @param b    work buffer
     * @param off  top-left sample of the subblock
     */
    static void luma4(int mode, byte[] b, int off) {
        int t = off - BPS;
        int x = b[t - 1] & 0xFF; // above-left
        int a = b[t] & 0xFF;
        int bb = b[t + 1] & 0xFF;
        int c = b[t + 2] & 0xFF;
        int d = b[t + 3] & 0xFF;
        int i = b[off - 1] & 0xFF; // left column
        int j = b[off - 1 + BPS] & 0xFF;
        int k = b[off - 1 + 2 * BPS] & 0xFF;
        int l = b[off - 1 + 3 * BPS] & 0xFF;
        switch (mode) {
            case IntraModeParser.DC -> {
                int v = (a + bb + c + d + i + j + k + l + 4) >> 3;
                for (int r = 0; r < 4; r++) {
                    Arrays.fill(b, off + r * BPS, off + r * BPS + 4, (byte) v);
                }
            }
            case IntraModeParser.TM -> trueMotion(b, off, 4);
            case IntraModeParser.VE -> {
                int e = b[t + 4] & 0xFF;
                int v0 = avg3(x, a, bb);
                int v1 = avg3(a, bb, c);
                int v2 = avg3(bb, c, d);
                int v3 = avg3(c, d, e);
                for (int r = 0; r < 4; r++) {
                    set4(b, off + r * BPS, v0, v1, v2, v3);
                }
            }
            case IntraModeParser.HE -> {
                int r0 = avg3(x, i, j);
                int r1 = avg3(i, j, k);
                int r2 = avg3(j, k, l);
                int r3 = avg3(k, l, l);
                set4(b, off, r0, r0, r0, r0);
                set4(b, off + BPS, r1, r1, r1, r1);
                set4(b, off + 2 * BPS, r2, r2, r2, r2);
                set4(b, off + 3 * BPS, r3, r3, r3, r3);
            }
            case IntraModeParser.RD -> {
                int p0 = avg3(j, k, l);
                int p1 = avg3(i, j, k);
                int p2 = avg3(x, i, j);
                int p3 = avg3(a, x, i);
                int p4 = avg3(bb, a, x);
                int p5 = avg3(c, bb, a);
                int p6 = avg3(d, c, bb);
                // Diagonals run down-right: sample (col, row) takes p[3 - row + col].
                set4(b, off, p3, p4, p5, p6);
                set4(b, off + BPS, p2, p3, p4, p5);
                set4(b, off + 2 * BPS, p1, p2, p3, p4);
                set4(b, off + 3 * BPS, p0, p1, p2, p3);
            }
            case IntraModeParser.VR -> {
                int xa = avg2(x, a);
                int ab = avg2(a, bb);
                int bc = avg2(bb, c);
                int cd = avg2(c, d);
                int kji = avg3(k, j, i);
                int jix = avg3(j, i, x);
                int ixa = avg3(i, x, a);
                int xab = avg3(x, a, bb);
                int abc = avg3(a, bb, c);
                int bcd = avg3(bb, c, d);
                set4(b, off, xa, ab, bc, cd);
                set4(b, off + BPS, ixa, xab, abc, bcd);
                set4(b, off + 2 * BPS, jix, xa, ab, bc);
                set4(b, off + 3 * BPS, kji, ixa, xab, abc);
            }
            case IntraModeParser.LD -> {
                int e = b[t + 4] & 0xFF;
                int f = b[t + 5] & 0xFF;
                int g = b[t + 6] & 0xFF;
                int h = b[t + 7] & 0xFF;
                int p0 = avg3(a, bb, c);
                int p1 = avg3(bb, c, d);
                int p2 = avg3(c, d, e);
                int p3 = avg3(d, e, f);
                int p4 = avg3(e, f, g);
                int p5 = avg3(f, g, h);
                int p6 = avg3(g, h, h);
                // Diagonals run down-left: sample (col, row) takes p[col + row].
                set4(b, off, p0, p1, p2, p3);
                set4(b, off + BPS, p1, p2, p3, p4);
                set4(b, off + 2 * BPS, p2, p3, p4, p5);
                set4(b, off + 3 * BPS, p3, p4, p5, p6);
            }
            case IntraModeParser.VL -> {
                int e = b[t + 4] & 0xFF;
                int f = b[t + 5] & 0xFF;
                int g = b[t + 6] & 0xFF;
                int h = b[t + 7] & 0xFF;
                set4(b, off, avg2(a, bb), avg2(bb, c), avg2(c, d), avg2(d, e));
                set4(b, off + BPS, avg3(a, bb, c), avg3(bb, c, d), avg3(c, d, e), avg3(d, e, f));
                set4(b, off + 2 * BPS, avg2(bb, c), avg2(c, d), avg2(d, e), avg3(e, f, g));
                set4(b, off + 3 * BPS, avg3(bb, c, d), avg3(c, d, e), avg3(d, e, f), avg3(f, g, h));
            }
            case IntraModeParser.HD -> {
                int ix = avg2(i, x);
                int ji = avg2(j, i);
                int kj = avg2(k, j);
                int lk = avg2(l, k);
                int abc = avg3(a, bb, c);
                int xab = avg3(x, a, bb);
                int ixa = avg3(i, x, a);
                int jix = avg3(j, i, x);
                int kji = avg3(k, j, i);
                int lkj = avg3(l, k, j);
                set4(b, off, ix, ixa, xab, abc);
                set4(b, off + BPS, ji, jix, ix, ixa);
                set4(b, off + 2 * BPS, kj, kji, ji, jix);
                set4(b, off + 3 * BPS, lk, lkj, kj, kji);
            }
            case IntraModeParser.HU -> {
                int ij = avg2(i, j);
                int jk = avg2(j, k);
                int kl = avg2(k, l);
                int ijk = avg3(i, j, k);
                int jkl = avg3(j, k, l);
                int kll = avg3(k, l, l);
                set4(b, off, ij, ijk, jk, jkl);
                set4(b, off + BPS, jk, jkl, kl, kll);
                set4(b, off + 2 * BPS, kl, kll, l, l);
                set4(b, off + 3 * BPS, l, l, l, l);
            }
            default -> throw new IllegalStateException("mode " + mode);
        }
    }

    private static void set4(byte[] b, int o, int v0, int v1, int v2, int v3) {
        b[o] = (byte) v0;
        b[o + 1] = (byte) v1;
        b[o + 2] = (byte) v2;
        b[o + 3] = (byte) v3;
    }
}
