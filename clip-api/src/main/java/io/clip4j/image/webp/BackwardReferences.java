package io.clip4j.image.webp;

/**
 * LZ77 parameters of VP8L backward references: lengths and distances coded as a prefix symbol plus extra bits,
 * and the 120 short "plane codes" that name nearby pixels by (dx, dy) instead of a linear distance.
 */
final class BackwardReferences {
    /** Plane codes 1..120: {@code dy << 4 | (8 - dx)} of the referenced pixel, closest first. */
    private static final byte[] PLANE = {
        0x18, 0x07, 0x17, 0x19, 0x28, 0x06, 0x27, 0x29, 0x16, 0x1a,
        0x26, 0x2a, 0x38, 0x05, 0x37, 0x39, 0x15, 0x1b, 0x36, 0x3a,
        0x25, 0x2b, 0x48, 0x04, 0x47, 0x49, 0x14, 0x1c, 0x35, 0x3b,
        0x46, 0x4a, 0x24, 0x2c, 0x58, 0x45, 0x4b, 0x34, 0x3c, 0x03,
        0x57, 0x59, 0x13, 0x1d, 0x56, 0x5a, 0x23, 0x2d, 0x44, 0x4c,
        0x55, 0x5b, 0x33, 0x3d, 0x68, 0x02, 0x67, 0x69, 0x12, 0x1e,
        0x66, 0x6a, 0x22, 0x2e, 0x54, 0x5c, 0x43, 0x4d, 0x65, 0x6b,
        0x32, 0x3e, 0x78, 0x01, 0x77, 0x79, 0x53, 0x5d, 0x11, 0x1f,
        0x64, 0x6c, 0x42, 0x4e, 0x76, 0x7a, 0x21, 0x2f, 0x75, 0x7b,
        0x31, 0x3f, 0x63, 0x6d, 0x52, 0x5e, 0x00, 0x74, 0x7c, 0x41,
        0x4f, 0x10, 0x20, 0x62, 0x6e, 0x30, 0x73, 0x7d, 0x51, 0x5f,
        0x40, 0x72, 0x7e, 0x61, 0x6f, 0x50, 0x71, 0x7f, 0x60, 0x70,
    };

    private BackwardReferences() {
    }

    /**
     * Decodes a length or distance from its prefix symbol, reading the extra bits (none for symbols 0..3).
     *
     * @param symbol prefix symbol, 0..39
     * @param br     the stream
     * @return the value, at least 1
     */
    static int prefixValue(int symbol, Vp8lBitReader br) {
        if (symbol < 4) {
            return symbol + 1;
        }
        int extraBits = (symbol - 2) >> 1;
        int offset = (2 + (symbol & 1)) << extraBits;
        return offset + br.readBits(extraBits) + 1;
    }

    /**
     * Maps a distance code to a linear distance in pixels.
     *
     * @param xsize    image width
     * @param planeCode distance code, at least 1
     * @return the distance, at least 1 (libwebp clamps the plane codes that point before the row start on very
     *         narrow images to 1)
     */
    static int planeCodeToDistance(int xsize, int planeCode) {
        if (planeCode > PLANE.length) {
            return planeCode - PLANE.length;
        }
        int code = PLANE[planeCode - 1];
        int dist = (code >> 4) * xsize + 8 - (code & 0xF);
        return Math.max(dist, 1);
    }
}
