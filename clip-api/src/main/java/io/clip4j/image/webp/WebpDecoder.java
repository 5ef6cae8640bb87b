package io.clip4j.image.webp;

import io.clip4j.image.DecodedImage;
import io.clip4j.image.ImageDecodeException;
import io.clip4j.image.ImageDecoder;
import io.clip4j.image.PixelMode;

/**
 * Pure-Java WebP decoder (no native code, usable on Android) that reproduces what Pillow 9.4 gets from libwebp
 * 1.2.4 through {@code WebPAnimDecoder}: lossy ('VP8 ', with libwebp's fancy chroma upsampling and fixed-point
 * YUV-&gt;RGB), lossy with an 'ALPH' alpha plane (raw or lossless-compressed, with its prediction filters), and
 * lossless ('VP8L') images; for an animation, its first frame drawn on a canvas cleared to transparent black, as
 * Pillow shows it.
 *
 * <p>The mode follows Pillow: {@link PixelMode#RGBA} when the file says it has alpha (the 'VP8X' alpha flag, or a
 * simple lossless file's alpha bit), else {@link PixelMode#RGB}. The EXIF Orientation of an 'EXIF' chunk is
 * reported in {@link DecodedImage#exifOrientation()}; pixels are never rotated. The container is checked like
 * libwebp's demuxer checks it: a file shorter than its RIFF size (a cut download) is an error, as it is in Pillow.
 * Thread-safe (stateless).
 */
public final class WebpDecoder implements ImageDecoder {

    /** Creates the decoder (it holds no state). */
    public WebpDecoder() {
    }

    /** @return true if the header starts with {@code RIFF????WEBP} */
    @Override
    public boolean canDecode(byte[] header) {
        return header != null && header.length >= 12 && header[0] == 'R' && header[1] == 'I' && header[2] == 'F'
                && header[3] == 'F' && header[8] == 'W' && header[9] == 'E' && header[10] == 'B' && header[11] == 'P';
    }

    /**
     * Decodes a whole WebP file (its first frame).
     *
     * @param file      the WebP file's bytes
     * @param maxPixels largest accepted canvas {@code width * height}, checked before pixel memory is allocated
     * @return {@code RGB} or {@code RGBA} pixels (alpha not premultiplied), row-major interleaved, with the EXIF
     *         orientation
     * @throws ImageDecodeException if the file is not a WebP file, is truncated or corrupt (container or
     *                              bitstream), or its canvas has more than {@code maxPixels} pixels
     */
    @Override
    public DecodedImage decode(byte[] file, long maxPixels) {
        if (file == null) {
            throw new ImageDecodeException("WebP: no data (null byte array)");
        }
        try {
            return read(file, maxPixels);
        } catch (ImageDecodeException e) {
            throw e;
        } catch (RuntimeException e) {
            // Safety net: an inconsistency the explicit checks missed is still corrupt input.
            throw new ImageDecodeException("WebP: corrupt file (" + e + ")", e);
        }
    }

    private static DecodedImage read(byte[] file, long maxPixels) {
        WebpContainer c = WebpContainer.parse(file);
        int cw = c.canvasWidth();
        int ch = c.canvasHeight();
        if ((long) cw * ch > maxPixels) {
            throw new ImageDecodeException("WebP: image too large (" + cw + "x" + ch + " = " + (long) cw * ch
                    + " pixels, limit " + maxPixels + ")");
        }
        boolean alpha = c.hasAlpha();
        int channels = alpha ? 4 : 3;
        byte[] canvas = new byte[cw * ch * channels];
        WebpContainer.Frame f = c.firstFrame();
        if (f.width != cw || f.height != ch) {
            byte[] frame = FrameDecoder.decode(file, f, channels, maxPixels);
            for (int y = 0; y < f.height; y++) {
                System.arraycopy(frame, y * f.width * channels, canvas, ((f.yOffset + y) * cw + f.xOffset) * channels,
                        f.width * channels);
            }
        } else {
            canvas = FrameDecoder.decode(file, f, channels, maxPixels);
        }
        return DecodedImage.ofBytes(cw, ch, alpha ? PixelMode.RGBA : PixelMode.RGB, canvas, false,
                c.exifOrientation());
    }

    /** @return {@code "webp (java)"} */
    @Override
    public String name() {
        return "webp (java)";
    }
}
