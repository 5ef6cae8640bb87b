package io.clip4j.image.jpeg;

import io.clip4j.image.DecodedImage;
import io.clip4j.image.ImageDecodeException;
import io.clip4j.image.PixelMode;

import java.util.Arrays;

/**
 * Turns decoded coefficients into pixels in libjpeg's order: inverse DCT of every component into a
 * sample plane, then row by row upsampling to full resolution and colour conversion.
 */
final class PixelAssembler {
    private PixelAssembler() {
    }

    /**
     * @param f           the frame with every component's decoded coefficients (released as they are used)
     * @param space       how to interpret the components
     * @param orientation EXIF orientation to attach, 1..8
     * @return the pixels in Pillow's mode for the component count
     */
    static DecodedImage assemble(Frame f, ColorConverter.Space space, int orientation) {
        int n = f.components.length;
        int w = f.width;
        int h = f.height;
        PixelMode mode = n == 1 ? PixelMode.L : n == 3 ? PixelMode.RGB : PixelMode.CMYK;
        long samples = (long) w * h * mode.channels();
        if (samples > Integer.MAX_VALUE - 16) {
            throw new ImageDecodeException("JPEG: image of " + w + "x" + h + " is too large for this decoder");
        }
        Idct idct = new Idct();
        Upsampler[] ups = new Upsampler[n];
        byte[][] rows = new byte[n][];
        for (int ci = 0; ci < n; ci++) {
            Component c = f.components[ci];
            int stride = c.blocksWide * 8;
            byte[] plane = new byte[stride * c.blocksHigh * 8];
            short[] coef = c.coefficients;
            if (coef == null) {
                // Never in any scan: libjpeg's IDCT of its zeroed coefficients gives mid-gray.
                Arrays.fill(plane, (byte) 128);
            } else {
                for (int by = 0; by < c.blocksHigh; by++) {
                    for (int bx = 0; bx < c.blocksWide; bx++) {
                        idct.transform(coef, (by * c.blocksPerLine + bx) * 64, c.quant, plane,
                                by * 8 * stride + bx * 8, stride);
                    }
                }
            }
            c.coefficients = null;
            ups[ci] = new Upsampler(c, plane, stride, f.hmax, f.vmax, w);
            rows[ci] = new byte[Math.max(w, c.sampleWidth * (f.hmax / c.h))];
        }
        byte[] out = new byte[(int) samples];
        int rowSamples = w * mode.channels();
        for (int y = 0; y < h; y++) {
            for (int ci = 0; ci < n; ci++) {
                ups[ci].row(y, rows[ci]);
            }
            ColorConverter.convertRow(space, rows, w, out, y * rowSamples);
        }
        return DecodedImage.ofBytes(w, h, mode, out, false, orientation);
    }
}
