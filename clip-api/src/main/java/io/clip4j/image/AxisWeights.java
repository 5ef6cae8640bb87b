package io.clip4j.image;

/**
 * Bicubic filter weights of one axis, computed exactly like Pillow 9.4's {@code precompute_coeffs}
 * (libImaging/Resample.c) for a contiguous range of output indices only (the centre-crop window), so
 * a crop of the resized image costs no more than the crop itself.
 *
 * <p>Per output index {@code i}: taps start at {@code min[i]}, there are {@code len[i]} of them, and the
 * normalised double weights ({@link #weights}) and their 22-bit fixed-point form ({@link #fixed}) are
 * stored at {@code i * ksize}.
 */
final class AxisWeights {
    /** Pillow's PRECISION_BITS for 8-bit images: 32 - 8 - 2. */
    static final int PRECISION_BITS = 22;
    /** Bicubic support radius (Pillow: {@code BICUBIC} filter support 2.0). */
    private static final double SUPPORT = 2.0;
    /** Pillow's bicubic {@code a} parameter. */
    private static final double A = -0.5;

    final int ksize;
    final int[] min;
    final int[] len;
    final double[] weights;
    final int[] fixed;

    private AxisWeights(int ksize, int count) {
        this.ksize = ksize;
        this.min = new int[count];
        this.len = new int[count];
        this.weights = new double[count * ksize];
        this.fixed = new int[count * ksize];
    }

    /**
     * @param inSize  source extent along this axis, &gt; 0
     * @param outSize resized extent, &gt; 0
     * @param first   first output index wanted (crop offset)
     * @param count   number of output indices wanted (crop size)
     */
    static AxisWeights of(int inSize, int outSize, int first, int count) {
        double scale = (double) inSize / outSize;
        double filterscale = Math.max(scale, 1.0);
        double support = SUPPORT * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        AxisWeights aw = new AxisWeights(ksize, count);
        double ss = 1.0 / filterscale;
        for (int o = 0; o < count; o++) {
            int xx = first + o;
            double center = (xx + 0.5) * scale;
            // C's (int) cast truncates toward zero, like Java's.
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            int base = o * ksize;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                double w = bicubic((x + xmin - center + 0.5) * ss);
                aw.weights[base + x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                if (ww != 0.0) {
                    aw.weights[base + x] /= ww;
                }
                double k = aw.weights[base + x];
                // normalize_coeffs_8bpc: round half away from zero via truncation of +-0.5.
                aw.fixed[base + x] = k < 0
                        ? (int) (-0.5 + k * (1 << PRECISION_BITS))
                        : (int) (0.5 + k * (1 << PRECISION_BITS));
            }
            aw.min[o] = xmin;
            aw.len[o] = xmax;
        }
        return aw;
    }

    /** Pillow's {@code bicubic_filter}, evaluated in exactly this form. */
    static double bicubic(double x) {
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((A + 2.0) * x - (A + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * A;
        }
        return 0.0;
    }

    /** First source index any wanted output index reads. */
    int firstSource() {
        int m = Integer.MAX_VALUE;
        for (int v : min) {
            m = Math.min(m, v);
        }
        return m;
    }

    /** One past the last source index any wanted output index reads. */
    int endSource() {
        int m = 0;
        for (int i = 0; i < min.length; i++) {
            m = Math.max(m, min[i] + len[i]);
        }
        return m;
    }
}
