package io.clip4j.image.jpeg;

/**
 * The binary arithmetic decoder of ITU-T T.81 Annex D (sections D.2.4 to D.2.6) in the register layout of
 * libjpeg-turbo's {@code jdarith.c}: the C register holds the code base and the unread input bits with a
 * floating cut point ({@code ct}), so that each decision needs a single shift. Decisions are made against
 * statistics bins of one byte each (bit 7: the more probable symbol; bits 0..6: the index into Table D.2).
 *
 * <p>Input bytes come from {@link BitReader#arithmeticByte()}, which feeds zeros once a marker is reached, as
 * the standard prescribes and libjpeg does. A corrupt code that libjpeg flags ({@code JWRN_ARITH_BAD_CODE}, its
 * {@code ct = -1}) is remembered in {@link #failed()} until the next {@link #reset()}.
 */
final class ArithmeticDecoder {
    /** State of the fixed-probability (0.5) bin libjpeg adds after Table D.2 (ITU-T T.851, table 5). */
    static final int FIXED_STATE = 113;

    /** Table D.2, one row per state: Qe, Next_Index_LPS, Next_Index_MPS, Switch_MPS; then the fixed state. */
    private static final int[] TABLE = {
        0x5a1d, 1, 1, 1, 0x2586, 14, 2, 0, 0x1114, 16, 3, 0, 0x080b, 18, 4, 0,
        0x03d8, 20, 5, 0, 0x01da, 23, 6, 0, 0x00e5, 25, 7, 0, 0x006f, 28, 8, 0,
        0x0036, 30, 9, 0, 0x001a, 33, 10, 0, 0x000d, 35, 11, 0, 0x0006, 9, 12, 0,
        0x0003, 10, 13, 0, 0x0001, 12, 13, 0, 0x5a7f, 15, 15, 1, 0x3f25, 36, 16, 0,
        0x2cf2, 38, 17, 0, 0x207c, 39, 18, 0, 0x17b9, 40, 19, 0, 0x1182, 42, 20, 0,
        0x0cef, 43, 21, 0, 0x09a1, 45, 22, 0, 0x072f, 46, 23, 0, 0x055c, 48, 24, 0,
        0x0406, 49, 25, 0, 0x0303, 51, 26, 0, 0x0240, 52, 27, 0, 0x01b1, 54, 28, 0,
        0x0144, 56, 29, 0, 0x00f5, 57, 30, 0, 0x00b7, 59, 31, 0, 0x008a, 60, 32, 0,
        0x0068, 62, 33, 0, 0x004e, 63, 34, 0, 0x003b, 32, 35, 0, 0x002c, 33, 9, 0,
        0x5ae1, 37, 37, 1, 0x484c, 64, 38, 0, 0x3a0d, 65, 39, 0, 0x2ef1, 67, 40, 0,
        0x261f, 68, 41, 0, 0x1f33, 69, 42, 0, 0x19a8, 70, 43, 0, 0x1518, 72, 44, 0,
        0x1177, 73, 45, 0, 0x0e74, 74, 46, 0, 0x0bfb, 75, 47, 0, 0x09f8, 77, 48, 0,
        0x0861, 78, 49, 0, 0x0706, 79, 50, 0, 0x05cd, 48, 51, 0, 0x04de, 50, 52, 0,
        0x040f, 50, 53, 0, 0x0363, 51, 54, 0, 0x02d4, 52, 55, 0, 0x025c, 53, 56, 0,
        0x01f8, 54, 57, 0, 0x01a4, 55, 58, 0, 0x0160, 56, 59, 0, 0x0125, 57, 60, 0,
        0x00f6, 58, 61, 0, 0x00cb, 59, 62, 0, 0x00ab, 61, 63, 0, 0x008f, 61, 32, 0,
        0x5b12, 65, 65, 1, 0x4d04, 80, 66, 0, 0x412c, 81, 67, 0, 0x37d8, 82, 68, 0,
        0x2fe8, 83, 69, 0, 0x293c, 84, 70, 0, 0x2379, 86, 71, 0, 0x1edf, 87, 72, 0,
        0x1aa9, 87, 73, 0, 0x174e, 72, 74, 0, 0x1424, 72, 75, 0, 0x119c, 74, 76, 0,
        0x0f6b, 74, 77, 0, 0x0d51, 75, 78, 0, 0x0bb6, 77, 79, 0, 0x0a40, 77, 48, 0,
        0x5832, 80, 81, 1, 0x4d1c, 88, 82, 0, 0x438e, 89, 83, 0, 0x3bdd, 90, 84, 0,
        0x34ee, 91, 85, 0, 0x2eae, 92, 86, 0, 0x299a, 93, 87, 0, 0x2516, 86, 71, 0,
        0x5570, 88, 89, 1, 0x4ca9, 95, 90, 0, 0x44d9, 96, 91, 0, 0x3e22, 97, 92, 0,
        0x3824, 99, 93, 0, 0x32b4, 99, 94, 0, 0x2e17, 93, 86, 0, 0x56a8, 95, 96, 1,
        0x4f46, 101, 97, 0, 0x47e5, 102, 98, 0, 0x41cf, 103, 99, 0, 0x3c3d, 104, 100, 0,
        0x375e, 99, 93, 0, 0x5231, 105, 102, 0, 0x4c0f, 106, 103, 0, 0x4639, 107, 104, 0,
        0x415e, 103, 99, 0, 0x5627, 105, 106, 1, 0x50e7, 108, 107, 0, 0x4b85, 109, 103, 0,
        0x5597, 110, 109, 0, 0x504f, 111, 107, 0, 0x5a10, 110, 111, 1, 0x5522, 112, 109, 0,
        0x59eb, 112, 111, 1, 0x5a1d, 113, 113, 0,
    };

