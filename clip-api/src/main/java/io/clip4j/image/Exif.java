package io.clip4j.image;

/**
 * Minimal EXIF reader: the Orientation tag (0x0112) of IFD0, which is all preprocessing needs.
 * Shared by the decoders (PNG {@code eXIf}, JPEG APP1). Never throws on malformed data: anything
 * unreadable counts as "no orientation" (1), like Pillow, which ignores broken EXIF blocks.
 */
public final class Exif {
    private static final int TAG_ORIENTATION = 0x0112;
    private static final int TYPE_SHORT = 3;
    private static final int TYPE_LONG = 4;

    private Exif() {
    }

    /**
     * Reads the EXIF orientation tag (0x0112) from a TIFF structure.
     *
     * @param data   buffer holding a TIFF structure ({@code II*\0} or {@code MM\0*} header), optionally
     *               preceded by the JPEG APP1 prefix {@code Exif\0\0}
     * @param offset start of the structure in {@code data}
     * @param length bytes available from {@code offset}
     * @return the orientation, 1..8; 1 when absent, out of range or unreadable
     */
    public static int orientation(byte[] data, int offset, int length) {
        if (data == null || offset < 0 || length < 0 || offset > data.length - length) {
            return 1;
        }
        if (length >= 6 && data[offset] == 'E' && data[offset + 1] == 'x' && data[offset + 2] == 'i'
                && data[offset + 3] == 'f' && data[offset + 4] == 0 && data[offset + 5] == 0) {
            offset += 6;
            length -= 6;
        }
        if (length < 8) {
            return 1;
        }
        boolean little;
        if (data[offset] == 'I' && data[offset + 1] == 'I') {
            little = true;
        } else if (data[offset] == 'M' && data[offset + 1] == 'M') {
            little = false;
        } else {
            return 1;
        }
        if (u16(data, offset + 2, little) != 42) {
            return 1;
        }
        long ifd = u32(data, offset + 4, little);
        if (ifd < 8 || ifd > length - 2) {
            return 1;
        }
        int p = offset + (int) ifd;
        int entries = u16(data, p, little);
        p += 2;
        for (int i = 0; i < entries; i++, p += 12) {
            if (p + 12 > offset + length) {
                return 1;
            }
            if (u16(data, p, little) == TAG_ORIENTATION) {
                int type = u16(data, p + 2, little);
                long count = u32(data, p + 4, little);
                long v;
                if (type == TYPE_SHORT && count >= 1) {
                    v = u16(data, p + 8, little); // SHORT sits left-justified in the value field
                } else if (type == TYPE_LONG && count >= 1) {
                    v = u32(data, p + 8, little); // some writers store it as LONG; Pillow reads it too
                } else {
                    return 1;
                }
                return v >= 1 && v <= 8 ? (int) v : 1;
            }
        }
        return 1;
    }

    private static int u16(byte[] b, int p, boolean little) {
        int a = b[p] & 0xFF;
        int c = b[p + 1] & 0xFF;
        return little ? a | (c << 8) : (a << 8) | c;
    }

    private static long u32(byte[] b, int p, boolean little) {
        long hi = u16(b, little ? p + 2 : p, little);
        long lo = u16(b, little ? p : p + 2, little);
        return (hi << 16) | lo;
    }
}
