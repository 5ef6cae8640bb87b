package io.clip4j.search;

/** Row arithmetic shared by the index and its builder. */
final class Vectors {
    private Vectors() {
    }

    /**
     * @return {@code v[off, off+len)} divided by its L2 norm (accumulated in double, like
     * {@link io.clip4j.Features#normalized()})
     * @throws IllegalArgumentException if a value is not finite or all are zero
     */
    static float[] unit(float[] v, int off, int len, String what) {
        double ss = 0;
        for (int i = 0; i < len; i++) {
            float x = v[off + i];
            if (!Float.isFinite(x)) {
                throw new IllegalArgumentException("embedding of " + what + " is not finite at " + i + ": " + x);
            }
            ss += (double) x * x;
        }
        if (ss == 0) {
            throw new IllegalArgumentException("embedding of " + what + " is all zeros: it has no direction");
        }
        double norm = Math.sqrt(ss);
        float[] out = new float[len];
        for (int i = 0; i < len; i++) {
            out[i] = (float) (v[off + i] / norm);
        }
        return out;
    }

    /** Dot product of {@code a[off, off+len)} and {@code b[0, len)}; four float accumulators for speed. */
    static float dot(float[] a, int off, float[] b, int len) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        for (; i + 3 < len; i += 4) {
            s0 += a[off + i] * b[i];
            s1 += a[off + i + 1] * b[i + 1];
            s2 += a[off + i + 2] * b[i + 2];
            s3 += a[off + i + 3] * b[i + 3];
        }
        for (; i < len; i++) {
            s0 += a[off + i] * b[i];
        }
        return (s0 + s1) + (s2 + s3);
    }
    /**
     * {@link #dot} of four consecutive rows {@code a[off + r*len, off + (r+1)*len)}, r = 0..3, with {@code b}, into
     * {@code out[0..3]}: the same four accumulators per row, added in the same order, so the same bits as four
     * calls. Sixteen independent sums instead of four keep the floating-point adder busy rather than waiting on
     * each sum's previous addition.
     */
    static void dot4(float[] a, int off, float[] b, int len, float[] out) {
        int o0 = off;
        int o1 = off + len;
        int o2 = o1 + len;
        int o3 = o2 + len;
        float s00 = 0, s01 = 0, s02 = 0, s03 = 0;
        float s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        float s20 = 0, s21 = 0, s22 = 0, s23 = 0;
        float s30 = 0, s31 = 0, s32 = 0, s33 = 0;
        int i = 0;
        for (; i + 3 < len; i += 4) {
            float b0 = b[i];
            float b1 = b[i + 1];
            float b2 = b[i + 2];
            float b3 = b[i + 3];
            s00 += a[o0 + i] * b0;
            s01 += a[o0 + i + 1] * b1;
            s02 += a[o0 + i + 2] * b2;
            s03 += a[o0 + i + 3] * b3;
            s10 += a[o1 + i] * b0;
            s11 += a[o1 + i + 1] * b1;
            s12 += a[o1 + i + 2] * b2;
            s13 += a[o1 + i + 3] * b3;
            s20 += a[o2 + i] * b0;
            s21 += a[o2 + i + 1] * b1;
            s22 += a[o2 + i + 2] * b2;
            s23 += a[o2 + i + 3] * b3;
            s30 += a[o3 + i] * b0;
            s31 += a[o3 + i + 1] * b1;
            s32 += a[o3 + i + 2] * b2;
            s33 += a[o3 + i + 3] * b3;
        }
        for (; i < len; i++) {
            s00 += a[o0 + i] * b[i];
            s10 += a[o1 + i] * b[i];
            s20 += a[o2 + i] * b[i];
            s30 += a[o3 + i] * b[i];
        }
        out[0] = (s00 + s01) + (s02 + s03);
        out[1] = (s10 + s11) + (s12 + s13);
        out[2] = (s20 + s21) + (s22 + s23);
        out[3] = (s30 + s31) + (s32 + s33);
    }
}
