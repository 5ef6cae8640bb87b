package io.clip4j.image.webp;

/**
 * The inverse transforms of RFC 6386 section 14 in libwebp's exact integer form: the Walsh-Hadamard
 * transform of the Y2 block, and the 4x4 inverse DCT (multipliers 20091/65536 + 1 and 35468/65536, a
 * column pass then a row pass with rounding by 4 and a shift by 3) added to the prediction with clamping.
 * libwebp picks a variant per block (DC only, at most three coefficients, full); they agree on valid data
 * but not on the overflowing coefficients of damaged data, so the caller picks the same variant.
 */
final class InverseTransform {
    /** Intermediate values of one block (one instance per decoder, so nothing is allocated per block). */
    private final int[] tmp = new int[16];

    /**
     * Inverts the Y2 transform and puts each result as the DC coefficient of one luma block.
     *
     * @param in  16 dequantized Y2 coefficients in raster order
     * @param out the macroblock's coefficients; entries 0, 16, ..., 240 are written (wrapped to 16 bits)
     */
    void walsh(short[] in, short[] out) {
        int[] tmp = this.tmp;
        for (int i = 0; i < 4; i++) {
            int a0 = in[i] + in[12 + i];
            int a1 = in[4 + i] + in[8 + i];
            int a2 = in[4 + i] - in[8 + i];
            int a3 = in[i] - in[12 + i];
            tmp[i] = a0 + a1;
            tmp[8 + i] = a0 - a1;
            tmp[4 + i] = a3 + a2;
            tmp[12 + i] = a3 - a2;
        }
        for (int i = 0; i < 4; i++) {
            int dc = tmp[i * 4] + 3; // rounding
            int a0 = dc + tmp[3 + i * 4];
            int a1 = tmp[1 + i * 4] + tmp[2 + i * 4];
            int a2 = tmp[1 + i * 4] - tmp[2 + i * 4];
            int a3 = dc - tmp[3 + i * 4];
            int o = i * 64;
            out[o] = (short) ((a0 + a1) >> 3);
            out[o + 16] = (short) ((a3 + a2) >> 3);
            out[o + 32] = (short) ((a0 - a1) >> 3);
            out[o + 48] = (short) ((a3 - a2) >> 3);
        }
    }

    private static int mul1(int a) {
        return ((a * 20091) >> 16) + a;
    }

    private static int mul2(int a) {
        return (a * 35468) >> 16;
    }

    /**
     * Adds the inverse DCT of a block with at most three coefficients, in zigzag order (libwebp's
     * {@code TransformAC3}, plain 32-bit arithmetic; the same as the full transform in that case, never
     * overflowing). It is the C reference's full transform too, which {@link #idct} uses for small coefficients.
     *
     * @param in     coefficients
     * @param inOff  first coefficient of the block (raster order)
     * @param dst    samples holding the prediction
     * @param dstOff top-left sample of the block
     * @param stride row stride of {@code dst}
     */
    void idctAc3(short[] in, int inOff, byte[] dst, int dstOff, int stride) {
        // Column pass into t (column i in t[4i..4i+3]), then the row pass.
        int[] t = tmp;
        for (int i = 0; i < 4; i++) {
            int c0 = in[inOff + i];
            int c1 = in[inOff + 4 + i];
            int c2 = in[inOff + 8 + i];
            int c3 = in[inOff + 12 + i];
            int a = c0 + c2;
            int b = c0 - c2;
            int c = mul2(c1) - mul1(c3);
            int d = mul1(c1) + mul2(c3);
            t[4 * i] = a + d;
            t[4 * i + 1] = b + c;
            t[4 * i + 2] = b - c;
            t[4 * i + 3] = a - d;
        }
        for (int i = 0; i < 4; i++) {
            int dc = t[i] + 4;
            int a = dc + t[8 + i];
            int b = dc - t[8 + i];
            int c = mul2(t[4 + i]) - mul1(t[12 + i]);
            int d = mul1(t[4 + i]) + mul2(t[12 + i]);
            int o = dstOff + i * stride;
            dst[o] = clip8((dst[o] & 0xFF) + ((a + d) >> 3));
            dst[o + 1] = clip8((dst[o + 1] & 0xFF) + ((b + c) >> 3));
            dst[o + 2] = clip8((dst[o + 2] & 0xFF) + ((b - c) >> 3));
            dst[o + 3] = clip8((dst[o + 3] & 0xFF) + ((a - d) >> 3));
        }
    }

