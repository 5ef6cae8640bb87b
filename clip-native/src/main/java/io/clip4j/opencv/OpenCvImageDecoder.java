package io.clip4j.opencv;

import io.clip4j.image.DecodedImage;
import io.clip4j.image.ImageDecodeException;
import io.clip4j.image.ImageDecoder;
import io.clip4j.image.PixelMode;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.bytedeco.opencv.global.opencv_core.CV_16U;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

/**
 * Decodes PNG, JPEG and WebP with OpenCV's codecs (libpng, libjpeg-turbo, libwebp, as Pillow uses),
 * returning the pixels in the mode Pillow's {@code Image.open} would give: PNG palette images as RGB
 * marked nearest-only, 16-bit grayscale as mode I with raw values, 16-bit colour reduced to the high
 * byte, gray+alpha as LA, transparency keys of RGB/gray PNGs ignored. Orientation is never applied
 * here (IMREAD_UNCHANGED); the EXIF tag is read separately.
 *
 * <p>CMYK JPEGs are declined ({@link #canDecode} is false): OpenCV converts them to BGR itself, while
 * Pillow resizes the CMYK samples first; the pure-Java decoder handles them. GIF and BMP are left to
 * the pure-Java decoders too (Pillow opens palette BMP/GIF in mode P, which resizes differently).
 *
 * <p>Thread-safe. Where OpenCV's natives cannot be loaded the decoder reports itself unavailable once
 * in the log and declines every file.
 */
public final class OpenCvImageDecoder implements ImageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(OpenCvImageDecoder.class);
    private static volatile Boolean available;

    /** Creates the decoder; OpenCV's natives are loaded on first use. */
    public OpenCvImageDecoder() {
    }

    /** @return true if OpenCV's natives load on this machine */
    public static boolean isAvailable() {
        Boolean a = available;
        if (a == null) {
            synchronized (OpenCvImageDecoder.class) {
                if (available == null) {
                    try {
                        org.bytedeco.javacpp.Loader.load(org.bytedeco.opencv.global.opencv_imgcodecs.class);
                        available = true;
                    } catch (Throwable t) {
                        LOG.info("OpenCV image decoding unavailable ({}); using the pure-Java decoders", t.toString());
                        available = false;
                    }
                }
                a = available;
            }
        }
        return a;
    }

    @Override
    public boolean canDecode(byte[] header) {
        ImageHeader h;
        try {
            h = ImageHeader.parse(header);
        } catch (ImageDecodeException e) {
            return false;
        }
        if (h == null || (h.format == ImageHeader.Format.JPEG && h.colorInfo == 4)) {
            return false;
        }
        return isAvailable();
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public String name() {
        return "opencv";
    }

    @Override
    public DecodedImage decode(byte[] file, long maxPixels) {
        ImageHeader h = ImageHeader.parse(file);
        if (h == null) {
            throw new ImageDecodeException("not a PNG, JPEG or WebP file");
        }
        if (h.width <= 0 || h.height <= 0) {
            throw new ImageDecodeException("image has zero size (" + h.width + "x" + h.height + ")");
        }
        if ((long) h.width * h.height > maxPixels) {
            throw new ImageDecodeException("image of " + h.width + "x" + h.height + " = " + ((long) h.width * h.height)
                    + " pixels exceeds the limit of " + maxPixels + " (possible decompression bomb)");
        }
        if (!isAvailable()) {
            throw new ImageDecodeException("OpenCV natives are not available");
        }
        int orientation = h.exifOrientation;
        try (BytePointer data = new BytePointer(file);
             Mat buf = new Mat(1, file.length, CV_8UC1, data);
             Mat m = imdecode(buf, IMREAD_UNCHANGED)) {
            if (m == null || m.empty()) {
                throw new ImageDecodeException(h.format + " data is truncated or corrupt");
            }
            if (m.cols() != h.width || m.rows() != h.height) {
                throw new ImageDecodeException("decoded size " + m.cols() + "x" + m.rows()
                        + " differs from the header's " + h.width + "x" + h.height);
            }
            return toPillowMode(m, h, orientation);
        }
    }

    private static DecodedImage toPillowMode(Mat m, ImageHeader h, int orientation) {
        int w = m.cols();
        int ht = m.rows();
        int ch = m.channels();
        int n = w * ht;
        int depth = m.depth();
        int[] samples = new int[n * ch];
        if (depth == CV_8U) {
            byte[] b = new byte[n * ch];
            m.data().get(b);
            for (int i = 0; i < b.length; i++) {
                samples[i] = b[i] & 0xff;
            }
        } else if (depth == CV_16U) {
            short[] s = new short[n * ch];
            new ShortPointer(m.data()).get(s);
            for (int i = 0; i < s.length; i++) {
                samples[i] = s[i] & 0xffff;
            }
        } else {
            throw new ImageDecodeException("unsupported decoded depth " + depth);
        }
        boolean sixteen = depth == CV_16U;
        boolean png = h.format == ImageHeader.Format.PNG;
        if (png && h.colorInfo == 0 && sixteen) {
            // Pillow opens 16-bit grayscale PNG as mode I with the raw values.
            int[] v = new int[n];
            for (int i = 0; i < n; i++) {
                v[i] = samples[i * ch];
            }
            return DecodedImage.ofInts(w, ht, v, orientation);
        }
        int shift = sixteen ? 8 : 0; // 16-bit colour: Pillow keeps the high byte
        boolean nearest = png && (h.colorInfo == 3 || (h.colorInfo == 0 && h.bitDepth == 1));
        boolean alpha = ch == 4 && (!png || h.colorInfo == 4 || h.colorInfo == 6);
        boolean gray = ch == 1 || (png && (h.colorInfo == 0 || h.colorInfo == 4));
        PixelMode mode = gray ? (alpha ? PixelMode.LA : PixelMode.L) : (alpha ? PixelMode.RGBA : PixelMode.RGB);
        int oc = mode.channels();
        byte[] out = new byte[n * oc];
        for (int i = 0; i < n; i++) {
            int s = i * ch;
            int o = i * oc;
            if (gray) {
                out[o] = (byte) (samples[s] >> shift);
                if (alpha) {
                    out[o + 1] = (byte) (samples[s + 3] >> shift);
                }
            } else {
                // OpenCV orders colour as BGR(A).
                out[o] = (byte) (samples[s + 2] >> shift);
                out[o + 1] = (byte) (samples[s + 1] >> shift);
                out[o + 2] = (byte) (samples[s] >> shift);
                if (alpha) {
                    out[o + 3] = (byte) (samples[s + 3] >> shift);
                }
            }
        }
        return DecodedImage.ofBytes(w, ht, mode, out, nearest, orientation);
    }
}
