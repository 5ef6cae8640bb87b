package io.clip4j.image;

/**
 * The pixel arithmetic of CLIP's {@code _transform(n)}: {@code Resize(n, BICUBIC)} in the image's own
 * mode, {@code CenterCrop(n)}, {@code convert("RGB")}, then {@code ToTensor()} + {@code Normalize}.
 */
final class ClipTransform {
    private ClipTransform() {
    }

    /**
     * Resize + centre crop + convert("RGB") of an image as decoded (no EXIF handling here); with {@code squash},
     * open_clip's {@code resize_mode='squash'}: {@code Resize((n, n))}, both sides to n, no crop.
     *
     * @return uint8 {@code [n, n, 3]} HWC RGB
     */
    static byte[] resizeCropRgb(DecodedImage img, int n, boolean squash) {
        int w = img.width();
        int h = img.height();
        // Resize(n) and CenterCrop(n) read the size Image.open reports before loading: for a TIFF turned on load
        // (Orientation 5..8) the stored one, so the resize squashes the turned pixels into the stored aspect.
        int ow = img.openedWidth();
        int oh = img.openedHeight();
        // Squash is the same resampling to an n x n "resized" image whose crop window is all of it.
        ClipGeometry g = squash ? new ClipGeometry(n, n, 0, 0, n) : ClipGeometry.of(ow, oh, n);
        PixelMode mode = img.mode();
        if (!squash && (ow != w || oh != h) && g.resizedWidth() == ow && g.resizedHeight() == oh) {
            // The stored short side is already n: Resize returns the image unloaded, and CenterCrop's box, placed
            // by the stored size, is cut from the turned pixels, zero where it leaves them (Pillow's crop). A
            // palette source would show palette entry 0 there; it is stored expanded, so it shows black.
            return mode == PixelMode.I
                    ? RgbConversion.fromInt(cropZeroFilled(img.intData(), new int[n * n], w, h, 1, g.left(), g.top(),
                    n))
                    : RgbConversion.fromBytes(cropZeroFilled(img.data(), new byte[n * n * mode.channels()], w, h,
                    mode.channels(), g.left(), g.top(), n), mode);
        }
        if (mode == PixelMode.I) {
            int[] v = PillowResample.bicubicInt(img.intData(), w, h, g.resizedWidth(), g.resizedHeight(),
                    g.left(), g.top(), n, n);
            return RgbConversion.fromInt(v);
        }
        int c = mode.channels();
        byte[] window;
        if (img.nearestOnly()) {
            window = PillowResample.nearest(img.data(), w, h, c, g.resizedWidth(), g.resizedHeight(),
                    g.left(), g.top(), n, n);
        } else if ((mode == PixelMode.RGBA || mode == PixelMode.LA)
                && (g.resizedWidth() != w || g.resizedHeight() != h)) {
            // Pillow resizes LA/RGBA premultiplied (La/RGBa) and converts back; no resize, no premultiply.
            window = PillowResample.bicubic8(img.data(), w, h, c, g.resizedWidth(), g.resizedHeight(),
                    g.left(), g.top(), n, n, true);
            PillowResample.unpremultiply(window, c);
        } else {
            window = PillowResample.bicubic8(img.data(), w, h, c, g.resizedWidth(), g.resizedHeight(),
                    g.left(), g.top(), n, n, false);
        }
        return RgbConversion.fromBytes(window, mode);
    }

    /**
     * Pillow's {@code crop} of an n x n box at (left, top) &ge; 0 into {@code out} (zeroed, {@code n * n * c} samples):
     * samples outside the image stay zero.
     *
     * @param src a {@code byte[]} or {@code int[]} of {@code w * h * c} samples
     * @param out an array of the same type
     * @return {@code out}
     */
    private static <A> A cropZeroFilled(A src, A out, int w, int h, int c, int left, int top, int n) {
        int cols = Math.max(0, Math.min(n, w - left));
        for (int y = 0; cols > 0 && y < n && top + y < h; y++) {
            System.arraycopy(src, ((top + y) * w + left) * c, out, y * n * c, cols * c);
        }
        return out;
    }

    /**
     * {@code ToTensor()} + {@code Normalize(mean, std)} in float32 exactly as torchvision computes it:
     * {@code ((float) u8 / 255f - mean[c]) / std[c]}, true float32 divisions.
     *
     * @param rgb    uint8 {@code [n, n, 3]} HWC
     * @param out    destination, CHW {@code [3, n, n]} written at {@code offset}
     */
    static void toTensor(byte[] rgb, int n, float[] mean, float[] std, float[] out, int offset) {
        int plane = n * n;
        // One lookup table per channel: 256 possible inputs, identical float ops to the direct formula.
        float[][] lut = new float[3][256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                float x = (float) v / 255.0f;
                lut[c][v] = (x - mean[c]) / std[c];
            }
        }
        float[] l0 = lut[0];
        float[] l1 = lut[1];
        float[] l2 = lut[2];
        for (int p = 0, s = 0; p < plane; p++, s += 3) {
            out[offset + p] = l0[rgb[s] & 0xFF];
            out[offset + plane + p] = l1[rgb[s + 1] & 0xFF];
            out[offset + 2 * plane + p] = l2[rgb[s + 2] & 0xFF];
        }
    }
}
