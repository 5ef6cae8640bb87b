package io.clip4j.image.webp;

/**
 * libwebp's default conversion of a decoded frame to RGB (what Pillow gets): "fancy" upsampling of the
 * 4:2:0 chroma ({@code UpsampleRgbLinePair}: each output sample mixes the four nearest chroma samples with
 * weights 9, 3, 3, 1 in two rounded steps; on the picture's edges the missing neighbours are the edge
 * samples), rows paired as in {@code EmitFancyRGB}, then {@code VP8YuvToRgb}: BT.601 limited range in
 * 14-bit fixed point.
 */
final class YuvConverter {
    private YuvConverter() {
    }

    /**
     * Converts a frame to interleaved RGB.
     *
     * @param frame         the decoded planes
     * @param out           {@code width * height * bytesPerPixel} bytes; R, G, B written per pixel, a fourth
     *                      byte (if any) left as it is
     * @param bytesPerPixel 3 or 4
     */
    static void toRgb(Vp8Frame frame, byte[] out, int bytesPerPixel) {
        int w = frame.width();
        int h = frame.height();
        int cw = (w + 1) >> 1;
        int rowBytes = w * bytesPerPixel;
        // Output row 2k-1 and 2k lie between chroma rows k-1 and k (the nearer one weighted 3); the first row
        // and an even-height last row only see their own chroma row.
        rowPair(frame, 0, -1, 0, 0, out, 0, bytesPerPixel);
        for (int k = 1; 2 * k - 1 < h; k++) {
            int top = 2 * k - 1;
            boolean hasBottom = top + 1 < h;
            int cur = hasBottom ? k : k - 1;
            rowPair(frame, top * w, hasBottom ? (top + 1) * w : -1, (k - 1) * cw, cur * cw, out, top * rowBytes,
                    bytesPerPixel);
        }
    }

    /**
     * Converts the output rows between two chroma rows ({@code UpsampleRgbLinePair}): the top one from the luma row
     * at {@code yTop}, weighting chroma row {@code cTop} by 3, and the bottom one (if {@code yBottom >= 0}, written
     * right after the top one) weighting {@code cCur} by 3. Both share the diagonal sums of each 2x2 chroma window.
     */
    private static void rowPair(Vp8Frame frame, int yTop, int yBottom, int cTop, int cCur, byte[] out, int o,
                                int bpp) {
        byte[] y = frame.y();
        byte[] u = frame.u();
        byte[] v = frame.v();
        int w = frame.width();
        boolean bottom = yBottom >= 0;
        int o2 = o + w * bpp;
        int tlU = u[cTop] & 0xFF;
        int tlV = v[cTop] & 0xFF;
        int lU = u[cCur] & 0xFF;
        int lV = v[cCur] & 0xFF;
        pixel(y[yTop] & 0xFF, (3 * tlU + lU + 2) >> 2, (3 * tlV + lV + 2) >> 2, out, o);
        if (bottom) {
            pixel(y[yBottom] & 0xFF, (3 * lU + tlU + 2) >> 2, (3 * lV + tlV + 2) >> 2, out, o2);
        }
        int lastPair = (w - 1) >> 1;
        for (int x = 1; x <= lastPair; x++) {
            int tU = u[cTop + x] & 0xFF;
            int tV = v[cTop + x] & 0xFF;
            int cU = u[cCur + x] & 0xFF;
            int cV = v[cCur + x] & 0xFF;
            int avgU = tlU + tU + lU + cU + 8;
            int avgV = tlV + tV + lV + cV + 8;
            int d12U = (avgU + 2 * (tU + lU)) >> 3;
            int d03U = (avgU + 2 * (tlU + cU)) >> 3;
            int d12V = (avgV + 2 * (tV + lV)) >> 3;
            int d03V = (avgV + 2 * (tlV + cV)) >> 3;
            int p = (2 * x - 1) * bpp;
            pixel(y[yTop + 2 * x - 1] & 0xFF, (d12U + tlU) >> 1, (d12V + tlV) >> 1, out, o + p);
            pixel(y[yTop + 2 * x] & 0xFF, (d03U + tU) >> 1, (d03V + tV) >> 1, out, o + p + bpp);
            if (bottom) {
                pixel(y[yBottom + 2 * x - 1] & 0xFF, (d03U + lU) >> 1, (d03V + lV) >> 1, out, o2 + p);
                pixel(y[yBottom + 2 * x] & 0xFF, (d12U + cU) >> 1, (d12V + cV) >> 1, out, o2 + p + bpp);
            }
            tlU = tU;
            tlV = tV;
            lU = cU;
            lV = cV;
        }
        if ((w & 1) == 0) {
            int p = (w - 1) * bpp;
            pixel(y[yTop + w - 1] & 0xFF, (3 * tlU + lU + 2) >> 2, (3 * tlV + lV + 2) >> 2, out, o + p);
            if (bottom) {
                pixel(y[yBottom + w - 1] & 0xFF, (3 * lU + tlU + 2) >> 2, (3 * lV + tlV + 2) >> 2, out, o2 + p);
            }
        }
    }

    /** {@code VP8YuvToRgb}. */
    private static void pixel(int yy, int uu, int vv, byte[] out, int o) {
        int luma = (yy * 19077) >> 8;
        out[o] = clip(luma + ((vv * 26149) >> 8) - 14234);
        out[o + 1] = clip(luma - ((uu * 6419) >> 8) - ((vv * 13320) >> 8) + 8708);
        out[o + 2] = clip(luma + ((uu * 33050) >> 8) - 17685);
    }

    private static byte clip(int v) {
        return (byte) ((v & ~16383) == 0 ? v >> 6 : v < 0 ? 0 : 255);
    }
}
