package io.clip4j.image.jpeg;

import io.clip4j.image.ImageDecodeException;

/**
 * Reads the entropy-coded data of one scan: removes stuffed zero bytes, stops in front of the next
 * marker and decodes Huffman symbols and raw bit fields.
 *
 * <p>Corrupt data is decoded the way libjpeg-turbo (and so Pillow) decodes it, not rejected: like
 * {@code jpeg_fill_bit_buffer}, zero bits are appended once a marker is reached, and
 * {@link #ranIntoMarker(int)} tells the scan decoder when those were consumed (libjpeg's
 * {@code insufficient_data}: the rest of the restart interval stays zero, i.e. gray); an invalid Huffman
 * code reads as symbol 0 after 17 bits; restart markers out of sequence are resynchronised like
 * {@code jpeg_resync_to_restart}. Only the end of the file is an error (Pillow: "image file is truncated").
 */
final class BitReader {
    private final byte[] data;
    private final int end;
    /**
     * How far an arithmetic-coded scan may read, restart markers included: Pillow hands libjpeg the file in
     * blocks, and libjpeg's arithmetic decoder cannot wait for the next one (it fails instead). The end of the
     * data for Huffman-coded scans, whose decoder suspends and resumes.
     */
    private final int limit;
    /** Next unread byte; when {@link #atMarker} it points at the 0xFF of that marker. */
    private int pos;
    private long buf;
    /** Valid bits in {@link #buf} (the low {@code cnt} bits). */
    private int cnt;
    /** How many of the low bits of {@link #buf} are padding zeros, not file data. */
    private int padBits;
    private boolean atMarker;
    private boolean hitEof;

    /**
     * @param data  the file
     * @param start the first entropy-coded byte of the scan
     * @param end   the end of the file
     */
    BitReader(byte[] data, int start, int end) {
        this(data, start, end, end);
    }

    /**
     * @param data  the file
     * @param start the first entropy-coded byte of the scan
     * @param end   the end of the file
     * @param limit the end of what an arithmetic-coded scan can read (at most {@code end})
     */
    BitReader(byte[] data, int start, int end, int limit) {
        this.data = data;
        this.pos = start;
        this.end = end;
        this.limit = Math.min(limit, end);
    }

    /**
     * The next byte for the arithmetic decoder, read like libjpeg's {@code arith_decode}: a stuffed FF 00 is
     * FF, fill bytes before a marker are skipped, and from a marker on every byte is 0 (the marker stays for
     * the restart or the next segment).
     *
     * @return the byte, 0..255
     * @throws ImageDecodeException if it lies past {@link #limit}: libjpeg's arithmetic decoder cannot suspend,
     *                              so Pillow reports a broken data stream (or the file is truncated)
     */
    int arithmeticByte() {
        if (atMarker) {
            return 0;
        }
        int p = pos;
        if (p >= limit) {
            throw pastLimit();
        }
        int b = data[p++] & 0xFF;
        if (b != 0xFF) {
            pos = p;
            return b;
        }
        while (true) {
            if (p >= limit) {
                throw pastLimit();
            }
            int next = data[p++] & 0xFF;
            if (next == 0) {
                pos = p;
                return 0xFF;
            }
            if (next != 0xFF) {
                atMarker = true;
                pos = p - 2; // at the last FF, as fill() leaves it
                return 0;
            }
        }
    }

    private ImageDecodeException pastLimit() {
        if (limit >= end) {
            return new ImageDecodeException("JPEG: file is truncated (arithmetic-coded data ends prematurely)");
        }
        return new ImageDecodeException("JPEG: arithmetic-coded scan data crosses a " + limit + "-byte boundary:"
                + " Pillow reads files in 64 KiB blocks and libjpeg's arithmetic decoder cannot wait for the next"
                + " one (Pillow: broken data stream)");
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

    /** Decodes one Huffman symbol; a code that is not in the table reads as 0 after 17 bits, like libjpeg. */
    int decode(HuffmanTable t) {
        if (cnt < 17) {
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
                cnt -= 17;
                return 0;
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
     * @return whether decoding has consumed padding bits in front of a marker (libjpeg's insufficient_data)
     * @throws ImageDecodeException if it consumed padding bits past the end of the file (truncated file)
     */
    boolean ranIntoMarker(int scan) {
        if (padBits <= cnt) {
            return false;
        }
        if (hitEof) {
            throw new ImageDecodeException("JPEG: image data ends prematurely in scan " + scan + " (file is truncated)");
        }
        return true;
    }

    /**
     * @return the whole data bytes (stuffed FF 00 counting once) after the last consumed bit, up to a marker or
     *         the end of the file. libjpeg reads at most 8 of them ahead (it fills its bit buffer to 57 bits), so
     *         from 8 on it cannot have reached the end of the file.
     */
    int dataBytesAfterConsumed() {
        int n = Math.max(0, cnt - padBits) / 8;
        for (int p = pos; p < end && !atMarker; p++) {
            if (data[p] == (byte) 0xFF && p + 1 < end && data[p + 1] != 0) {
                break; // a marker (or fill bytes before one)
            }
            if (data[p] == (byte) 0xFF) {
                p++; // FF 00: one data byte
            }
            n++;
        }
        return n;
    }

    /**
     * @return how many bytes of the file libjpeg's Huffman decoder has asked for so far (it fills its bit buffer to
     *         57 bits, reading up to a marker's code byte): the data Pillow must have handed it. More than the file's
     *         length when it ran into the end of the file.
     */
    int bytesRequested() {
        return atMarker ? pos + 2 : hitEof ? end + 1 : pos;
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
     * Moves past the restart marker due next, after the buffered bits were dropped: libjpeg's
     * {@code read_restart_marker} with {@code jpeg_resync_to_restart} for a marker out of sequence.
     *
     * @param expected restart number 0..7 due next
     * @param scan     scan number, for the message
     * @return true if a marker was consumed, so decoding resumes on fresh data; false if the reader was left
     *         in front of a marker (one of the next two RSTs, or a non-RST marker) and the interval reads as
     *         zero bits
     * @throws ImageDecodeException if the file (for an arithmetic-coded scan: the readable part) ends before a
     *                              marker
     */
    boolean readRestart(int expected, int scan) {
        int p = skipToMarker();
        while (true) {
            if (p + 1 >= limit) {
                if (limit < end) {
                    throw pastLimit();
                }
                throw new ImageDecodeException("JPEG: file is truncated (restart marker expected in scan " + scan + ")");
            }
            int m = data[p + 1] & 0xFF;
            int action;
            if (m < 0xC0) {
                action = 2; // not a valid marker: look for the next one
            } else if (m < 0xD0 || m > 0xD7) {
                action = 3; // a real marker: leave it for after the scan
            } else if (m == 0xD0 + ((expected + 1) & 7) || m == 0xD0 + ((expected + 2) & 7)) {
                action = 3; // one of the next two restarts: this interval is missing
            } else if (m == 0xD0 + ((expected - 1) & 7) || m == 0xD0 + ((expected - 2) & 7)) {
                action = 2; // an earlier restart: advance to the next marker
            } else {
                action = 1; // the one expected, or too far away to tell
            }
            if (action == 3) {
                pos = p;
                atMarker = true;
                return false;
            }
            pos = p + 2;
            if (action == 1) {
                return true;
            }
            p = skipToMarker();
        }
    }
}
