package io.clip4j.image.webp;

import io.clip4j.image.ImageDecodeException;

/**
 * Decodes one frame's bitstream ('VP8 ' with its optional 'ALPH', or 'VP8L') into interleaved RGB or RGBA, as
 * libwebp's {@code WebPDecode} writes {@code MODE_RGBA} (alpha not premultiplied; 255 where there is no alpha).
 */
final class FrameDecoder {
    private FrameDecoder() {
    }

    /**
     * @param file      the WebP file
     * @param f         the frame's chunks, checked by {@link WebpContainer}
     * @param channels  3 (RGB, alpha dropped as Pillow's RGBX raw mode drops it) or 4 (RGBA)
     * @param maxPixels the pixel limit, passed to the bitstream decoders
     * @return {@code f.width * f.height * channels} bytes, row-major
     * @throws ImageDecodeException on a corrupt or truncated bitstream
     */
    static byte[] decode(byte[] file, WebpContainer.Frame f, int channels, long maxPixels) {
        int n = f.width * f.height;
        // The output is allocated only once the bitstream has decoded: a damaged header fails without it.
        if (f.lossless) {
            Vp8lImage img = Vp8lDecoder.decode(file, f.imageOffset, (int) f.imageLength, maxPixels);
            int[] argb = img.argb();
            byte[] out = new byte[n * channels];
            for (int i = 0, o = 0; i < n; i++, o += channels) {
                int p = argb[i];
                out[o] = (byte) (p >> 16);
                out[o + 1] = (byte) (p >> 8);
                out[o + 2] = (byte) p;
                if (channels == 4) {
                    out[o + 3] = (byte) (p >>> 24);
                }
            }
            return out;
        }
        Vp8Frame frame = Vp8Decoder.decode(file, f.imageOffset, (int) f.imageLength, maxPixels);
        byte[] out = new byte[n * channels];
        YuvConverter.toRgb(frame, out, channels);
        if (channels == 4) {
            if (f.alphaOffset >= 0) {
                byte[] a = AlphaDecoder.decode(file, f.alphaOffset, (int) f.alphaLength, f.width, f.height);
                for (int i = 0; i < n; i++) {
                    out[i * 4 + 3] = a[i];
                }
            } else {
                for (int i = 0; i < n; i++) {
                    out[i * 4 + 3] = (byte) 0xFF;
                }
            }
        } else if (f.alphaOffset >= 0) {
            // Pillow drops the alpha, but libwebp still decodes it: a corrupt 'ALPH' chunk fails the frame.
            AlphaDecoder.decode(file, f.alphaOffset, (int) f.alphaLength, f.width, f.height);
        }
        return out;
    }

}
