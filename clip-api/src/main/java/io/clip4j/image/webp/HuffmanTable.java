package io.clip4j.image.webp;

/**
 * One canonical prefix code of a VP8L stream with its lookup table: a root table indexed by up to 8 bits,
 * plus second-level tables for longer codes, as libwebp decodes it ({@code ReadSymbol}). Entries pack
 * {@code bits << 16 | value}; a root entry with more than 8 bits points to a second-level table at
 * {@code value}. A code with a single symbol has length zero: reading it consumes no bits.
 */
final class HuffmanTable {
    /** Longest code length the format allows. */
    static final int MAX_LENGTH = 15;
    private static final int ROOT_BITS = 8;

    private final int[] entries;
    private final int rootMask;
    private final boolean single;

    private HuffmanTable(int[] entries, int rootBits, boolean single) {
        this.entries = entries;
        this.rootMask = (1 << rootBits) - 1;
        this.single = single;
    }

    /** @return whether the code has one symbol (read with zero bits) */
    boolean isSingleSymbol() {
        return single;
    }

    /** @return the symbol of a single-symbol code (meaningful only if {@link #isSingleSymbol()}) */
    int singleSymbol() {
        return entries[0] & 0xFFFF;
    }

    /**
     * Decodes one symbol: a root lookup on the next 8 bits and, for a longer code, a second lookup after
     * consuming those 8 (the same two prefetches as libwebp, which matters only for bits past the data's end).
     *
     * @param br the stream
     * @return the symbol
     */
    int readSymbol(Vp8lBitReader br) {
        int e = entries[br.prefetch() & rootMask];
        int bits = e >>> 16;
        if (bits > ROOT_BITS) {
            br.skip(ROOT_BITS);
            e = entries[(e & 0xFFFF) + (br.prefetch() & ((1 << (bits - ROOT_BITS)) - 1))];
            bits = e >>> 16;
        }
        br.skip(bits);
        return e & 0xFFFF;
    }

    /**
     * Builds the canonical code for the given code lengths, accepting what libwebp's {@code BuildHuffmanTable}
     * accepts: exactly one used symbol (whatever its length), or a complete code (Kraft sum exactly 1). No used
     * symbol, an over-subscribed or an incomplete code is rejected.
     *
     * @param lengths code length per symbol, 0 (unused) to 15
     * @param n       alphabet size (the first {@code n} entries of {@code lengths})
     * @return the table, or {@code null} if the lengths do not form a code libwebp accepts
     */
    static HuffmanTable build(int[] lengths, int n) {
        int[] count = new int[MAX_LENGTH + 1];
        int used = 0;
        int last = -1;
        for (int s = 0; s < n; s++) {
            int len = lengths[s];
            if (len > MAX_LENGTH || len < 0) {
                return null;
            }
            count[len]++;
            if (len > 0) {
                used++;
                last = s;
            }
        }
        if (used == 0) {
            return null;
        }
        if (used == 1) {
            return new HuffmanTable(new int[] {last}, 0, true);
        }
        int open = 1;
        int maxLen = 0;
        for (int len = 1; len <= MAX_LENGTH; len++) {
            open = (open << 1) - count[len];
            if (open < 0) {
                return null; // over-subscribed
            }
            if (count[len] > 0) {
                maxLen = len;
            }
        }
        if (open != 0) {
            return null; // incomplete
        }
        // Canonical codes: by length, then by symbol; the stream sends them LSB first, hence the reversal.
        int[] next = new int[MAX_LENGTH + 2];
        int code = 0;
        for (int len = 1; len <= MAX_LENGTH; len++) {
            code = (code + (len == 1 ? 0 : count[len - 1])) << 1;
            next[len] = code;
        }
        int rootBits = Math.min(ROOT_BITS, maxLen);
        int[] reversed = new int[n];
        int[] subBits = maxLen > ROOT_BITS ? new int[1 << ROOT_BITS] : null;
        for (int s = 0; s < n; s++) {
            int len = lengths[s];
            if (len > 0) {
                int r = Integer.reverse(next[len]++) >>> (32 - len);
                reversed[s] = r;
                if (len > ROOT_BITS) {
                    int p = r & 0xFF;
                    subBits[p] = Math.max(subBits[p], len - ROOT_BITS);
                }
            }
        }
        int size = 1 << rootBits;
        if (subBits != null) {
            for (int b : subBits) {
                if (b > 0) {
                    size += 1 << b;
                }
            }
        }
        int[] t = new int[size];
        if (subBits != null) {
            int off = 1 << ROOT_BITS;
            for (int p = 0; p < subBits.length; p++) {
                if (subBits[p] > 0) {
                    t[p] = ((ROOT_BITS + subBits[p]) << 16) | off;
                    off += 1 << subBits[p];
                }
            }
        }
        for (int s = 0; s < n; s++) {
            int len = lengths[s];
            if (len == 0) {
                continue;
            }
            int r = reversed[s];
            if (len <= rootBits) {
                for (int i = r; i < (1 << rootBits); i += 1 << len) {
                    t[i] = (len << 16) | s;
                }
            } else {
                int p = r & 0xFF;
                int base = t[p] & 0xFFFF;
                int sub = len - ROOT_BITS;
                for (int i = r >>> ROOT_BITS; i < (1 << subBits[p]); i += 1 << sub) {
                    t[base + i] = (sub << 16) | s;
                }
            }
        }
        return new HuffmanTable(t, rootBits, false);
    }
}
