package io.clip4j.image.tiff;

import io.clip4j.image.DecodedImage;
import io.clip4j.image.PixelMode;

/**
 * Turns stored samples into what Pillow holds, with Pillow's unpackers: bilevel and palette images are
 * expanded (to L 0/255 and to RGB) and flagged nearest-only, 2/4-bit grey is scaled, WhiteIsZero is
 * inverted, associated alpha is un-premultiplied and padding samples are dropped.
 */
final class TiffPixels {
    private TiffPixels() {
    }

    /**
     * @param stored the buffer from {@link TiffChunks#read}
     * @param l      the layout
     * @return the image in Pillow's mode (see {@link DecodedImage})
     */
    static DecodedImage toImage(byte[] stored, TiffLayout l) {
        int w = l.width;
        int h = l.height;
        byte[] s = l.planar ? interleave(stored, l) : stored;
        int rowBytes = l.planar ? w * l.samples : l.rowBytes();
        byte[] out;
        PixelMode mode;
        boolean nearest = false;
        switch (l.kind) {
            case BILEVEL, GRAY -> {
                out = new byte[w * h];
                int max = (1 << l.bits) - 1;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int v = sample(s, y * rowBytes, x, l.bits) * 255 / max; // Pillow: v * 0x55, v * 0x11
                        out[y * w + x] = (byte) (l.invert ? 255 - v : v);
                    }
                }
                mode = PixelMode.L;
                nearest = l.kind == TiffLayout.Kind.BILEVEL;
            }
            case PALETTE -> {
                out = new byte[w * h * 3];
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        System.arraycopy(l.palette, 3 * sample(s, y * rowBytes, x, l.bits), out, 3 * (y * w + x), 3);
                    }
                }
                mode = PixelMode.RGB;
                nearest = true;
            }
            case GRAY_ALPHA -> {
                out = copy(s, w * h, l.samples, 2);
                mode = PixelMode.LA;
            }
            case RGB, RGBX -> { // RGBX: Pillow's fourth band is padding, dropped by convert("RGB")
                out = copy(s, w * h, l.samples, 3);
                mode = PixelMode.RGB;
            }
            case RGBA -> {
                out = copy(s, w * h, l.samples, 4);
                mode = PixelMode.RGBA;
            }
            default -> { // RGBA_ASSOCIATED
                out = copy(s, w * h, l.samples, 4);
                unpremultiply(out);
                mode = PixelMode.RGBA;
            }
        }
        return DecodedImage.ofBytes(w, h, mode, out, nearest, l.orientation);
    }

    /** Pillow's {@code unpackRGBa}: alpha 0 gives all zeros, otherwise {@code min(255, c * 255 / a)}. */
    private static void unpremultiply(byte[] rgba) {
        for (int i = 0; i < rgba.length; i += 4) {
            int a = rgba[i + 3] & 0xFF;
            if (a == 0) {
                rgba[i] = rgba[i + 1] = rgba[i + 2] = 0;
            } else if (a != 255) {
                for (int c = i; c < i + 3; c++) {
                    rgba[c] = (byte) Math.min(255, (rgba[c] & 0xFF) * 255 / a);
                }
            }
        }
    }

    private static int sample(byte[] s, int row, int x, int bits) {
        if (bits == 8) {
            return s[row + x] & 0xFF;
        }
        int bit = x * bits;
        return ((s[row + (bit >> 3)] & 0xFF) >> (8 - bits - (bit & 7))) & ((1 << bits) - 1);
    }

    private static byte[] copy(byte[] s, int pixels, int stored, int kept) {
        if (stored == kept) {
            return s.length == pixels * kept ? s : java.util.Arrays.copyOf(s, pixels * kept);
        }
        byte[] out = new byte[pixels * kept];
        for (int p = 0; p < pixels; p++) {
            System.arraycopy(s, p * stored, out, p * kept, kept);
        }
        return out;
    }

    /** Planar (one plane per sample, 8-bit) to interleaved samples. */
    private static byte[] interleave(byte[] planes, TiffLayout l) {
        int n = l.width * l.height;
        int c = l.samples;
        byte[] out = new byte[n * c];
        for (int k = 0; k < c; k++) {
            for (int i = 0; i < n; i++) {
                out[i * c + k] = planes[k * n + i];
            }
        }
        return out;
    }
}
