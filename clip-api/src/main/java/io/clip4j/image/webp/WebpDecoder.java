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
 * <p>The mode follows Pillow, which takes it from libwebp's {@code WebPGetFeatures}: {@link PixelMode#RGBA} when
 * that reports alpha (the 'VP8X' alpha flag, replaced by the lossless header's alpha bit for a 'VP8L' image, or an
 * 'ALPH' chunk before the image; for an animation, the flag alone), else {@link PixelMode#RGB}. The EXIF
 * Orientation of an 'EXIF' chunk is reported in {@link DecodedImage#exifOrientation()}; pixels are never rotated.
 * The file is checked as {@code WebPAnimDecoderNew} checks it ({@code WebPGetFeatures}, then the demuxer): a file
 * shorter than its RIFF size (a cut download) is an error, as it is in Pillow. The bitstream decoders follow
 * libwebp's 64-bit x86 build (its bit reader's 56-bit refills, its SSE2 inverse transform), which decides how
 * some damaged lossy data decodes.
 * Thread-safe (stateless).
 */
public final class WebpDecoder implements ImageDecoder {

    /** Creates the decoder (it holds no state). */
    public WebpDecoder() {
    }

    /** {@return true if the header starts with {@code RIFF????WEBP}} */
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
        if ((long) cw * ch * channels > Integer.MAX_VALUE - 8) {
            throw new ImageDecodeException("WebP: image too large for a Java array (" + cw + "x" + ch + ")");
        }
        WebpContainer.Frame f = c.firstFrame();
        // The frame is decoded before any canvas exists: a damaged header then fails without a canvas-sized
        // allocation (a 65-byte file may claim 89 million pixels), and a frame that fills the canvas is the canvas.
        byte[] canvas = FrameDecoder.decode(file, f, channels, maxPixels);
        if (f.width != cw || f.height != ch) {
            byte[] frame = canvas;
            canvas = new byte[cw * ch * channels];
            for (int y = 0; y < f.height; y++) {
                System.arraycopy(frame, y * f.width * channels, canvas, ((f.yOffset + y) * cw + f.xOffset) * channels,
                        f.width * channels);
            }
        }
        return DecodedImage.ofBytes(cw, ch, alpha ? PixelMode.RGBA : PixelMode.RGB, canvas, false,
                c.exifOrientation());
    }

    /** {@return the decoder's name, {@code "webp (java)"}} */
    @Override
    public String name() {
        return "webp (java)";
    }
}
