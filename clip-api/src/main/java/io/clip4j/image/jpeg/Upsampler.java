package io.clip4j.image.jpeg;

/**
 * Brings one component's sample plane to full image resolution, one output row at a time, choosing
 * the method exactly like libjpeg-turbo's {@code jinit_upsampler} (jdsample.c) with
 * {@code do_fancy_upsampling} on: "fancy" triangle filters for 2:1 horizontal (h2v1, when the
 * component is more than 2 samples wide), 2:1 vertical (h1v2) and 2:1 both ways (h2v2, also only when
 * more than 2 samples wide); plain replication for every other integral ratio. Rows above the first
 * and below the last sample row repeat the edge row, as libjpeg's context-row buffers do.
 */
final class Upsampler {
    private enum Method { FULL, H2V1_FANCY, H1V2_FANCY, H2V2_FANCY, REPLICATE }

    private final Method method;
    private final byte[] plane;
    private final int stride;
    private final int width;
    private final int height;
    private final int hExpand;
    private final int vExpand;
    private final int outWidth;
    /** Column sums of the h2v2 filter (3 * nearer row + further row). */
    private final int[] colsum;

    /**
     * @param c        the component (its sample size and sampling factors)
     * @param plane    its decoded samples
     * @param stride   plane row length
     * @param hmax     largest horizontal sampling factor of the frame
     * @param vmax     largest vertical sampling factor of the frame
     * @param outWidth image width
     */
    Upsampler(Component c, byte[] plane, int stride, int hmax, int vmax, int outWidth) {
        this.plane = plane;
        this.stride = stride;
        this.width = c.sampleWidth;
        this.height = c.sampleHeight;
        this.hExpand = hmax / c.h;
        this.vExpand = vmax / c.v;
        this.outWidth = outWidth;
        if (hExpand == 1 && vExpand == 1) {
            method = Method.FULL;
        } else if (hExpand == 2 && vExpand == 1 && width > 2) {
            method = Method.H2V1_FANCY;
        } else if (hExpand == 1 && vExpand == 2) {
            method = Method.H1V2_FANCY;
        } else if (hExpand == 2 && vExpand == 2 && width > 2) {
            method = Method.H2V2_FANCY;
        } else {
            method = Method.REPLICATE;
        }
        colsum = method == Method.H2V2_FANCY ? new int[width] : null;
    }

    /**
     * Writes output row {@code y} of this component.
     *
     * @param y   output row, 0..image height-1
     * @param out at least {@code max(image width, hExpand * sample width)} samples
     */
    void row(int y, byte[] out) {
        switch (method) {
            case FULL:
                System.arraycopy(plane, y * stride, out, 0, outWidth);
                break;
            case H2V1_FANCY:
                h2v1(y * stride, out);
                break;
            case H1V2_FANCY:
                h1v2(y, out);
                break;
            case H2V2_FANCY:
                h2v2(y, out);
                break;
            default:
                replicate(y, out);
                break;
        }
    }

    /** libjpeg's h2v1_fancy_upsample: output samples at 1/4 and 3/4 between input centres, alternating bias. */
    private void h2v1(int in, byte[] out) {
        final byte[] p = plane;
        int last = width - 1;
        int cur = p[in] & 0xFF;
        int next = p[in + 1] & 0xFF;
        out[0] = (byte) cur;
        out[1] = (byte) ((cur * 3 + next + 2) >> 2);
        int prev = cur;
        for (int i = 1; i < last; i++) {
            cur = next;
            next = p[in + i + 1] & 0xFF;
            int c3 = cur * 3;
            out[2 * i] = (byte) ((c3 + prev + 1) >> 2);
            out[2 * i + 1] = (byte) ((c3 + next + 2) >> 2);
            prev = cur;
        }
        cur = next;
        out[2 * last] = (byte) ((cur * 3 + prev + 1) >> 2);
        out[2 * last + 1] = (byte) cur;
    }

    /** libjpeg-turbo's h1v2_fancy_upsample: 3/4 nearer row + 1/4 further row, bias 1 above, 2 below. */
    private void h1v2(int y, byte[] out) {
        int inRow = y >> 1;
        boolean upper = (y & 1) == 0;
        int nb = upper ? Math.max(inRow - 1, 0) : Math.min(inRow + 1, height - 1);
        int bias = upper ? 1 : 2;
        int a = inRow * stride;
        int b = nb * stride;
        final byte[] p = plane;
        for (int x = 0; x < width; x++) {
            out[x] = (byte) (((p[a + x] & 0xFF) * 3 + (p[b + x] & 0xFF) + bias) >> 2);
        }
    }

    /** libjpeg's h2v2_fancy_upsample: vertical 3:1 column sums, then horizontal 3:1, biases 8 and 7. */
    private void h2v2(int y, byte[] out) {
        int inRow = y >> 1;
        int nb = (y & 1) == 0 ? Math.max(inRow - 1, 0) : Math.min(inRow + 1, height - 1);
        int a = inRow * stride;
        int b = nb * stride;
        final byte[] p = plane;
        final int[] cs = colsum;
        for (int x = 0; x < width; x++) {
            cs[x] = (p[a + x] & 0xFF) * 3 + (p[b + x] & 0xFF);
        }
        int last = width - 1;
        out[0] = (byte) ((cs[0] * 4 + 8) >> 4);
        out[1] = (byte) ((cs[0] * 3 + cs[1] + 7) >> 4);
        for (int i = 1; i < last; i++) {
            int c3 = cs[i] * 3;
            out[2 * i] = (byte) ((c3 + cs[i - 1] + 8) >> 4);
            out[2 * i + 1] = (byte) ((c3 + cs[i + 1] + 7) >> 4);
        }
        out[2 * last] = (byte) ((cs[last] * 3 + cs[last - 1] + 8) >> 4);
        out[2 * last + 1] = (byte) ((cs[last] * 4 + 7) >> 4);
    }

    /** libjpeg's int_upsample / h2v1_upsample / h2v2_upsample: box replication. */
    private void replicate(int y, byte[] out) {
        int in = (y / vExpand) * stride;
        int n = Math.min(width, Frame.ceilDiv(outWidth, hExpand));
        for (int x = 0, o = 0; x < n; x++) {
            byte v = plane[in + x];
            for (int k = 0; k < hExpand; k++) {
                out[o++] = v;
            }
        }
    }
}
