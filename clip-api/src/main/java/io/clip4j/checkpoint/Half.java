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
}
