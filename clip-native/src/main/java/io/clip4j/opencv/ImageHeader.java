package io.clip4j.opencv;

import io.clip4j.image.Exif;
import io.clip4j.image.ImageDecodeException;

/**
 * The few JPEG header facts the OpenCV decoder needs before decoding: size, and the component count
 * (Pillow opens 4-component JPEGs as CMYK). Parsed from the bytes alone.
 */
final class ImageHeader {
    final int width;
    final int height;
    /** JPEG component count (1 gray, 3 YCbCr, 4 CMYK). */
    final int colorInfo;
    /** EXIF orientation of a JPEG's APP1 segment before its frame header, 1..8 (1 when absent). */
    final int exifOrientation;

    private ImageHeader(int width, int height, int colorInfo, int exifOrientation) {
        this.width = width;
        this.height = height;
        this.colorInfo = colorInfo;
        this.exifOrientation = exifOrientation;
    }

    /**
     * @param b encoded file
     * @return the header, or null if the signature is not JPEG's
     * @throws ImageDecodeException if the signature matches but the header is truncated or malformed
     */
    static ImageHeader parse(byte[] b) {
        if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
            return jpeg(b);
        }
        return null;
    }

    private static ImageHeader jpeg(byte[] b) {
        int i = 2;
        int orientation = 1;
        while (i + 4 <= b.length) {
            if ((b[i] & 0xff) != 0xff) {
                throw new ImageDecodeException("JPEG marker expected at byte " + i);
            }
            int marker = b[i + 1] & 0xff;
            if (marker == 0xff) {
                i++;
                continue;
            }
            int len = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
            boolean sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
            if (sof) {
                if (i + 10 > b.length) {
                    break;
                }
                int h = ((b[i + 5] & 0xff) << 8) | (b[i + 6] & 0xff);
                int w = ((b[i + 7] & 0xff) << 8) | (b[i + 8] & 0xff);
                return new ImageHeader(w, h, b[i + 9] & 0xff, orientation);
            }
            if (len < 2) {
                throw new ImageDecodeException("malformed JPEG segment length at byte " + i);
            }
            if (marker == 0xe1 && orientation == 1 && len >= 8 && i + 2 + len <= b.length
                    && b[i + 4] == 'E' && b[i + 5] == 'x' && b[i + 6] == 'i' && b[i + 7] == 'f') {
                orientation = Exif.orientation(b, i + 4, len - 2);
            }
            i += 2 + len;
        }
        throw new ImageDecodeException("JPEG file is truncated before its frame header");
    }

}
