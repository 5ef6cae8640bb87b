package io.clip4j.image.jpeg;

/**
 * Reads the Orientation tag (0x0112) from IFD0 of an APP1 "Exif" segment, in either TIFF byte order,
 * as Pillow's {@code getexif()[0x0112]} would report it. Malformed EXIF data is ignored (Pillow does
 * not fail to open an image over it): the result is then 1.
 */
final class ExifOrientation {
    private static final int TAG_ORIENTATION = 0x0112;

    private ExifOrientation() {
    }

    /**
     * @param d   file bytes
     * @param off start of the APP1 segment body (the "Exif\0\0" signature)
     * @param len body length
     * @return the orientation 1..8, or 1 when absent, out of range or unreadable
     */
    static int parse(byte[] d, int off, int len) {
        if (len < 6 + 8 || d[off] != 'E' || d[off + 1] != 'x' || d[off + 2] != 'i' || d[off + 3] != 'f'
                || d[off + 4] != 0 || d[off + 5] != 0) {
            return 1;
        }
        int tiff = off + 6;
        int tiffLen = len - 6;
        boolean little;
        if (d[tiff] == 'I' && d[tiff + 1] == 'I') {
            little = true;
        } else if (d[tiff] == 'M' && d[tiff + 1] == 'M') {
            little = false;
        } else {
            return 1;
        }
        if (u16(d, tiff + 2, little) != 42) {
            return 1;
        }
        long ifd = u32(d, tiff + 4, little);
        if (ifd < 8 || ifd + 2 > tiffLen) {
            return 1;
        }
        int p = tiff + (int) ifd;
        int entries = u16(d, p, little);
        p += 2;
        for (int i = 0; i < entries && p + 12 <= tiff + tiffLen; i++, p += 12) {
            if (u16(d, p, little) != TAG_ORIENTATION) {
                continue;
            }
            int type = u16(d, p + 2, little);
            long count = u32(d, p + 4, little);
            long value;
            if (type == 3 && count >= 1) {
                value = u16(d, p + 8, little); // SHORT stored left-justified in the value field
            } else if (type == 4 && count >= 1) {
                value = u32(d, p + 8, little);
            } else {
                return 1;
            }
            return value >= 1 && value <= 8 ? (int) value : 1;
        }
        return 1;
    }

    private static int u16(byte[] d, int p, boolean little) {
        int a = d[p] & 0xFF;
        int b = d[p + 1] & 0xFF;
        return little ? a | (b << 8) : (a << 8) | b;
    }

    private static long u32(byte[] d, int p, boolean little) {
        long hi = u16(d, little ? p + 2 : p, little);
        long lo = u16(d, little ? p : p + 2, little);
        return (hi << 16) | lo;
    }
}
