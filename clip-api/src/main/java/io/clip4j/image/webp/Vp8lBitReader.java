package io.clip4j.image.webp;

/**
 * LSB-first bit reader over a VP8L stream that behaves like libwebp's {@code VP8LBitReader} on 64-bit x86,
 * including past the end of the data: a 64-bit window holds the last 8 bytes loaded (a stream shorter than
 * 8 bytes reads as if zero-padded to 8), a prefetch at bit position 64 wraps around to the window's start
 * (the position is taken modulo 64), and the end-of-stream flag is raised only when more bits were consumed
 * than the window can hold, after which reads return 0. Corrupt streams that libwebp still accepts (a paletted
 * alpha plane may end with an over-read) therefore decode to libwebp's values.
 */
final class Vp8lBitReader {
    /** Largest field {@link #readBits(int)} accepts, as in libwebp. */
    private static final int MAX_READ_BITS = 24;

    private final byte[] data;
    private final int end;
    /** Next byte to load into {@link #window}. */
    private int pos;
    private long window;
    /** Bits of {@link #window} already consumed (can exceed 64 once the data is exhausted). */
    private int bitPos;
    private boolean eos;

    /**
     * @param data   the bytes
     * @param offset first byte of the stream
     * @param length bytes in the stream
     */
    Vp8lBitReader(byte[] data, int offset, int length) {
        this.data = data;
        this.end = offset + length;
        int n = Math.min(length, 8);
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (long) (data[offset + i] & 0xFF) << (8 * i);
        }
        this.window = v;
        this.pos = offset + n;
    }

    /**
     * Reads an unsigned field.
     *
     * @param n bits, 0 to 24
     * @return the field, or 0 once the stream has ended
     */
    int readBits(int n) {
        if (!eos && n <= MAX_READ_BITS) {
            int v = (int) (window >>> (bitPos & 63)) & ((1 << n) - 1);
            bitPos += n;
            shiftBytes();
            return v;
        }
        setEndOfStream();
        return 0;
    }

    /** @return the next (at least 32) unread bits, LSB first, for a table lookup */
    int prefetch() {
        return (int) (window >>> (bitPos & 63));
    }

    /**
     * Consumes bits after a {@link #prefetch()} lookup (no end-of-stream check, like libwebp's {@code VP8LSetBitPos}).
     *
     * @param n bits
     */
    void skip(int n) {
        bitPos += n;
    }

    /** Loads bytes when at least 32 bits of the window are consumed (libwebp's {@code VP8LFillBitWindow}). */
    void fill() {
        if (bitPos >= 32) {
            shiftBytes();
        }
    }

    /** @return the end-of-stream flag as set by reads and fills so far */
    boolean eosFlag() {
        return eos;
    }

    /** @return whether more bits were consumed than the stream holds (libwebp's {@code VP8LIsEndOfStream}) */
    boolean isEndOfStream() {
        return eos || (pos == end && bitPos > 64);
    }

    /** Updates the flag from {@link #isEndOfStream()} (libwebp's {@code br->eos_ = VP8LIsEndOfStream(br)}). */
    void updateEos() {
        eos = isEndOfStream();
    }

    /** Loads whole bytes while 8 or more bits are consumed, then raises the flag on an over-read. */
    private void shiftBytes() {
        while (bitPos >= 8 && pos < end) {
            window = (window >>> 8) | ((long) (data[pos++] & 0xFF) << 56);
            bitPos -= 8;
        }
        if (isEndOfStream()) {
            setEndOfStream();
        }
    }

    /** Sets the flag and, like libwebp, rewinds the position to 0 (later prefetches see the window's start). */
    private void setEndOfStream() {
        eos = true;
        bitPos = 0;
    }
}
