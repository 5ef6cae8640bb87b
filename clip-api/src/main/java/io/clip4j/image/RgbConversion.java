package io.clip4j.image;

/** Pillow 9.4's {@code convert("RGB")} from each supported mode (libImaging/Convert.c). */
final class RgbConversion {
    private RgbConversion() {
    }

    /**
     * @param src  interleaved samples of {@code mode} (palette/1-bit sources arrive already expanded)
     * @return interleaved RGB, 3 bytes per pixel
     */
    static byte[] fromBytes(byte[] src, PixelMode mode) {
        int c = mode.channels();
        int pixels = src.length / c;
        if (mode == PixelMode.RGB) {
            return src;
        }
        byte[] out = new byte[pixels * 3];
        switch (mode) {
            case L, LA -> { // LA: alpha dropped
                for (int p = 0, s = 0, d = 0; p < pixels; p++, s += c, d += 3) {
                    byte v = src[s];
                    out[d] = v;
                    out[d + 1] = v;
                    out[d + 2] = v;
                }
            }
            case RGBA -> {
                for (int p = 0, s = 0, d = 0; p < pixels; p++, s += 4, d += 3) {
                    out[d] = src[s];
                    out[d + 1] = src[s + 1];
                    out[d + 2] = src[s + 2];
                }
            }
            case CMYK -> { // cmyk2rgb: nk = 255 - K, R = nk - MULDIV255(C, nk), clamped
                for (int p = 0, s = 0, d = 0; p < pixels; p++, s += 4, d += 3) {
                    int nk = 255 - (src[s + 3] & 0xFF);
                    out[d] = clip(nk - PillowResample.muldiv255(src[s] & 0xFF, nk));
                    out[d + 1] = clip(nk - PillowResample.muldiv255(src[s + 1] & 0xFF, nk));
                    out[d + 2] = clip(nk - PillowResample.muldiv255(src[s + 2] & 0xFF, nk));
                }
            }
            default -> throw new IllegalStateException("not an 8-bit mode: " + mode);
        }
        return out;
    }

    /** Mode {@code I} to RGB: each value clamped to [0, 255], no scaling (Pillow's {@code i2rgb}). */
    static byte[] fromInt(int[] src) {
        byte[] out = new byte[src.length * 3];
        for (int p = 0, d = 0; p < src.length; p++, d += 3) {
            byte v = clip(src[p]);
            out[d] = v;
            out[d + 1] = v;
            out[d + 2] = v;
        }
        return out;
    }

    private static byte clip(int v) {
        return (byte) (v <= 0 ? 0 : Math.min(v, 255));
    }
}
