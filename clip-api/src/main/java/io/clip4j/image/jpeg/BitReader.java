package io.clip4j.image.jpeg;

import io.clip4j.image.ImageDecodeException;

/**
 * Reads the entropy-coded data of one scan: removes stuffed zero bytes, stops in front of the next
 * marker and decodes Huffman symbols and raw bit fields.
 *
 * <p>Like libjpeg's {@code jpeg_fill_bit_buffer}, zero bits are appended once a marker or the end of
 * the file is reached, so that look-ahead never fails; unlike libjpeg (which warns and outputs gray
 * blocks) actually consuming any of those padding bits is an error, reported by
 * {@link #checkOverrun(int)}: the file is truncated or corrupt.
 */
final class BitReader {
    private final byte[] data;
    private final int end;
    /** Next unread byte; when {@link #atMarker} it points at the 0xFF of that marker. */
    private int pos;
    private long buf;
    /** Valid bits in {@link #buf} (the low {@code cnt} bits). */
    private int cnt;
    /** How many of the low bits of {@link #buf} are padding zeros, not file data. */
    private int padBits;
    private boolean atMarker;
    private boolean hitEof;

    BitReader(byte[] data, int start, int end) {
        this.data = data;
        this.pos = start;
        this.end = end;
    }

    /** Refills the bit buffer to at least 57 bits. */
    private void fill() {
        while (cnt <= 56) {
            int b = 0;
            if (atMarker || hitEof) {
                padBits += 8;
            } else if (pos >= end) {
                hitEof = true;
                padBits += 8;
            } else {
                b = data[pos] & 0xFF;
                if (b != 0xFF) {
                    pos++;
                } else {
                    int p = pos + 1;
                    while (p < end && data[p] == (byte) 0xFF) {
                        p++; // fill bytes before a marker (libjpeg treats FF FF 00 as one stuffed FF too)
                    }
                    if (p >= end) {
                        hitEof = true;
                        pos = end;
                        b = 0;
                        padBits += 8;
                    } else if (data[p] == 0) {
                        pos = p + 1;
                    } else {
                        atMarker = true;
                        pos = p - 1;
                        b = 0;
                        padBits += 8;
                    }
                }
            }
            buf = (buf << 8) | b;
            cnt += 8;
        }
    }

    /**
     * Decodes one Huffman symbol.
     *
     * @throws ImageDecodeException on a code that is not in the table (corrupt data)
     */
    int decode(HuffmanTable t) {
        if (cnt < 16) {
            fill();
        }
        int e = t.lookup[(int) (buf >>> (cnt - HuffmanTable.LOOKAHEAD)) & ((1 << HuffmanTable.LOOKAHEAD) - 1)];
        if (e != 0) {
            cnt -= e >>> 8;
            return e & 0xFF;
        }
        int code = (int) (buf >>> (cnt - 16)) & 0xFFFF;
        int len = HuffmanTable.LOOKAHEAD + 1;
        int c = code >>> (16 - len);
        while (c > t.maxcode[len]) {
            len++;
            if (len > 16) {
                throw new ImageDecodeException("JPEG: corrupt entropy-coded data (invalid Huffman code)"
                        + (padBits > 0 ? " at the end of the data: the file is probably truncated" : ""));
            }
            c = code >>> (16 - len);
        }
        cnt -= len;
        return t.symbols[t.valoffset[len] + c];
    }

    /** @return the next {@code n} bits (0..16) as an unsigned value */
    int bits(int n) {
        if (cnt < n) {
            fill();
        }
        cnt -= n;
        return (int) (buf >>> cnt) & ((1 << n) - 1);
    }

    /** @return the next bit */
    int bit() {
        if (cnt < 1) {
            fill();
        }
        cnt--;
        return (int) (buf >>> cnt) & 1;
    }

    /** @return the next {@code n} bits (0..15) as a signed coefficient (JPEG's EXTEND of section F.2.2.1) */
    int receiveExtend(int n) {
        if (n == 0) {
            return 0;
        }
        int v = bits(n);
        return v < (1 << (n - 1)) ? v - (1 << n) + 1 : v;
    }

    /**
     * @param scan scan number, for the message
     * @throws ImageDecodeException if decoding has consumed padding bits past the end of the data
     */
    void checkOverrun(int scan) {
        if (padBits > cnt) {
            throw new ImageDecodeException("JPEG: image data ends prematurely in scan " + scan
                    + (hitEof ? " (file is truncated)" : " (corrupt data before a marker)"));
        }
    }

    /**
     * Drops the buffered bits and moves to the next marker, skipping extraneous bytes like libjpeg.
     *
     * @return position of the marker's 0xFF byte, or the end of the data if there is none
     */
    int skipToMarker() {
        buf = 0;
        cnt = 0;
        padBits = 0;
        if (!atMarker) {
            int p = Math.min(pos, end);
            while (p + 1 < end && !(data[p] == (byte) 0xFF && data[p + 1] != 0 && data[p + 1] != (byte) 0xFF)) {
                p++;
            }
            pos = p + 1 < end ? p : end;
        }
        atMarker = false;
        hitEof = false;
        return pos;
    }

    /**
     * Consumes a restart marker after the buffered bits were dropped.
     *
     * @param expected restart number 0..7 that must come next
     * @param scan     scan number, for the message
     * @throws ImageDecodeException if the next marker is not that RST marker
     */
    void readRestart(int expected, int scan) {
        int p = skipToMarker();
        if (p + 1 >= end) {
            throw new ImageDecodeException("JPEG: file is truncated (restart marker expected in scan " + scan + ")");
        }
        int m = data[p + 1] & 0xFF;
        if (m != 0xD0 + expected) {
            throw new ImageDecodeException(String.format(
                    "JPEG: corrupt data: expected restart marker RST%d in scan %d, found marker 0x%02X",
                    expected, scan, m));
        }
        pos = p + 2;
    }
}
