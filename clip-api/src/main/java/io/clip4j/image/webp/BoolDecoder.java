package io.clip4j.image.webp;

/**
 * The VP8 boolean entropy decoder (RFC 6386 section 7) over one partition, with the state of libwebp's
 * {@code VP8BitReader} as built for 64-bit platforms (what Pillow runs on x86-64): a 64-bit value filled 56 bits
 * at a time while 8 bytes remain, then byte by byte, and compared through a 32-bit window. The range is kept
 * minus one, {@link #bits} counts the buffered bits below the window, and bytes are fetched only when it runs
 * dry. The 32-bit truncation matters on damaged data: a partition starting with 0xFF leaves the value above the
 * range, and only the same truncation decodes the same bits.
 *
 * <p>Two libwebp behaviours matter for parity. Reading past the end of the partition supplies zero bits
 * and sets {@link #eof()} (libwebp then fails the decode at the end of the macroblock or header part).
 * And the sign of a coefficient is read by {@link #readSign(int)}, libwebp's shortcut for a probability
 * of one half that always renormalises by one bit; it can differ from a plain {@code readBit(128)}
 * when the range is at its maximum, so it must be reproduced rather than replaced.
 */
final class BoolDecoder {
    private final byte[] data;
    private int pos;
    private final int end;
    /** Buffered, not yet consumed bits; the decoding window is the low 32 bits of {@code value >>> bits}. */
    private long value;
    /** Number of buffered bits below the window; negative means a byte must be fetched first. */
    private int bits;
    /** The range minus one, in [126, 254] between calls. */
    private int range;
    private boolean eof;

    /**
     * @param data   the buffer holding the partition
     * @param offset where the partition starts
     * @param length partition size in bytes (may be zero)
     */
    BoolDecoder(byte[] data, int offset, int length) {
        this.data = data;
        this.pos = offset;
        this.end = offset + length;
        this.range = 255 - 1;
        this.bits = -8;
        load();
    }

    /** @return whether the decoder needed bits past the end of its partition */
    boolean eof() {
        return eof;
    }

    /** Fetches 7 bytes (8 still there) or one byte, or eight zero bits (once) at the end, like libwebp. */
    private void load() {
        if (pos + 8 <= end) {
            long v = 0;
            for (int i = 0; i < 7; i++) {
                v = (v << 8) | (data[pos + i] & 0xFF);
            }
            pos += 7;
            bits += 56;
            value = v | (value << 56);
        } else if (pos < end) {
            bits += 8;
            value = (data[pos++] & 0xFF) | (value << 8);
        } else if (!eof) {
            value <<= 8;
            bits += 8;
            eof = true;
        } else {
            bits = 0; // libwebp's guard against negative shifts; the decode fails anyway
        }
    }

    /**
     * Decodes one boolean.
     *
     * @param prob probability of a zero, in 1/256 units
     * @return 0 or 1
     */
    int readBit(int prob) {
        int r = range;
        if (bits < 0) {
            load();
        }
        int pos = bits;
        int split = (r * prob) >>> 8;
        int bit;
        if (((value >>> pos) & 0xFFFFFFFFL) > split) {
            r -= split;
            value -= (long) (split + 1) << pos;
            bit = 1;
        } else {
            r = split + 1;
            bit = 0;
        }
        int shift = Integer.numberOfLeadingZeros(r) - 24; // 7 - floor(log2(r)), r in [1, 255]
        bits -= shift;
        range = (r << shift) - 1;
        return bit;
    }

    /**
     * Applies a sign read with libwebp's even-probability shortcut ({@code VP8GetSigned}).
     *
     * @param v a magnitude
     * @return {@code v} or {@code -v}
     */
    int readSign(int v) {
        if (bits < 0) {
            load();
        }
        int pos = bits;
        int split = range >>> 1;
        int mask = (int) (split - ((value >>> pos) & 0xFFFFFFFFL)) >> 31; // -1 when the bit is one
        bits -= 1;
        range = (range + mask) | 1;
        value -= (long) ((split + 1) & mask) << pos;
        return (v ^ mask) - mask;
    }

    /**
     * @param n number of bits, most significant first, each with probability one half
     * @return the unsigned value
     */
    int readLiteral(int n) {
        int v = 0;
        while (n-- > 0) {
            v |= readBit(0x80) << n;
        }
        return v;
    }

    /**
     * @param n number of magnitude bits; a sign flag follows them
     * @return the signed value
     */
    int readSignedLiteral(int n) {
        int v = readLiteral(n);
        return readBit(0x80) != 0 ? -v : v;
    }

    /** @return one flag with probability one half */
    boolean readFlag() {
        return readBit(0x80) != 0;
    }
}
