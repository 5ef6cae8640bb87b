package io.clip4j.image.jpeg;

/**
 * The accurate integer inverse DCT of libjpeg ({@code jidctint.c}, {@code jpeg_idct_islow}, JDCT_ISLOW,
 * the default of libjpeg-turbo and Pillow): dequantization, a column pass with {@code CONST_BITS = 13}
 * and {@code PASS1_BITS = 2}, a row pass, and the post-IDCT range limit table of {@code jdmaster.c}
 * (which wraps out-of-range values modulo 1024 before clamping, as libjpeg does).
 *
 * <p>Not thread-safe: one instance per decode (it owns its workspace).
 */
final class Idct {
    private static final int CONST_BITS = 13;
    private static final int PASS1_BITS = 2;
    private static final int FIX_0_298631336 = 2446;
    private static final int FIX_0_390180644 = 3196;
    private static final int FIX_0_541196100 = 4433;
    private static final int FIX_0_765366865 = 6270;
    private static final int FIX_0_899976223 = 7373;
    private static final int FIX_1_175875602 = 9633;
    private static final int FIX_1_501321110 = 12299;
    private static final int FIX_1_847759065 = 15137;
    private static final int FIX_1_961570560 = 16069;
    private static final int FIX_2_053119869 = 16819;
    private static final int FIX_2_562915447 = 20995;
    private static final int FIX_3_072711026 = 25172;

    /**
     * libjpeg's {@code sample_range_limit + CENTERJSAMPLE} indexed by {@code x & 1023}: x in [-128, 127]
     * maps to x + 128, [128, 511] to 255, [-512, -129] to 0 (and larger values wrap around).
     */
    private static final byte[] RANGE_LIMIT = new byte[1024];

    static {
        for (int i = 0; i < 1024; i++) {
            int v;
            if (i < 128) {
                v = i + 128;
            } else if (i < 512) {
                v = 255;
            } else if (i < 896) {
                v = 0;
            } else {
                v = i - 896;
            }
            RANGE_LIMIT[i] = (byte) v;
        }
    }

