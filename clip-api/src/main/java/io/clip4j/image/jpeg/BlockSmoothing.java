package io.clip4j.image.jpeg;

import java.util.Arrays;

/**
 * libjpeg-turbo 2.1's interblock smoothing of progressive images (jdcoefct.c {@code smoothing_ok} and
 * {@code decompress_smooth_data}; JPEG standard section K.8): when the scans leave any of the first nine AC
 * coefficients of a component not fully known (a file cut short and closed with EOI, or a scan script that
 * never refines them), libjpeg estimates the still-zero ones from the DC values of the 5x5 neighbouring
 * blocks before the inverse DCT; when no scan covered any of AC 1..9 ({@code coef_bits} all -1), it also
 * re-estimates the DC.
 *
 * <p>The neighbourhood follows libjpeg-turbo 2.1's code exactly, as Pillow's pixels depend on it, including
 * edge handling that later releases changed: in a 2-block-wide component the window's right edge starts from
 * the first column, and the rows above and below are clamped by iMCU-row tests rather than by the image's
 * edge (so a component with v = 2 may see a row twice).
 */
final class BlockSmoothing {
    /** Natural-order positions of zig-zag coefficients 0..9, the ones smoothing reads or estimates. */
    private static final int[] POS = {0, 1, 8, 16, 9, 2, 3, 10, 17, 24};

    private BlockSmoothing() {
    }

    /**
     * Smooths the components' coefficients in place if libjpeg would.
     *
     * @param f                the progressive frame after its last scan
     * @param scans            number of scans decoded (libjpeg's {@code input_scan_number})
     * @param lastGoodImcuRow  the last iMCU row of the last scan decoded before its data ran out
     */
    static void apply(Frame f, int scans, int lastGoodImcuRow) {
        if (!useful(f)) {
            return;
        }
        int totalRows = f.mcusY;
        for (Component c : f.components) {
            int[] latch = c.coefBits;
            int[] prevLatch = new int[10];
            for (int k = 1; k < 10; k++) {
                prevLatch[k] = scans > 1 ? c.prevCoefBits[k] : -1;
            }
            short[] src = c.coefficients;
            short[] dst = src.clone();
            for (int row = 0; row < totalRows; row++) {
                int[] bits = row > lastGoodImcuRow ? prevLatch : latch;
                int blockRows = row < totalRows - 1 ? c.v : c.blocksHigh % c.v == 0 ? c.v : c.blocksHigh % c.v;
                for (int br = 0; br < blockRows; br++) {
                    smoothRow(c, src, dst, bits, row, totalRows - 1, br, blockRows);
                }
            }
            c.coefficients = dst;
        }
    }

    /** smoothing_ok: every component has its DC and non-zero quantizers, and some AC bits are missing. */
    private static boolean useful(Frame f) {
        boolean useful = false;
        for (Component c : f.components) {
            if (c.quant == null || c.coefficients == null || c.coefBits[0] < 0) {
                return false;
            }
            for (int p : POS) {
                if (c.quant[p] == 0) {
                    return false;
                }
            }
            useful |= acIncomplete(c.coefBits);
        }
        return useful;
    }

    /** libjpeg's coef_bits bookkeeping at the start of a progressive scan: its band Ss..Se (within 0..9) gets Al. */
    static void recordScan(int[] coefBits, int ss, int se, int al) {
        for (int k = ss; k <= Math.min(se, 9); k++) {
            coefBits[k] = al;
        }
    }

    /** @return whether one of AC 1..9 is not fully refined (coef_bits not 0), the half of smoothing_ok that counts */
    static boolean acIncomplete(int[] coefBits) {
        for (int k = 1; k < 10; k++) {
            if (coefBits[k] != 0) {
                return true;
            }
        }
        return false;
    }

    private static void smoothRow(Component c, short[] src, short[] dst, int[] bits, int row, int lastRow, int br,
                                  int blockRows) {
        int r = row * c.v + br;
        int prev = br > 0 || row > 0 ? r - 1 : r;
        int prevPrev = br > 1 || row > 1 ? r - 2 : prev;
        int next = br < blockRows - 1 || row < lastRow ? r + 1 : r;
        int nextNext = br < blockRows - 2 || row + 1 < lastRow ? r + 2 : next;
        int[] rows = {prevPrev, prev, r, next, nextNext};
        boolean changeDc = true;
        for (int k = 1; k < 10; k++) {
            changeDc &= bits[k] == -1;
        }
        int[] q = new int[10];
        for (int k = 0; k < 10; k++) {
            q[k] = c.quant[POS[k]];
        }
        // w[i][j] = libjpeg's DC(5i + j + 1): rows prev-prev..next-next, columns -2..+2 around the block.
        int[][] w = new int[5][5];
        for (int i = 0; i < 5; i++) {
            Arrays.fill(w[i], dc(c, src, rows[i], 0));
        }
        int lastCol = c.blocksWide - 1;
        short[] ws = new short[64];
        for (int col = 0; col <= lastCol; col++) {
            int off = (r * c.blocksPerLine + col) * 64;
            System.arraycopy(src, off, ws, 0, 64);
            for (int i = 0; i < 5; i++) {
                if (col == 0 && col < lastCol) {
                    w[i][3] = dc(c, src, rows[i], 1);
                }
                if (col + 1 < lastCol) {
                    w[i][4] = dc(c, src, rows[i], col + 2);
                }
            }
            estimate(ws, w, bits, q, changeDc);
            System.arraycopy(ws, 0, dst, off, 64);
            for (int[] line : w) {
                System.arraycopy(line, 1, line, 0, 4);
            }
        }
    }

