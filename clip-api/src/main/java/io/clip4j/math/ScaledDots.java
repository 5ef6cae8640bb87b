package io.clip4j.math;

import java.util.Arrays;

/**
 * The matrix product behind {@link Similarity#logits}: {@code out[i][j] = (float) (scale * sum_k a[i][k] * b[j][k])},
 * each sum accumulated in double in the order {@code k = 0, 1, ..., d - 1}.
 *
 * <p>Every float product is exact in double (24 + 24 significant bits fit in 53), and every output keeps its own
 * sequential sum, so the result is bit for bit that of the plain triple loop; only the order in which outputs are
 * worked on changes. The speed comes from that order: a block of {@value #COLS} rows of {@code b} is copied
 * transposed into a double buffer (about {@code d * 512} bytes, reused for every row of {@code a}), and the innermost
 * loop runs over those columns with no dependency between iterations, which HotSpot's C2 turns into SIMD code.
 * Four steps of k per pass load and store each running sum once instead of four times, and each value of b loaded
 * serves four rows of {@code a}: a quarter of the memory operations per multiply-add.
 * On the development machine (AVX-512, one thread) Similarity.logits of 256 x 1000 x 512 went from about 90 ms to
 * about 24 ms (docs/benchmarks.md).
 */
final class ScaledDots {
    /** Columns per block: the transposed block ({@code d * COLS} doubles) stays in L2, the four rows of sums in L1. */
    static final int COLS = 64;

    private ScaledDots() {
    }

    /**
     * @param a     {@code [n, d]} row-major, n &ge; 0
     * @param n     rows of a
     * @param b     {@code [m, d]} row-major, m &ge; 0
     * @param m     rows of b
     * @param d     values per row, &ge; 1
     * @param scale multiplies every sum (in double) before the rounding to float
     * @param out   {@code [n, m]} row-major, every value written
     */
    static void compute(float[] a, int n, float[] b, int m, int d, float scale, float[] out) {
        if (n == 0 || m == 0) {
            return;
        }
        // Fewer columns per block for very long rows, so that the buffer stays within 8 MB (at least one column).
        int cols = Math.max(1, Math.min(COLS, (1 << 20) / d));
        double[] bt = new double[d * cols];
        double[][] acc = new double[4][cols];
        // The loops advance by what they did (j0 += w, i += rows), never past m or n: "+= cols" overflows an int
        // when m is within a block of Integer.MAX_VALUE.
        for (int j0 = 0, w; j0 < m; j0 += w) {
            w = Math.min(cols, m - j0);
            for (int j = 0; j < w; j++) {
                int src = (j0 + j) * d;
                for (int k = 0; k < d; k++) {
                    bt[k * cols + j] = b[src + k];
                }
            }
            for (int i = 0, rows; i < n; i += rows) {
                // Past the last row of a, the kernel repeats it and its sums are not written.
                rows = Math.min(4, n - i);
                block(a, d, bt, cols, w, i, rows, acc);
                for (int r = 0; r < rows; r++) {
                    double[] s = acc[r];
                    int o = (i + r) * m + j0;
                    for (int j = 0; j < w; j++) {
                        out[o + j] = (float) (scale * s[j]);
                    }
                }
            }
        }
    }

    /**
     * Sums of rows {@code i .. i+rows-1} of a against the first w columns of bt (k-major, stride {@code cols}), into
     * {@code acc[0..rows)[0..w)}.
     */
    private static void block(float[] a, int d, double[] bt, int cols, int w, int i, int rows, double[][] acc) {
        int r0 = i * d;
        int r1 = (i + Math.min(1, rows - 1)) * d;
        int r2 = (i + Math.min(2, rows - 1)) * d;
        int r3 = (i + Math.min(3, rows - 1)) * d;
        double[] s0 = acc[0];
        double[] s1 = acc[1];
        double[] s2 = acc[2];
        double[] s3 = acc[3];
        Arrays.fill(s0, 0, w, 0);
        Arrays.fill(s1, 0, w, 0);
        Arrays.fill(s2, 0, w, 0);
        Arrays.fill(s3, 0, w, 0);
        int k = 0;
        for (; k + 3 < d; k += 4) {
            double x00 = a[r0 + k], x01 = a[r0 + k + 1], x02 = a[r0 + k + 2], x03 = a[r0 + k + 3];
            double x10 = a[r1 + k], x11 = a[r1 + k + 1], x12 = a[r1 + k + 2], x13 = a[r1 + k + 3];
            double x20 = a[r2 + k], x21 = a[r2 + k + 1], x22 = a[r2 + k + 2], x23 = a[r2 + k + 3];
            double x30 = a[r3 + k], x31 = a[r3 + k + 1], x32 = a[r3 + k + 2], x33 = a[r3 + k + 3];
            int o0 = k * cols;
            int o1 = o0 + cols;
            int o2 = o1 + cols;
            int o3 = o2 + cols;
            for (int j = 0; j < w; j++) {
                double y0 = bt[o0 + j];
                double y1 = bt[o1 + j];
                double y2 = bt[o2 + j];
                double y3 = bt[o3 + j];
                // Left to right: ((s + x*y0) + x*y1) + ..., the same additions as four steps of the plain loop.
                s0[j] = s0[j] + x00 * y0 + x01 * y1 + x02 * y2 + x03 * y3;
                s1[j] = s1[j] + x10 * y0 + x11 * y1 + x12 * y2 + x13 * y3;
                s2[j] = s2[j] + x20 * y0 + x21 * y1 + x22 * y2 + x23 * y3;
                s3[j] = s3[j] + x30 * y0 + x31 * y1 + x32 * y2 + x33 * y3;
            }
        }
        for (; k < d; k++) {
            double x0 = a[r0 + k];
            double x1 = a[r1 + k];
            double x2 = a[r2 + k];
            double x3 = a[r3 + k];
            int o = k * cols;
            for (int j = 0; j < w; j++) {
                double y = bt[o + j];
                s0[j] += x0 * y;
                s1[j] += x1 * y;
                s2[j] += x2 * y;
                s3[j] += x3 * y;
            }
        }
    }
}
