package io.clip4j.image.tiff;

import io.clip4j.image.ImageDecodeException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The first image file directory (IFD) of a classic TIFF file: the numeric tags, read with the file's
 * byte order. Only integer field types are kept (the decoder needs no others); every count and offset
 * is checked against the file, so a tag can never ask for more memory than the file's own size.
 */
final class TiffDirectory {
    private final byte[] file;
    private final boolean bigEndian;
    /** The Orientation tag (274). */
    static final int ORIENTATION = 274;
    private final Map<Integer, long[]> tags = new HashMap<>();
    /** Tags Pillow holds as bytes (BYTE or UNDEFINED type): unusable where it needs a number. */
    private final Set<Integer> unusable = new HashSet<>();

    private TiffDirectory(byte[] file, boolean bigEndian) {
        this.file = file;
        this.bigEndian = bigEndian;
    }

    /**
     * @param file the whole file
     * @return true for the classic TIFF signatures {@code II*\0} and {@code MM\0*}
     */
    static boolean isTiff(byte[] file) {
        if (file == null || file.length < 4) {
            return false;
        }
        return (file[0] == 'I' && file[1] == 'I' && file[2] == 42 && file[3] == 0)
                || (file[0] == 'M' && file[1] == 'M' && file[2] == 0 && file[3] == 42);
    }

    /**
     * @param file the whole file
     * @return true for the BigTIFF signatures {@code II+\0} and {@code MM\0+}
     */
    static boolean isBigTiff(byte[] file) {
        return file != null && file.length >= 4
                && ((file[0] == 'I' && file[1] == 'I' && file[2] == 43 && file[3] == 0)
                || (file[0] == 'M' && file[1] == 'M' && file[2] == 0 && file[3] == 43));
    }

    /**
     * Parses the header and the first IFD.
     *
     * @param file the whole file
     * @return the directory
     * @throws ImageDecodeException on a BigTIFF, a bad signature or a directory outside the file
     */
    static TiffDirectory read(byte[] file) {
        if (isBigTiff(file)) {
            throw new ImageDecodeException("TIFF: BigTIFF is not supported");
        }
        if (!isTiff(file)) {
            throw new ImageDecodeException("TIFF: missing 'II*\\0' or 'MM\\0*' signature");
        }
        TiffDirectory d = new TiffDirectory(file, file[0] == 'M');
        if (file.length < 8) {
            throw new ImageDecodeException("TIFF: file is truncated (header)");
        }
        d.parse(d.u32(4));
        return d;
    }

    private void parse(long ifd) {
        if (ifd < 8 || ifd + 2 > file.length) {
            throw new ImageDecodeException("TIFF: first directory offset " + ifd + " is outside the "
                    + file.length + "-byte file");
        }
        int p = (int) ifd;
        // Pillow reads the entries that are there and stops at a cut one, keeping those it read.
        int n = (int) Math.min(u16(p), (file.length - p - 2) / 12);
        for (int i = 0; i < n; i++) {
            int e = p + 2 + 12 * i;
            int tag = u16(e);
            int type = u16(e + 2);
            long count = u32(e + 4);
            int pillowSize = pillowTypeSize(type);
            if (pillowSize == 0) {
                continue; // a type Pillow does not know: ignored before its values are read
            }
            long bytes = count * pillowSize;
            long at = bytes <= 4 ? e + 8 : u32(e + 8);
            if (count == 0) {
                continue; // Pillow ignores a tag without values
            }
            if (at + bytes > file.length) {
                break; // Pillow stops reading the directory there ("Truncated File Read") and keeps what it has
            }
            int size = typeSize(type);
            if (size == 0 || tags.containsKey(tag) || unusable.contains(tag)) {
                continue; // not an integer field (or a repeated tag, where the first one wins)
            }
            if (type == 1 || type == 7) {
                unusable.add(tag); // Pillow holds BYTE and UNDEFINED values as bytes, not numbers
                continue;
            }
            long[] v = new long[(int) count];
            for (int k = 0; k < v.length; k++) {
                int q = (int) at + k * size;
                v[k] = switch (type) {
                    case 1, 7 -> file[q] & 0xFF;
                    case 6 -> file[q];
                    case 3 -> u16(q);
                    case 8 -> (short) u16(q);
                    case 9 -> (int) u32(q);
                    default -> u32(q);
                };
            }
            tags.put(tag, v);
        }
    }

    /** Byte size of the field types Pillow 9.4 reads (BYTE to IFD); 0 for the others, which it skips. */
    private static int pillowTypeSize(int type) {
        return switch (type) {
            case 1, 2, 6, 7 -> 1;
            case 3, 8 -> 2;
            case 4, 9, 11, 13 -> 4;
            case 5, 10, 12 -> 8;
            default -> 0;
        };
    }

    /** Byte size of the integer field types (BYTE, SHORT, LONG, SBYTE, UNDEFINED, SSHORT, SLONG, IFD). */
    private static int typeSize(int type) {
        return switch (type) {
            case 1, 6, 7 -> 1;
            case 3, 8 -> 2;
            case 4, 9, 13 -> 4;
            default -> 0;
        };
    }

    /**
     * @param tag the tag number
     * @return the tag's values, or {@code null} when the file does not have it
     */
    long[] values(int tag) {
        if (unusable.contains(tag)) {
            if (tag == ORIENTATION) {
                return null; // Pillow's transpose finds no known orientation and leaves the pixels
            }
            throw new ImageDecodeException("TIFF: tag " + tag + " is stored as bytes, which Pillow cannot use");
        }
        return tags.get(tag);
    }

    /**
     * @param tag      the tag number
     * @param fallback the value when the tag is absent or empty
     * @return the first value of the tag
     */
    long first(int tag, long fallback) {
        long[] v = values(tag);
        return v == null || v.length == 0 ? fallback : v[0];
    }

    /** @return true for a big-endian ({@code MM}) file */
    boolean bigEndian() {
        return bigEndian;
    }

    private int u16(int p) {
        return bigEndian ? (file[p] & 0xFF) << 8 | (file[p + 1] & 0xFF) : (file[p] & 0xFF) | (file[p + 1] & 0xFF) << 8;
    }

    private long u32(int p) {
        long a = u16(p);
        long b = u16(p + 2);
        return bigEndian ? a << 16 | b : b << 16 | a;
    }
}
