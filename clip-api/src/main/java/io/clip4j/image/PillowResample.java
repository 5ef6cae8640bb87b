package io.clip4j.image;

/**
 * Pillow 9.4's {@code Image.resize(size, BICUBIC)} restricted to a crop window of the resized image.
 *
 * <p>Every output pixel of Pillow's separable resampler depends only on its own filter taps, so
 * computing just the window {@code [left, left + cropW) x [top, top + cropH)} gives exactly the
 * pixels {@code resize(...).crop(...)} would. The passes follow libImaging/Resample.c: horizontal
 * first (only when the width changes; only over the source rows the vertical pass reads), result
 * clamped to uint8, then vertical (only when the height changes). Integer accumulation is
 * order-independent, so rows are accumulated tap by tap for cache locality; the double path for
 * mode {@code I} keeps Pillow's tap order per pixel.
 */
final class PillowResample {
    private static final int HALF = 1 << (AxisWeights.PRECISION_BITS - 1);

    private PillowResample() {
    }

    /**
     * 8-bit interleaved samples, fixed-point bicubic.
     *
     * @param src  {@code h * w * c} samples
     * @param c    samples per pixel (all are resampled independently)
     * @return {@code cropH * cropW * c} samples of the resized image's window
     */
    static byte[] bicubic8(byte[] src, int w, int h, int c, int outW, int outH,
                           int left, int top, int cropW, int cropH, boolean premultiply) {
        boolean needH = outW != w;
        boolean needV = outH != h;
        AxisWeights wy = needV ? AxisWeights.of(h, outH, top, cropH) : null;
        AxisWeights wx = needH ? AxisWeights.of(w, outW, left, cropW) : null;
        int rowFirst = needV ? wy.firstSource() : top;
        int rowEnd = needV ? wy.endSource() : top + cropH;
        int colFirst = needH ? wx.firstSource() : left;
        int colEnd = needH ? wx.endSource() : left + cropW;
        int rows = rowEnd - rowFirst;
        // Only the source rectangle the window reads is touched. Premultiplied alpha (Pillow's RGBa/La
        // conversion before resizing) is applied row by row, so no second full-size copy is made.
        int rectW = colEnd - colFirst;
        int midStride = cropW * c;
        byte[] mid = new byte[rows * midStride];
        if (needH) {
            byte[] row = premultiply ? new byte[rectW * c] : null;
            int ks = wx.ksize;
            int[] fixed = wx.fixed;
            for (int r = 0; r < rows; r++) {
                int srcRow = ((rowFirst + r) * w + colFirst) * c;
                byte[] rect = src;
                if (premultiply) {
                    premultiplyInto(src, srcRow, row, 0, rectW, c);
                    rect = row;
                    srcRow = 0;
                }
                int dst = r * midStride;
                for (int xo = 0; xo < cropW; xo++) {
                    int kb = xo * ks;
                    int n = wx.len[xo];
                    int s = srcRow + (wx.min[xo] - colFirst) * c;
                    if (c == 3 || c == 4) {
                        // All channels in one sweep over the taps (same integer sums as per channel).
                        int a0 = HALF;
                        int a1 = HALF;
                        int a2 = HALF;
                        int a3 = HALF;
                        for (int k = 0; k < n; k++, s += c) {
                            int wk = fixed[kb + k];
                            a0 += (rect[s] & 0xFF) * wk;
                            a1 += (rect[s + 1] & 0xFF) * wk;
                            a2 += (rect[s + 2] & 0xFF) * wk;
                            if (c == 4) {
                                a3 += (rect[s + 3] & 0xFF) * wk;
                            }
                        }
                        mid[dst++] = clip8(a0);
                        mid[dst++] = clip8(a1);
                        mid[dst++] = clip8(a2);
                        if (c == 4) {
                            mid[dst++] = clip8(a3);
                        }
                    } else {
                        for (int ch = 0; ch < c; ch++) {
                            int acc = HALF;
                            for (int k = 0, sc = s + ch; k < n; k++, sc += c) {
                                acc += (rect[sc] & 0xFF) * fixed[kb + k];
                            }
                            mid[dst++] = clip8(acc);
                        }
                    }
                }
            }
        } else {
            for (int r = 0; r < rows; r++) {
                int srcRow = ((rowFirst + r) * w + colFirst) * c;
                if (premultiply) {
                    premultiplyInto(src, srcRow, mid, r * midStride, cropW, c);
                } else {
                    System.arraycopy(src, srcRow, mid, r * midStride, midStride);
                }
            }
        }
        if (!needV) {
            return mid;
        }
        byte[] out = new byte[cropH * midStride];
        int[] acc = new int[midStride];
        int ks = wy.ksize;
        for (int yo = 0; yo < cropH; yo++) {
            java.util.Arrays.fill(acc, HALF);
            int n = wy.len[yo];
            int r0 = wy.min[yo] - rowFirst;
            for (int k = 0; k < n; k++) {
                int wk = wy.fixed[yo * ks + k];
                int off = (r0 + k) * midStride;
                for (int j = 0; j < midStride; j++) {
                    acc[j] += (mid[off + j] & 0xFF) * wk;
                }
            }
            int dst = yo * midStride;
            for (int j = 0; j < midStride; j++) {
                out[dst + j] = clip8(acc[j]);
            }
        }
        return out;
    }

