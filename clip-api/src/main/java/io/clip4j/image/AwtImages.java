package io.clip4j.image;

import java.awt.image.BufferedImage;
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
     * <p>{@code TYPE_BYTE_GRAY} is read from its raster unchanged (mode L). Everything else is read
     * through {@link BufferedImage#getRGB}, i.e. converted to sRGB with straight alpha: mode RGBA when the
     * image has alpha, else RGB. Indexed images ({@code TYPE_BYTE_INDEXED}, {@code TYPE_BYTE_BINARY}) are
     * marked {@link DecodedImage#nearestOnly()} like Pillow's palette images.
     *
     * @param image the image, width and height &gt; 0
     * @return the decoded image (orientation 1)
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
        if (image.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            Raster r = image.getRaster();
            byte[] l = new byte[w * h];
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    l[y * w + x] = (byte) row[x];
                }
            }
            return DecodedImage.ofBytes(w, h, PixelMode.L, l, false, 1);
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
}
