package io.clip4j.opencv;

import io.clip4j.image.DecodedImage;
import io.clip4j.image.ImageDecodeException;
import io.clip4j.image.ImageDecoder;
import io.clip4j.image.PixelMode;
import io.clip4j.image.jpeg.JpegDecoder;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

/**
 * Decodes JPEG with OpenCV's libjpeg-turbo (as Pillow uses), returning the pixels in the mode Pillow's
 * {@code Image.open} would give (L or RGB). Orientation is never applied here (IMREAD_UNCHANGED); the EXIF tag is
 * read separately.
 *
 * <p>Only plain JPEGs come here ({@code JpegDecoder.isPlain}). WebP goes to the pure-Java {@code WebpDecoder}: it
 * follows Pillow's libwebp 1.2.4 on damaged files too, where OpenCV's newer libwebp accepts some that Pillow
 * rejects and logs its failures to stderr. PNG goes to the pure-Java {@code PngDecoder}: it is as fast, follows
 * Pillow's chunk checks, and libpng's decoder inside OpenCV writes warnings to stderr and reserves the
 * length a corrupt chunk header claims (4 GiB for a 69-byte file). CMYK JPEGs are declined too: OpenCV
 * converts them to BGR itself, while Pillow resizes the CMYK samples first; the pure-Java JPEG decoder
 * handles them. GIF and BMP are left to the pure-Java decoders (Pillow opens palette BMP/GIF in mode P,
 * which resizes differently).
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

    /** {@return true if OpenCV's natives load on this machine} */
    public static boolean isAvailable() {
        Boolean a = available;
        if (a == null) {
            synchronized (OpenCvImageDecoder.class) {
                if (available == null) {
                    try {
                        io.clip4j.cuda.JavaCppLimits.liftPhysicalMemoryLimit();
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
        if (h == null || h.colorInfo == 4) {
            return false;
        }
        if (!JpegDecoder.isPlain(header)) {
            // Damaged or unusual layout: OpenCV's newer libjpeg-turbo may decode it unlike Pillow 9.4 (block
            // smoothing, bad markers after the image it ignores); the Java decoder matches Pillow there.
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
            throw new ImageDecodeException("not a JPEG file");
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
                throw new ImageDecodeException("JPEG data is truncated or corrupt");
            }
            if (m.cols() != h.width || m.rows() != h.height) {
                throw new ImageDecodeException("decoded size " + m.cols() + "x" + m.rows()
                        + " differs from the header's " + h.width + "x" + h.height);
            }
            return toPillowMode(m, orientation);
        }
    }

    private static DecodedImage toPillowMode(Mat m, int orientation) {
        if (m.depth() != CV_8U) {
            throw new ImageDecodeException("unsupported decoded depth " + m.depth() + " (8-bit samples expected)");
        }
        int w = m.cols();
        int ht = m.rows();
        int ch = m.channels();
        if (ch != 1 && ch != 3 && ch != 4) {
            throw new ImageDecodeException("unsupported decoded channel count " + ch);
        }
        int n = w * ht;
        byte[] bgr = new byte[n * ch];
        m.data().get(bgr);
        if (ch == 1) {
            return DecodedImage.ofBytes(w, ht, PixelMode.L, bgr, false, orientation);
        }
        PixelMode mode = ch == 4 ? PixelMode.RGBA : PixelMode.RGB;
        byte[] out = new byte[n * ch];
        for (int s = 0; s < out.length; s += ch) {
            // OpenCV orders colour as BGR(A).
            out[s] = bgr[s + 2];
            out[s + 1] = bgr[s + 1];
            out[s + 2] = bgr[s];
            if (ch == 4) {
                out[s + 3] = bgr[s + 3];
            }
        }
        return DecodedImage.ofBytes(w, ht, mode, out, false, orientation);
    }
}
