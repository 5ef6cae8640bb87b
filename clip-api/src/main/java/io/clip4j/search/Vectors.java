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
}