    private final int[] ws = new int[64];

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
        final int[] w = ws;
        // Pass 1: columns from the input, results scaled up by 2^PASS1_BITS into the workspace.
        for (int col = 0; col < 8; col++) {
            int i = coefOff + col;
            if (coef[i + 8] == 0 && coef[i + 16] == 0 && coef[i + 24] == 0 && coef[i + 32] == 0
                    && coef[i + 40] == 0 && coef[i + 48] == 0 && coef[i + 56] == 0) {
                int dcval = (coef[i] * q[col]) << PASS1_BITS;
                for (int r = 0; r < 64; r += 8) {
                    w[col + r] = dcval;
                }
                continue;
            }
            int z2 = coef[i + 16] * q[col + 16];
            int z3 = coef[i + 48] * q[col + 48];
            int z1 = (z2 + z3) * FIX_0_541196100;
            int tmp2 = z1 - z3 * FIX_1_847759065;
            int tmp3 = z1 + z2 * FIX_0_765366865;
            z2 = coef[i] * q[col];
            z3 = coef[i + 32] * q[col + 32];
            int tmp0 = (z2 + z3) << CONST_BITS;
            int tmp1 = (z2 - z3) << CONST_BITS;
            int tmp10 = tmp0 + tmp3;
            int tmp13 = tmp0 - tmp3;
            int tmp11 = tmp1 + tmp2;
            int tmp12 = tmp1 - tmp2;

            tmp0 = coef[i + 56] * q[col + 56];
            tmp1 = coef[i + 40] * q[col + 40];
            tmp2 = coef[i + 24] * q[col + 24];
            tmp3 = coef[i + 8] * q[col + 8];
            z1 = tmp0 + tmp3;
            z2 = tmp1 + tmp2;
            z3 = tmp0 + tmp2;
            int z4 = tmp1 + tmp3;
            int z5 = (z3 + z4) * FIX_1_175875602;
            tmp0 *= FIX_0_298631336;
            tmp1 *= FIX_2_053119869;
            tmp2 *= FIX_3_072711026;
            tmp3 *= FIX_1_501321110;
            z1 *= -FIX_0_899976223;
            z2 *= -FIX_2_562915447;
            z3 = z3 * -FIX_1_961570560 + z5;
            z4 = z4 * -FIX_0_390180644 + z5;
            tmp0 += z1 + z3;
            tmp1 += z2 + z4;
            tmp2 += z2 + z3;
            tmp3 += z1 + z4;

            final int round = 1 << (CONST_BITS - PASS1_BITS - 1);
            final int shift = CONST_BITS - PASS1_BITS;
            w[col] = (tmp10 + tmp3 + round) >> shift;
            w[col + 56] = (tmp10 - tmp3 + round) >> shift;
            w[col + 8] = (tmp11 + tmp2 + round) >> shift;
            w[col + 48] = (tmp11 - tmp2 + round) >> shift;
            w[col + 16] = (tmp12 + tmp1 + round) >> shift;
            w[col + 40] = (tmp12 - tmp1 + round) >> shift;
            w[col + 24] = (tmp13 + tmp0 + round) >> shift;
            w[col + 32] = (tmp13 - tmp0 + round) >> shift;
        }
        // Pass 2: rows of the workspace, descaled by 2^(CONST_BITS + PASS1_BITS + 3), range-limited.
        final byte[] limit = RANGE_LIMIT;
        final int shift = CONST_BITS + PASS1_BITS + 3;
        final int round = 1 << (shift - 1);
        for (int row = 0, o = outOff; row < 64; row += 8, o += stride) {
            if (w[row + 1] == 0 && w[row + 2] == 0 && w[row + 3] == 0 && w[row + 4] == 0
                    && w[row + 5] == 0 && w[row + 6] == 0 && w[row + 7] == 0) {
                byte v = limit[((w[row] + (1 << (PASS1_BITS + 2))) >> (PASS1_BITS + 3)) & 1023];
                for (int c = 0; c < 8; c++) {
                    out[o + c] = v;
                }
                continue;
            }
            int z2 = w[row + 2];
            int z3 = w[row + 6];
            int z1 = (z2 + z3) * FIX_0_541196100;
            int tmp2 = z1 - z3 * FIX_1_847759065;
            int tmp3 = z1 + z2 * FIX_0_765366865;
            int tmp0 = (w[row] + w[row + 4]) << CONST_BITS;
            int tmp1 = (w[row] - w[row + 4]) << CONST_BITS;
            int tmp10 = tmp0 + tmp3;
            int tmp13 = tmp0 - tmp3;
            int tmp11 = tmp1 + tmp2;
            int tmp12 = tmp1 - tmp2;

            tmp0 = w[row + 7];
            tmp1 = w[row + 5];
            tmp2 = w[row + 3];
            tmp3 = w[row + 1];
            z1 = tmp0 + tmp3;
            z2 = tmp1 + tmp2;
            z3 = tmp0 + tmp2;
            int z4 = tmp1 + tmp3;
            int z5 = (z3 + z4) * FIX_1_175875602;
            tmp0 *= FIX_0_298631336;
            tmp1 *= FIX_2_053119869;
            tmp2 *= FIX_3_072711026;
            tmp3 *= FIX_1_501321110;
            z1 *= -FIX_0_899976223;
            z2 *= -FIX_2_562915447;
            z3 = z3 * -FIX_1_961570560 + z5;
            z4 = z4 * -FIX_0_390180644 + z5;
            tmp0 += z1 + z3;
            tmp1 += z2 + z4;
            tmp2 += z2 + z3;
            tmp3 += z1 + z4;

            out[o] = limit[((tmp10 + tmp3 + round) >> shift) & 1023];
            out[o + 7] = limit[((tmp10 - tmp3 + round) >> shift) & 1023];
            out[o + 1] = limit[((tmp11 + tmp2 + round) >> shift) & 1023];
            out[o + 6] = limit[((tmp11 - tmp2 + round) >> shift) & 1023];
            out[o + 2] = limit[((tmp12 + tmp1 + round) >> shift) & 1023];
            out[o + 5] = limit[((tmp12 - tmp1 + round) >> shift) & 1023];
            out[o + 3] = limit[((tmp13 + tmp0 + round) >> shift) & 1023];
            out[o + 4] = limit[((tmp13 - tmp0 + round) >> shift) & 1023];
        }
    }
}
