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
 *
 * <p>For a sequential Huffman-coded scan ({@link #emulateLibjpeg}) the bit buffer is libjpeg-turbo's own, bit for
 * bit: it is refilled when and as far as {@code jdhuff.c} refills it, in its fast path ({@code decode_mcu_fast}:
 * 6 bytes once 16 bits or fewer are left) or its slow path (up to 57 bits once a symbol finds fewer than 8, or
 * extra bits fewer than they need), chosen per MCU like {@code decode_mcu}. So the reader knows exactly when
 * libjpeg asks for a byte Pillow has not handed it yet: past the end of the file that is Pillow's "image file is
 * truncated", even where the bits would never be used; before it, Pillow hands over the next 64 KiB block and
 * libjpeg decodes the MCU again (the scan decoder redoes it via {@link #redoMcu}).
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

    /** Whether the buffer follows libjpeg's refill rules exactly ({@link #emulateLibjpeg}). */
    private boolean exact;
    /** The current MCU is decoded by libjpeg's slow path ({@code decode_mcu_slow}). */
    private boolean slow;
    /** libjpeg's {@code BUFSIZE * blocks_in_MCU}: the fast path needs this many bytes in the buffer. */
    private int fastMargin;
    /** The end of the data Pillow has handed libjpeg so far (a multiple of 64 KiB, or the end of the file). */
    private int avail;
    /** The fast path met a marker in this MCU: libjpeg decodes it again with the slow path. */
    private boolean fastMarker;
    /** libjpeg suspended in this MCU for the next 64 KiB block, and decodes it again from its start. */
    private boolean suspended;
    private int mcuPos;
    private long mcuBuf;
    private int mcuCnt;
    private int mcuPadBits;
    private boolean mcuAtMarker;

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
     * Makes the bit buffer follow libjpeg-turbo's Huffman decoder ({@code jdhuff.c}) exactly, for a sequential
     * Huffman-coded scan; the scan decoder then brackets every MCU with {@link #startMcu} and {@link #redoMcu}.
     *
     * @param fed         how much of the file Pillow has handed libjpeg when the scan starts
     * @param blocksInMcu libjpeg's {@code blocks_in_MCU} (1 for a single-component scan)
     */
    void emulateLibjpeg(int fed, int blocksInMcu) {
        exact = true;
        avail = Math.min(fed, end);
        fastMargin = 512 * blocksInMcu;
    }

    /**
     * Starts an MCU: remembers the state libjpeg would resume from and picks its path like {@code decode_mcu}.
     *
     * @param mayUseFast false in a file with restart intervals (libjpeg then always takes the slow path)
     */
    void startMcu(boolean mayUseFast) {
        mcuPos = pos;
        mcuBuf = buf;
        mcuCnt = cnt;
        mcuPadBits = padBits;
        mcuAtMarker = atMarker;
        slow = !mayUseFast || atMarker || avail - pos < fastMargin;
        fastMarker = false;
        suspended = false;
    }

    /**
     * Ends an MCU. The coefficients of a redone MCU come out the same (it reads the same bits, and where it does
     * not, libjpeg too leaves the first attempt's values in the blocks); only the buffer's state differs.
     *
     * @param mayUseFast as for {@link #startMcu}
     * @return true if libjpeg decodes the MCU again (its fast path met a marker, or it suspended for the next
     *         block): the reader is back at the MCU's start, and the caller restores its DC predictions and
     *         decodes the MCU once more
     */
    boolean redoMcu(boolean mayUseFast) {
        if (!fastMarker && !suspended) {
            return false;
        }
        boolean forceSlow = fastMarker;
        pos = mcuPos;
        buf = mcuBuf;
        cnt = mcuCnt;
        padBits = mcuPadBits;
        atMarker = mcuAtMarker;
        startMcu(mayUseFast);
        slow |= forceSlow;
        return true;
    }

    /**
     * libjpeg asks for a byte at {@code pos} and Pillow has handed it no more: Pillow gives it the next block, or
     * fails at the end of the file.
     */
    private void suspend() {
        if (avail >= end) {
            throw new ImageDecodeException("JPEG: image data ends prematurely in scan (libjpeg needs more data at"
                    + " the end of the file: file is truncated)");
        }
        avail = (int) Math.min(end, avail + 65536L);
        suspended = true;
    }

    /** libjpeg's {@code FILL_BIT_BUFFER_FAST}: 6 bytes, a marker (or FF FF) read as zero bytes and left unread. */
    private void fillFast() {
        int p = pos;
        long b = buf;
        if (end - p >= 13) {
            for (int i = 0; i < 6; i++) {
                int c0 = data[p++] & 0xFF;
                if (c0 == 0xFF) {
                    if (data[p++] != 0) {
                        fastMarker = true;
                        p -= 2;
                        c0 = 0;
                    }
                }
                b = (b << 8) | c0;
            }
        } else {
            // Only corrupt data gets here (the fast path starts an MCU with 512 bytes per block ahead); libjpeg
            // would read past its buffer, this reads zeros.
            for (int i = 0; i < 6; i++) {
                int c0 = p < end ? data[p] & 0xFF : 0;
                if (c0 == 0xFF && (p + 1 >= end || data[p + 1] != 0)) {
                    fastMarker = true;
                    c0 = 0;
                } else if (p < end) {
                    p += c0 == 0xFF ? 2 : 1;
                }
                b = (b << 8) | c0;
            }
        }
        pos = p;
        buf = b;
        cnt += 48;
    }

    /**
     * libjpeg's {@code jpeg_fill_bit_buffer}: loads bytes up to 57 bits; at a marker it stops, and pads zero bits
     * up to 57 only if fewer than {@code nbits} are left.
     */
    private void fillSlow(int nbits) {
        while (!atMarker && cnt < 57) {
            if (pos >= avail) {
                suspend();
            }
            int b = data[pos++] & 0xFF;
            if (b == 0xFF) {
                do {
                    if (pos >= avail) {
                        suspend();
                    }
                    b = data[pos++] & 0xFF;
                } while (b == 0xFF);
                if (b == 0) {
                    b = 0xFF;
                } else {
                    atMarker = true;
                    pos -= 2; // at the last FF, as fill() leaves it
                    break;
                }
            }
            buf = (buf << 8) | b;
            cnt += 8;
        }
        if (atMarker && nbits > cnt) {
            buf <<= 57 - cnt;
            padBits += 57 - cnt;
            cnt = 57;
        }
    }

    /** libjpeg's {@code HUFF_DECODE} (slow path, 8-bit look-ahead). */
    private int decodeSlow(HuffmanTable t) {
        if (cnt < 8) {
            fillSlow(0);
            if (cnt < 8) {
                return decodeBitwise(t, 1); // at a marker
            }
        }
        // Codes of up to 8 bits fill both halves of the 9-bit table's pair of entries.
        int e = t.lookup[((int) (buf >>> (cnt - 8)) & 0xFF) << 1];
        if (e != 0 && (e >>> 8) <= 8) {
            cnt -= e >>> 8;
            return e & 0xFF;
        }
        return decodeBitwise(t, 9);
    }

    /** libjpeg's {@code jpeg_huff_decode}: the first {@code l} bits at once, then bit by bit, refilling as needed. */
    private int decodeBitwise(HuffmanTable t, int l) {
        if (cnt < l) {
            fillSlow(l);
        }
        cnt -= l;
        int code = (int) (buf >>> cnt) & ((1 << l) - 1);
        while (code > t.maxcode[l]) {
            if (cnt < 1) {
                fillSlow(1);
            }
            cnt--;
            code = (code << 1) | ((int) (buf >>> cnt) & 1);
            l++;
        }
        return l > 16 ? 0 : t.symbols[t.valoffset[l] + code];
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

    /** Refills the bit buffer to at least 57 bits (progressive scans; sequential ones refill like libjpeg). */
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
            if (!exact) {
                fill();
            } else if (slow) {
                return decodeSlow(t);
            } else {
                fillFast();
            }
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
        if (exact) {
            if (slow ? cnt < n : cnt < 17) {
                if (slow) {
                    fillSlow(n);
                } else {
                    fillFast();
                }
            }
        } else if (cnt < n) {
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
     * @return how many bytes of the file libjpeg's Huffman decoder has been handed so far: for a scan read like
     *         libjpeg ({@link #emulateLibjpeg}) the 64 KiB blocks Pillow fed it (or the whole file); otherwise the
     *         bytes it asked for, filling its bit buffer to 57 bits and reading up to a marker's code byte (more
     *         than the file's length when it ran into the end of the file)
     */
    int bytesRequested() {
        if (exact) {
            return avail;
        }
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
            while (exact && p + 1 >= avail && avail < end) {
                suspend(); // libjpeg's marker reader needs the next block (and goes on where it was)
            }
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
