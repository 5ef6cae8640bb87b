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
        byte[] y = frame.y();
        byte[] u = frame.u();
        byte[] v = frame.v();
        // Chroma of one output row, upsampled horizontally and vertically (per pixel).
        int[] rowU = new int[w];
        int[] rowV = new int[w];
        for (int row = 0; row < h; row++) {
            // Output row 2k-1 and 2k lie between chroma rows k-1 and k; the first row and an even-height last
            // row only see their own chroma row.
            int near; // the nearer chroma row, weighted 3
            int far;
            if (row == 0) {
                near = 0;
                far = 0;
            } else if ((row & 1) == 1) {
                near = (row - 1) >> 1;
                far = near + 1;
                if (row == h - 1) {
                    far = near; // last row of an even height
                }
            } else {
                near = row >> 1;
                far = near - 1;
            }
            upsampleRow(u, near * cw, far * cw, w, rowU);
            upsampleRow(v, near * cw, far * cw, w, rowV);
            int yo = row * w;
            int o = row * rowBytes;
            for (int x = 0; x < w; x++, o += bytesPerPixel) {
                int yy = y[yo + x] & 0xFF;
                int uu = rowU[x];
                int vv = rowV[x];
                int luma = multHi(yy, 19077);
                out[o] = clip(luma + multHi(vv, 26149) - 14234);
                out[o + 1] = clip(luma - multHi(uu, 6419) - multHi(vv, 13320) + 8708);
                out[o + 2] = clip(luma + multHi(uu, 33050) - 17685);
            }
        }
    }

    /**
     * Upsamples one chroma row pair to the chroma of one output row: per output pixel, the chroma rows
     * {@code near} (weight 3) and {@code far} (weight 1), horizontally interpolated the same way.
     */
    private static void upsampleRow(byte[] c, int near, int far, int w, int[] out) {
        // Left edge: the vertical mix of the first chroma column.
        int tl = c[near] & 0xFF; // libwebp's "top-left" = nearer row, previous column
        int l = c[far] & 0xFF;
        out[0] = (3 * tl + l + 2) >> 2;
        int lastPair = (w - 1) >> 1;
        for (int x = 1; x <= lastPair; x++) {
            int t = c[near + x] & 0xFF;
            int cur = c[far + x] & 0xFF;
            int avg = tl + t + l + cur + 8;
            int diag12 = (avg + 2 * (t + l)) >> 3;
            int diag03 = (avg + 2 * (tl + cur)) >> 3;
            out[2 * x - 1] = (diag12 + tl) >> 1;
            out[2 * x] = (diag03 + t) >> 1;
            tl = t;
            l = cur;
        }
        if ((w & 1) == 0) {
            out[w - 1] = (3 * tl + l + 2) >> 2;
        }
    }

    private static int multHi(int v, int coeff) {
        return (v * coeff) >> 8;
    }

    private static byte clip(int v) {
        return (byte) ((v & ~16383) == 0 ? v >> 6 : v < 0 ? 0 : 255);
    }
}