    /**
     * Mode {@code I}: same taps, double-precision weights, each pass rounded half away from zero to
     * int32 without clamping (Pillow's {@code ImagingResampleHorizontal_32bpc}).
     *
     * @return {@code cropH * cropW} values of the resized image's window
     */
    static int[] bicubicInt(int[] src, int w, int h, int outW, int outH,
                            int left, int top, int cropW, int cropH) {
        boolean needH = outW != w;
        boolean needV = outH != h;
        AxisWeights wy = needV ? AxisWeights.of(h, outH, top, cropH) : null;
        int rowFirst = needV ? wy.firstSource() : top;
        int rowEnd = needV ? wy.endSource() : top + cropH;
        int rows = rowEnd - rowFirst;
        int[] mid = new int[rows * cropW];
        if (needH) {
            AxisWeights wx = AxisWeights.of(w, outW, left, cropW);
            int ks = wx.ksize;
            for (int r = 0; r < rows; r++) {
                int srcRow = (rowFirst + r) * w;
                for (int xo = 0; xo < cropW; xo++) {
                    double ss = 0.0;
                    int s = srcRow + wx.min[xo];
                    int kb = xo * ks;
                    for (int k = 0; k < wx.len[xo]; k++) {
                        ss += src[s + k] * wx.weights[kb + k];
                    }
                    mid[r * cropW + xo] = roundUp(ss);
                }
            }
        } else {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(src, (rowFirst + r) * w + left, mid, r * cropW, cropW);
            }
        }
        if (!needV) {
            return mid;
        }
        int[] out = new int[cropH * cropW];
        double[] acc = new double[cropW];
        int ks = wy.ksize;
        for (int yo = 0; yo < cropH; yo++) {
            java.util.Arrays.fill(acc, 0.0);
            int r0 = wy.min[yo] - rowFirst;
            // Tap-major loop still adds each pixel's terms in tap order, as Pillow does.
            for (int k = 0; k < wy.len[yo]; k++) {
                double wk = wy.weights[yo * ks + k];
                int off = (r0 + k) * cropW;
                for (int j = 0; j < cropW; j++) {
                    acc[j] += mid[off + j] * wk;
                }
            }
            for (int j = 0; j < cropW; j++) {
                out[yo * cropW + j] = roundUp(acc[j]);
            }
        }
        return out;
    }

    /**
     * Nearest neighbour as Pillow does it for modes {@code P} and {@code 1} ({@code ImagingScaleAffine}):
     * the source coordinate starts at {@code scale * 0.5} and is advanced by adding {@code scale} per
     * output index (accumulated, not multiplied), then truncated.
     *
     * @return {@code cropH * cropW * c} samples of the resized image's window
     */
    static byte[] nearest(byte[] src, int w, int h, int c, int outW, int outH,
                          int left, int top, int cropW, int cropH) {
        int[] xs = nearestIndex(w, outW, left, cropW);
        int[] ys = nearestIndex(h, outH, top, cropH);
        byte[] out = new byte[cropH * cropW * c];
        for (int yo = 0; yo < cropH; yo++) {
            if (ys[yo] < 0) {
                continue; // Pillow leaves such pixels at the fill value 0; unreachable for in-range scales
            }
            int rowBase = ys[yo] * w;
            int dst = yo * cropW * c;
            for (int xo = 0; xo < cropW; xo++, dst += c) {
                if (xs[xo] >= 0) {
                    System.arraycopy(src, (rowBase + xs[xo]) * c, out, dst, c);
                }
            }
        }
        return out;
    }

    private static int[] nearestIndex(int inSize, int outSize, int first, int count) {
        double a = (double) inSize / outSize;
        double pos = a * 0.5;
        int[] idx = new int[count];
        for (int x = 0; x < first + count; x++) {
            if (x >= first) {
                int v = pos < 0.0 ? -1 : (int) pos;
                idx[x - first] = v < inSize ? v : -1;
            }
            pos += a;
        }
        return idx;
    }

    /** Pillow's {@code clip8} on a 22-bit fixed-point accumulator. */
    private static byte clip8(int acc) {
        if (acc <= 0) {
            return 0;
        }
        if (acc >= (256 << AxisWeights.PRECISION_BITS)) {
            return (byte) 255;
        }
        return (byte) (acc >> AxisWeights.PRECISION_BITS);
    }

    /** Pillow's {@code ROUND_UP}: half away from zero, then C truncation to int. */
    private static int roundUp(double f) {
        return (int) (f >= 0.0 ? f + 0.5 : f - 0.5);
    }

    /**
     * Straight to premultiplied alpha ({@code RGBA -> RGBa}, {@code LA -> La}) for {@code pixels} pixels:
     * each colour sample becomes {@code MULDIV255(c, a)}; the last sample of each pixel is alpha.
     */
    static void premultiplyInto(byte[] src, int srcOff, byte[] dst, int dstOff, int pixels, int c) {
        for (int i = 0; i < pixels; i++, srcOff += c, dstOff += c) {
            int a = src[srcOff + c - 1] & 0xFF;
            for (int k = 0; k < c - 1; k++) {
                dst[dstOff + k] = (byte) muldiv255(src[srcOff + k] & 0xFF, a);
            }
            dst[dstOff + c - 1] = (byte) a;
        }
    }

    /**
     * Premultiplied back to straight alpha in place ({@code RGBa -> RGBA}): unchanged where alpha is
     * 0 or 255, else {@code min(255, 255 * c / a)} with integer division.
     */
    static void unpremultiply(byte[] data, int c) {
        for (int p = 0; p < data.length; p += c) {
            int a = data[p + c - 1] & 0xFF;
            if (a == 0 || a == 255) {
                continue;
            }
            for (int k = 0; k < c - 1; k++) {
                data[p + k] = (byte) Math.min(255, (255 * (data[p + k] & 0xFF)) / a);
            }
        }
    }

    /** Pillow's {@code MULDIV255}: {@code round(a * b / 255)} in integer arithmetic. */
    static int muldiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }
}