    /**
     * Adds the full inverse DCT of one block. Pillow's libwebp runs its SSE2 version on x86-64, which computes in
     * 16-bit lanes: the same results as the C reference whenever nothing overflows (any real stream), and
     * wrapping sums where the damaged coefficients of a corrupt stream make them overflow; that is reproduced
     * here ({@code s16} after every lane operation, {@code mulhi} = the high half of a signed 16x16 product,
     * with 35468 as 35468 - 65536 plus the input), then the sum with the prediction saturated to [0, 255].
     *
     * @param in     coefficients
     * @param inOff  first coefficient of the block (raster order)
     * @param dst    samples holding the prediction
     * @param dstOff top-left sample of the block
     * @param stride row stride of {@code dst}
     */
    void idct(short[] in, int inOff, byte[] dst, int dstOff, int stride) {
        // Coefficients in [-1024, 1023] keep every lane value under 23300 in magnitude, so nothing wraps and the
        // lanes compute exactly the C reference: its 32-bit form is cheaper (no truncation after each step).
        int bits = 0;
        for (int i = 0; i < 16; i++) {
            bits |= in[inOff + i] + 1024;
        }
        if ((bits & ~2047) == 0) {
            idctAc3(in, inOff, dst, dstOff, stride);
        } else {
            idctLanes(in, inOff, dst, dstOff, stride);
        }
    }

    /** {@link #idct} in 16-bit lanes, wrapping where the SSE2 code wraps. */
    private void idctLanes(short[] in, int inOff, byte[] dst, int dstOff, int stride) {
        int[] t = tmp;
        for (int i = 0; i < 4; i++) {
            int c0 = in[inOff + i];
            int c1 = in[inOff + 4 + i];
            int c2 = in[inOff + 8 + i];
            int c3 = in[inOff + 12 + i];
            int a = s16(c0 + c2);
            int b = s16(c0 - c2);
            int c = s16(s16(c1 - c3) + s16(mulhi(c1, K2) - mulhi(c3, K1)));
            int d = s16(s16(c1 + c3) + s16(mulhi(c1, K1) + mulhi(c3, K2)));
            t[4 * i] = s16(a + d);
            t[4 * i + 1] = s16(b + c);
            t[4 * i + 2] = s16(b - c);
            t[4 * i + 3] = s16(a - d);
        }
        for (int i = 0; i < 4; i++) {
            int dc = s16(t[i] + 4);
            int t1 = t[4 + i];
            int t2 = t[8 + i];
            int t3 = t[12 + i];
            int a = s16(dc + t2);
            int b = s16(dc - t2);
            int c = s16(s16(t1 - t3) + s16(mulhi(t1, K2) - mulhi(t3, K1)));
            int d = s16(s16(t1 + t3) + s16(mulhi(t1, K1) + mulhi(t3, K2)));
            int o = dstOff + i * stride;
            dst[o] = sat8((dst[o] & 0xFF) + (s16(a + d) >> 3));
            dst[o + 1] = sat8((dst[o + 1] & 0xFF) + (s16(b + c) >> 3));
            dst[o + 2] = sat8((dst[o + 2] & 0xFF) + (s16(b - c) >> 3));
            dst[o + 3] = sat8((dst[o + 3] & 0xFF) + (s16(a - d) >> 3));
        }
    }

    private static final int K1 = 20091;
    private static final int K2 = 35468 - 65536;

    private static int s16(int v) {
        return (short) v;
    }

    private static int mulhi(int a, int k) {
        return (a * k) >> 16;
    }

    /** A 16-bit lane sum (wrapped) saturated to an unsigned byte. */
    private static byte sat8(int v) {
        v = (short) v;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /**
     * Adds a block whose only non-zero coefficient is the DC (same result as {@link #idct}, faster).
     *
     * @param in     coefficients
     * @param inOff  first coefficient of the block
     * @param dst    samples holding the prediction
     * @param dstOff top-left sample of the block
     * @param stride row stride of {@code dst}
     */
    void idctDc(short[] in, int inOff, byte[] dst, int dstOff, int stride) {
        int dc = (in[inOff] + 4) >> 3;
        for (int j = 0; j < 4; j++) {
            int o = dstOff + j * stride;
            for (int i = 0; i < 4; i++) {
                dst[o + i] = clip8((dst[o + i] & 0xFF) + dc);
            }
        }
    }

    private static byte clip8(int v) {
        return (byte) ((v & ~0xFF) == 0 ? v : v < 0 ? 0 : 255);
    }
}
