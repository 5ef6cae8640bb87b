package io.clip4j.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;

/**
 * Bridge from {@link BufferedImage} (desktop Java only; the core preprocessing classes never touch
 * java.awt so they load on Android). Kept separate so nothing else links against java.awt.
 */
@DesktopOnly
public final class AwtImages {
    private AwtImages() {
    }

    /**
     * Converts a {@code BufferedImage} to pixels the preprocessor understands.
     *
     * <p>Gray images and 16-bit images with one sample per channel (what {@code ImageIO} reads from such PNGs: {@code
     * TYPE_BYTE_GRAY}, {@code TYPE_USHORT_GRAY}, gray with alpha, 16-bit RGB(A)) are read from their samples as
     * Pillow 9.4 reads the PNG: 8-bit gray as mode L (LA with alpha), 16-bit gray as mode I with the raw values
     * (which {@code convert("RGB")} clips at 255, as in the reference), 16-bit gray with alpha and 16-bit RGB(A) as
     * RGB(A) of each sample's high byte. 8-bit CMYK images (what {@code ImageIO} reads from a CMYK JPEG) are read from
     * their samples as mode CMYK, which {@code convert("RGB")} turns into RGB without colour management, as Pillow
     * does. Everything else is read through {@link BufferedImage#getRGB}, i.e.
     * converted to sRGB with straight alpha: mode RGBA when the image has alpha, else RGB. Indexed images
     * ({@code TYPE_BYTE_INDEXED}, {@code TYPE_BYTE_BINARY}) are marked {@link DecodedImage#nearestOnly()} like
     * Pillow's palette images.
     *
     * @param image the image, width and height &gt; 0
     * @return the decoded image (orientation 1)
     * @throws NullPointerException if {@code image} is null
     * @throws ImageDecodeException if the image is empty or too large for one array
     */
    public static DecodedImage toDecodedImage(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        if (w <= 0 || h <= 0) {
            throw new ImageDecodeException("BufferedImage: zero-sized image (" + w + "x" + h + ")");
        }
        if ((long) w * h * 4 > Integer.MAX_VALUE - 8) {
            throw new ImageDecodeException("BufferedImage: " + w + "x" + h + " is too large");
        }
        DecodedImage samples = fromSamples(image, w, h);
        if (samples != null) {
            return samples;
        }
        boolean alpha = image.getColorModel().hasAlpha();
        boolean indexed = image.getType() == BufferedImage.TYPE_BYTE_INDEXED
                || image.getType() == BufferedImage.TYPE_BYTE_BINARY;
        int c = alpha ? 4 : 3;
        byte[] out = new byte[w * h * c];
        int[] argb = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, argb, 0, w);
            for (int x = 0, d = y * w * c; x < w; x++, d += c) {
                int p = argb[x];
                out[d] = (byte) (p >> 16);
                out[d + 1] = (byte) (p >> 8);
                out[d + 2] = (byte) p;
                if (alpha) {
                    out[d + 3] = (byte) (p >>> 24);
                }
            }
        }
        return DecodedImage.ofBytes(w, h, alpha ? PixelMode.RGBA : PixelMode.RGB, out, indexed, 1);
    }

    /**
     * Gray, 16-bit and CMYK component images from their raw samples, or null for any other image. getRGB treats gray
     * as linear light and brightens it (16-bit gray 32768 became 188, where Pillow keeps 32768), scales 16 bits to
     * 8 with rounding where Pillow keeps the high byte, and converts CMYK through its ICC profile (a CMYK JPEG read
     * by ImageIO came out up to 1.13 from the reference pixel_values, where its samples as mode CMYK match exactly).
     */
    private static DecodedImage fromSamples(BufferedImage image, int w, int h) {
        ColorModel cm = image.getColorModel();
        if (!(cm instanceof ComponentColorModel) || cm.isAlphaPremultiplied()) {
            return null;
        }
        ColorSpace cs = cm.getColorSpace();
        boolean gray = cs == ColorSpace.getInstance(ColorSpace.CS_GRAY);
        int transfer = cm.getTransferType();
        boolean wide = transfer == DataBuffer.TYPE_USHORT;
        boolean cmyk = cs.getType() == ColorSpace.TYPE_CMYK && cm.getNumComponents() == 4 && !wide;
        if (!gray && !cmyk && !(cs.isCS_sRGB() && wide) || !wide && transfer != DataBuffer.TYPE_BYTE) {
            return null; // 8-bit sRGB needs no conversion: getRGB gives its samples unchanged
        }
        for (int bits : cm.getComponentSize()) {
            if (bits != (wide ? 16 : 8)) {
                return null;
            }
        }
        Raster r = image.getRaster();
        int bands = r.getNumBands();
        boolean alpha = cm.hasAlpha();
        int[] row = new int[w * bands];
        if (gray && wide && !alpha) { // Pillow's mode I for a 16-bit gray PNG
            int[] v = new int[w * h];
            for (int y = 0; y < h; y++) {
                r.getPixels(0, y, w, 1, row);
                System.arraycopy(row, 0, v, y * w, w);
            }
            return DecodedImage.ofInts(w, h, v, 1);
        }
        // 8-bit gray stays L/LA; 16-bit gray+alpha (Pillow's LA;16B) and RGB(A) become RGB(A) of the high bytes.
        PixelMode mode = cmyk ? PixelMode.CMYK
                : gray && !wide ? (alpha ? PixelMode.LA : PixelMode.L) : (alpha ? PixelMode.RGBA : PixelMode.RGB);
        int c = mode.channels();
        int shift = wide ? 8 : 0;
        byte[] out = new byte[w * h * c];
        for (int y = 0; y < h; y++) {
            r.getPixels(0, y, w, 1, row);
            for (int x = 0, s = 0, d = y * w * c; x < w; x++, s += bands, d += c) {
                for (int k = 0; k < c; k++) {
                    // Gray+alpha widened to RGBA repeats the gray sample (band 0) for R, G and B.
                    int band = gray && c == 4 ? (k < 3 ? 0 : 1) : k;
                    out[d + k] = (byte) (row[s + band] >> shift);
                }
            }
        }
        return DecodedImage.ofBytes(w, h, mode, out, false, 1);
    }
}
