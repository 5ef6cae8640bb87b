package io.clip4j.checkpoint;

/** IEEE 754 half-precision conversion (Java 17 has no {@code Float.float16ToFloat}; Android lacks it too). */
final class Half {
    private Half() {
    }

    /**
     * @param bits the 16 bits of an IEEE half
     * @return the same value as a float (exact: every half is representable)
     */
    static float toFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // Subnormal half: value = mant * 2^-24, exact in float.
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /**
     * Rounds a float to the nearest half, ties to even (what {@code torch.Tensor.half()} does); values beyond the
     * half range become infinities, NaN stays NaN.
     *
     * @param f a float
     * @return the 16 bits of the nearest IEEE half
     */
    static short fromFloat(float f) {
        int x = Float.floatToRawIntBits(f);
        int sign = (x >>> 16) & 0x8000;
        int exp = (x >>> 23) & 0xff;
        int mant = x & 0x7fffff;
        if (exp == 0xff) {
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign; // below half the smallest subnormal: rounds to zero
            }
            // Subnormal half: shift the full 24-bit significand, round to nearest even.
            int m = mant | 0x800000;
            int shift = 14 - e;
            int half = m >>> shift;
            int rem = m & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >>> 13);
        int rem = mant & 0x1fff;
        // A carry out of the mantissa correctly increments the exponent (up to infinity).
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
            half++;
        }
        return (short) (sign | half);
    }
}