    private final BitReader in;
    /** C register: code base (16 bits) above {@link #ct} not yet used input bits. */
    private long c;
    /** A register: the interval size, normalised to at least 0x8000 before a decision. */
    private long a;
    /** Input bits left below the code base; -16 before the first two bytes; -1 after a corrupt code. */
    private int ct;

    /**
     * @param in the scan's byte input (positioned at the first entropy-coded byte)
     */
    ArithmeticDecoder(BitReader in) {
        this.in = in;
        reset();
    }

    /** Starts a new code stream (scan start or after a restart marker): the next decision reads two bytes. */
    void reset() {
        c = 0;
        a = 0;
        ct = -16;
    }

    /** Marks the code as corrupt (libjpeg's {@code ct = -1}): nothing more is decoded until {@link #reset()}. */
    void fail() {
        ct = -1;
    }

    /** @return whether a corrupt code was met since the last {@link #reset()} */
    boolean failed() {
        return ct == -1;
    }

    /**
     * Decodes one binary decision and adapts its statistics bin (T.81 D.2.4, D.2.5, renormalisation D.2.6).
     *
     * @param stats the statistics area
     * @param bin   the bin's index in it
     * @return 0 or 1
     * @throws io.clip4j.image.ImageDecodeException if the input ends where libjpeg cannot read further
     */
    int decode(byte[] stats, int bin) {
        while (a < 0x8000) {
            if (--ct < 0) {
                c = (c << 8) | in.arithmeticByte();
                ct += 8;
                // The first two bytes only fill C; after them A starts at 0x10000 (0x8000 doubled below).
                if (ct < 0 && ++ct == 0) {
                    a = 0x8000;
                }
            }
            a <<= 1;
        }
        int sv = stats[bin] & 0xFF;
        int row = (sv & 0x7F) * 4;
        long qe = TABLE[row];
        int afterLps = TABLE[row + 1] | (TABLE[row + 3] << 7);
        int afterMps = TABLE[row + 2];
        long rest = a - qe;
        a = rest;
        long scaled = rest << ct;
        if (c >= scaled) {
            // The LPS sub-interval, unless the conditional exchange makes it the MPS one.
            c -= scaled;
            if (a < qe) {
                a = qe;
                stats[bin] = (byte) ((sv & 0x80) ^ afterMps);
            } else {
                a = qe;
                stats[bin] = (byte) ((sv & 0x80) ^ afterLps);
                sv ^= 0x80;
            }
        } else if (a < 0x8000) {
            if (a < qe) {
                stats[bin] = (byte) ((sv & 0x80) ^ afterLps);
                sv ^= 0x80;
            } else {
                stats[bin] = (byte) ((sv & 0x80) ^ afterMps);
            }
        }
        return sv >> 7;
    }
}