    private static int dc(Component c, short[] coef, int blockRow, int col) {
        return coef[(blockRow * c.blocksPerLine + col) * 64];
    }

    /** The K.8 estimates of decompress_smooth_data for one block (ws, natural order). */
    private static void estimate(short[] ws, int[][] w, int[] bits, int[] q, boolean changeDc) {
        int[] a = w[0];
        int[] b = w[1];
        int[] m = w[2];
        int[] d = w[3];
        int[] e = w[4];
        long q00 = q[0];
        if (changeDc) {
            set(ws, 1, bits[1], q[1], q00 * (-a[0] - a[1] + a[3] + a[4] - 3 * b[0] + 13 * b[1] - 13 * b[3] + 3 * b[4]
                    - 3 * m[0] + 38 * m[1] - 38 * m[3] + 3 * m[4] - 3 * d[0] + 13 * d[1] - 13 * d[3] + 3 * d[4]
                    - e[0] - e[1] + e[3] + e[4]));
            set(ws, 8, bits[2], q[2], q00 * (-a[0] - 3 * a[1] - 3 * a[2] - 3 * a[3] - a[4] - b[0] + 13 * b[1]
                    + 38 * b[2] + 13 * b[3] - b[4] + d[0] - 13 * d[1] - 38 * d[2] - 13 * d[3] + d[4] + e[0]
                    + 3 * e[1] + 3 * e[2] + 3 * e[3] + e[4]));
            set(ws, 16, bits[3], q[3], q00 * (a[2] + 2 * b[1] + 7 * b[2] + 2 * b[3] - 5 * m[1] - 14 * m[2]
                    - 5 * m[3] + 2 * d[1] + 7 * d[2] + 2 * d[3] + e[2]));
            set(ws, 9, bits[4], q[4], q00 * (-a[0] + a[4] + 9 * b[1] - 9 * b[3] - 9 * d[1] + 9 * d[3] + e[0]
                    - e[4]));
            set(ws, 2, bits[5], q[5], q00 * (2 * b[1] - 5 * b[2] + 2 * b[3] + m[0] + 7 * m[1] - 14 * m[2]
                    + 7 * m[3] + m[4] + 2 * d[1] - 5 * d[2] + 2 * d[3]));
            set(ws, 3, bits[6], q[6], q00 * (b[1] - b[3] + 2 * m[1] - 2 * m[3] + d[1] - d[3]));
            set(ws, 10, bits[7], q[7], q00 * (b[1] - 3 * b[2] + b[3] - d[1] + 3 * d[2] - d[3]));
            set(ws, 17, bits[8], q[8], q00 * (b[1] - b[3] - 3 * m[1] + 3 * m[3] + d[1] - d[3]));
            set(ws, 24, bits[9], q[9], q00 * (b[1] + 2 * b[2] + b[3] - d[1] - 2 * d[2] - d[3]));
            long num = q00 * (-2 * a[0] - 6 * a[1] - 8 * a[2] - 6 * a[3] - 2 * a[4] - 6 * b[0] + 6 * b[1]
                    + 42 * b[2] + 6 * b[3] - 6 * b[4] - 8 * m[0] + 42 * m[1] + 152 * m[2] + 42 * m[3] - 8 * m[4]
                    - 6 * d[0] + 6 * d[1] + 42 * d[2] + 6 * d[3] - 6 * d[4] - 2 * e[0] - 6 * e[1] - 8 * e[2]
                    - 6 * e[3] - 2 * e[4]);
            int pred = (int) (((q00 << 7) + Math.abs(num)) / (q00 << 8));
            ws[0] = (short) (num >= 0 ? pred : -pred);
        } else {
            set(ws, 1, bits[1], q[1], q00 * (-7 * m[0] + 50 * m[1] - 50 * m[3] + 7 * m[4]));
            set(ws, 8, bits[2], q[2], q00 * (-7 * a[2] + 50 * b[2] - 50 * d[2] + 7 * e[2]));
            set(ws, 16, bits[3], q[3], q00 * (-a[2] + 13 * b[2] - 24 * m[2] + 13 * d[2] - e[2]));
            set(ws, 9, bits[4], q[4], q00 * (b[4] + d[0] - 10 * d[1] + 10 * d[3] - a[1] - d[4] + e[1] - e[3]
                    + a[3] - b[0] + 10 * b[1] - 10 * b[3]));
            set(ws, 2, bits[5], q[5], q00 * (-m[0] + 13 * m[1] - 24 * m[2] + 13 * m[3] - m[4]));
        }
    }

    /**
     * Sets a still-zero coefficient that is not fully known (Al = its coef_bits, -1 if never coded) to the
     * rounded estimate {@code num / (q * 256)}, limited below {@code 2^Al} when Al bits are still to come.
     */
    private static void set(short[] ws, int pos, int al, long q, long num) {
        if (al == 0 || ws[pos] != 0) {
            return;
        }
        int pred = (int) (((q << 7) + Math.abs(num)) / (q << 8));
        if (al > 0 && pred >= (1 << al)) {
            pred = (1 << al) - 1;
        }
        ws[pos] = (short) (num >= 0 ? pred : -pred);
    }
}
