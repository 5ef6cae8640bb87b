package io.clip4j.image.jpeg;

/**
 * The accurate integer inverse DCT of libjpeg-turbo (JDCT_ISLOW, the default of libjpeg-turbo and Pillow) as
 * its x86-64 SIMD code computes it ({@code jsimd_idct_islow_avx2}/{@code _sse2}, which Pillow's builds run):
 * the algorithm of {@code jidctint.c} with {@code CONST_BITS = 13} and {@code PASS1_BITS = 2}, in that code's
 * integer widths. For the coefficients an encoder writes the result equals the C code's; they differ only
 * for corrupt or crafted data, where this class follows the SIMD code:
 * <ul>
 *   <li>dequantized coefficients, the sums {@code in0 ± in4}, {@code in7 + in3} and {@code in5 + in1}, and
 *       the DC-only column shortcut are 16-bit and wrap ({@code pmullw}, {@code paddw}, {@code psllw});</li>
 *   <li>the products and the rest are 32-bit ({@code pmaddwd}, {@code paddd});</li>
 *   <li>each pass's outputs saturate to 16 bits ({@code packssdw}), and the samples to 0..255
 *       ({@code packsswb} + 128), where the C code's range-limit table wraps modulo 1024.</li>
 * </ul>
 * The DC-only shortcut applies when coefficient rows 1..7 of the whole block are zero (the SIMD test), not per
 * column.
 *
 * <p>Not thread-safe: one instance per decode (it owns its workspace).
 */
final class Idct {
    private static final int CONST_BITS = 13;
    private static final int PASS1_BITS = 2;
    private static final int F_0_298 = 2446;
    private static final int F_0_390 = 3196;
    private static final int F_0_541 = 4433;
    private static final int F_0_765 = 6270;
    private static final int F_0_899 = 7373;
    private static final int F_1_175 = 9633;
    private static final int F_1_501 = 12299;
    private static final int F_1_847 = 15137;
    private static final int F_1_961 = 16069;
    private static final int F_2_053 = 16819;
    private static final int F_2_562 = 20995;
    private static final int F_3_072 = 25172;

    /** Workspace between the passes: 16-bit values, like the SIMD registers. */
    private final short[] ws = new short[64];
    private final short[] in = new short[64];

    /**
     * Transforms one block.
     *
     * @param coef   quantized coefficients, natural order, at {@code coefOff}
     * @param q      dequantization multipliers, natural order
     * @param out    sample plane
     * @param outOff index of the block's top-left sample
     * @param stride plane row length
     */
    void transform(short[] coef, int coefOff, int[] q, byte[] out, int outOff, int stride) {
        final short[] w = ws;
        final short[] d = in;
        boolean acRowsZero = true;
        for (int i = 8; i < 64; i++) {
            if (coef[coefOff + i] != 0) {
                acRowsZero = false;
                break;
            }
        }
        if (acRowsZero) {
            for (int col = 0; col < 8; col++) {
                short dc = (short) ((short) (coef[coefOff + col] * q[col]) << PASS1_BITS);
                for (int r = 0; r < 64; r += 8) {
                    w[r + col] = dc;
                }
            }
        } else {
            for (int i = 0; i < 64; i++) {
                d[i] = (short) (coef[coefOff + i] * q[i]);
            }
            // Pass 1: columns (stride 8) into the workspace.
            for (int col = 0; col < 8; col++) {
                pass(d, col, 8, CONST_BITS - PASS1_BITS, w, col, 8);
            }
        }
        // Pass 2: rows of the workspace, saturated to samples.
        final short[] row = d;
        for (int r = 0; r < 8; r++) {
            pass(w, r * 8, 1, CONST_BITS + PASS1_BITS + 3, row, 0, 1);
            int o = outOff + r * stride;
            for (int c = 0; c < 8; c++) {
                int v = row[c] + 128;
                out[o + c] = (byte) (v < 0 ? 0 : Math.min(v, 255));
            }
        }
    }

    /** One 8-point pass over {@code src[s0 + k * step]}, written to {@code dst[d0 + k * dstep]}, 16-bit saturated. */
    private static void pass(short[] src, int s0, int step, int shift, short[] dst, int d0, int dstep) {
        int in0 = src[s0];
        int in1 = src[s0 + step];
        int in2 = src[s0 + 2 * step];
        int in3 = src[s0 + 3 * step];
        int in4 = src[s0 + 4 * step];
        int in5 = src[s0 + 5 * step];
        int in6 = src[s0 + 6 * step];
        int in7 = src[s0 + 7 * step];
        // Even part.
        int tmp3 = in2 * (F_0_541 + F_0_765) + in6 * F_0_541;
        int tmp2 = in2 * F_0_541 + in6 * (F_0_541 - F_1_847);
        int tmp0 = ((short) (in0 + in4)) << CONST_BITS;
        int tmp1 = ((short) (in0 - in4)) << CONST_BITS;
        int tmp10 = tmp0 + tmp3;
        int tmp13 = tmp0 - tmp3;
        int tmp11 = tmp1 + tmp2;
        int tmp12 = tmp1 - tmp2;
        // Odd part.
        int z3 = (short) (in7 + in3);
        int z4 = (short) (in5 + in1);
        int z3m = z3 * (F_1_175 - F_1_961) + z4 * F_1_175;
        int z4m = z3 * F_1_175 + z4 * (F_1_175 - F_0_390);
        int o0 = in7 * (F_0_298 - F_0_899) + in1 * -F_0_899 + z3m;
        int o1 = in5 * (F_2_053 - F_2_562) + in3 * -F_2_562 + z4m;
        int o2 = in5 * -F_2_562 + in3 * (F_3_072 - F_2_562) + z3m;
        int o3 = in7 * -F_0_899 + in1 * (F_1_501 - F_0_899) + z4m;
        final int round = 1 << (shift - 1);
        dst[d0] = sat16((tmp10 + o3 + round) >> shift);
        dst[d0 + 7 * dstep] = sat16((tmp10 - o3 + round) >> shift);
        dst[d0 + dstep] = sat16((tmp11 + o2 + round) >> shift);
        dst[d0 + 6 * dstep] = sat16((tmp11 - o2 + round) >> shift);
        dst[d0 + 2 * dstep] = sat16((tmp12 + o1 + round) >> shift);
        dst[d0 + 5 * dstep] = sat16((tmp12 - o1 + round) >> shift);
        dst[d0 + 3 * dstep] = sat16((tmp13 + o0 + round) >> shift);
        dst[d0 + 4 * dstep] = sat16((tmp13 - o0 + round) >> shift);
    }

    private static short sat16(int v) {
        return (short) (v < Short.MIN_VALUE ? Short.MIN_VALUE : Math.min(v, Short.MAX_VALUE));
    }
}
