package io.clip4j.image.jpeg;

/**
 * Converts rows of full-resolution component samples to Pillow's pixel layout, with libjpeg's
 * fixed-point tables ({@code jdcolor.c}, {@code build_ycc_rgb_table}: 16 fraction bits, rounding
 * folded into the tables, results clamped to 0..255 like {@code sample_range_limit}).
 */
final class ColorConverter {
    /** How the components of the file are to be interpreted (libjpeg's {@code jpeg_color_space}). */
    enum Space { GRAY, YCBCR, RGB, CMYK, YCCK }

    private static final int SCALEBITS = 16;
    private static final int ONE_HALF = 1 << (SCALEBITS - 1);
    private static final int[] CR_R = new int[256];
    private static final int[] CB_B = new int[256];
    private static final int[] CR_G = new int[256];
    private static final int[] CB_G = new int[256];
    /** clamp(x) = CLAMP[x + 256] for x in [-256, 511]. */
    private static final byte[] CLAMP = new byte[768];

    static {
        for (int i = 0; i < 256; i++) {
            int x = i - 128;
            CR_R[i] = (fix(1.40200) * x + ONE_HALF) >> SCALEBITS;
            CB_B[i] = (fix(1.77200) * x + ONE_HALF) >> SCALEBITS;
            CR_G[i] = -fix(0.71414) * x;
            CB_G[i] = -fix(0.34414) * x + ONE_HALF;
        }
        for (int i = 0; i < 768; i++) {
            CLAMP[i] = (byte) Math.max(0, Math.min(255, i - 256));
        }
    }

    private ColorConverter() {
    }

    private static int fix(double x) {
        return (int) (x * (1L << SCALEBITS) + 0.5);
    }

    /**
     * Converts one output row.
     *
     * @param space  colour space of the components
     * @param rows   one row per component, at least {@code width} samples each
     * @param width  pixels in the row
     * @param out    destination, interleaved; {@code channels} samples per pixel
     * @param outOff index of the row's first sample in {@code out}
     */
    static void convertRow(Space space, byte[][] rows, int width, byte[] out, int outOff) {
        switch (space) {
            case GRAY:
                System.arraycopy(rows[0], 0, out, outOff, width);
                break;
            case YCBCR:
                ycc(rows[0], rows[1], rows[2], width, out, outOff);
                break;
            case RGB:
                interleave3(rows[0], rows[1], rows[2], width, out, outOff);
                break;
            case CMYK:
                cmykInverted(rows, width, out, outOff);
                break;
            default:
                ycckInverted(rows, width, out, outOff);
                break;
        }
    }

    private static void ycc(byte[] yr, byte[] cbr, byte[] crr, int width, byte[] out, int o) {
        final byte[] clamp = CLAMP;
        for (int x = 0; x < width; x++, o += 3) {
            int y = (yr[x] & 0xFF) + 256;
            int cb = cbr[x] & 0xFF;
            int cr = crr[x] & 0xFF;
            out[o] = clamp[y + CR_R[cr]];
            out[o + 1] = clamp[y + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS)];
            out[o + 2] = clamp[y + CB_B[cb]];
        }
    }

    private static void interleave3(byte[] a, byte[] b, byte[] c, int width, byte[] out, int o) {
        for (int x = 0; x < width; x++, o += 3) {
            out[o] = a[x];
            out[o + 1] = b[x];
            out[o + 2] = c[x];
        }
    }

    /** Pillow reads 4-component JPEGs with rawmode "CMYK;I": every sample is inverted (Adobe convention). */
    private static void cmykInverted(byte[][] rows, int width, byte[] out, int o) {
        byte[] c = rows[0];
        byte[] m = rows[1];
        byte[] y = rows[2];
        byte[] k = rows[3];
        for (int x = 0; x < width; x++, o += 4) {
            out[o] = (byte) ~c[x];
            out[o + 1] = (byte) ~m[x];
            out[o + 2] = (byte) ~y[x];
            out[o + 3] = (byte) ~k[x];
        }
    }

    /** libjpeg's ycck_cmyk_convert (C = 255 - R of the YCC->RGB formula, K unchanged), then Pillow's inversion. */
    private static void ycckInverted(byte[][] rows, int width, byte[] out, int o) {
        final byte[] clamp = CLAMP;
        byte[] yr = rows[0];
        byte[] cbr = rows[1];
        byte[] crr = rows[2];
        byte[] k = rows[3];
        for (int x = 0; x < width; x++, o += 4) {
            int y = yr[x] & 0xFF;
            int cb = cbr[x] & 0xFF;
            int cr = crr[x] & 0xFF;
            out[o] = (byte) ~clamp[256 + 255 - (y + CR_R[cr])];
            out[o + 1] = (byte) ~clamp[256 + 255 - (y + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS))];
            out[o + 2] = (byte) ~clamp[256 + 255 - (y + CB_B[cb])];
            out[o + 3] = (byte) ~k[x];
        }
    }
}
