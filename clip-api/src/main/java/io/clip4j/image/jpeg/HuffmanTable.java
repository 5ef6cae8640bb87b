package io.clip4j.image.jpeg;

import io.clip4j.image.ImageDecodeException;

/**
 * One decoding Huffman table of a DHT segment, expanded for fast decoding (the equivalent of
 * libjpeg's {@code jpeg_make_d_derived_tbl}): a 9-bit look-ahead table for short codes plus the
 * canonical {@code maxcode}/{@code valptr} arrays for codes of 10 to 16 bits.
 */
final class HuffmanTable {
    /** Codes up to this many bits are resolved with one table lookup. */
    static final int LOOKAHEAD = 9;

    /** Index = next 9 bits; value = (code length &lt;&lt; 8) | symbol, 0 if the code is longer. */
    final int[] lookup = new int[1 << LOOKAHEAD];
    /** Largest code of each length 1..16 (index = length), -1 if none. */
    final int[] maxcode = new int[18];
    /** Index into {@link #symbols} of the first code of each length, minus that code. */
    final int[] valoffset = new int[18];
    final int[] symbols;

    /**
     * @param counts  number of codes of each length 1..16 ({@code counts[0]} unused)
     * @param symbols the symbols in code order
     * @throws ImageDecodeException if the code lengths overflow (an invalid table)
     */
    HuffmanTable(int[] counts, int[] symbols) {
        this.symbols = symbols;
        int code = 0;
        int k = 0;
        for (int len = 1; len <= 16; len++) {
            int n = counts[len];
            valoffset[len] = k - code;
            if (n == 0) {
                maxcode[len] = -1;
            } else {
                for (int i = 0; i < n; i++, k++, code++) {
                    if (code >= (1 << len)) {
                        throw new ImageDecodeException("JPEG: corrupt Huffman table (code lengths overflow)");
                    }
                    if (len <= LOOKAHEAD) {
                        int shift = LOOKAHEAD - len;
                        int entry = (len << 8) | symbols[k];
                        int first = code << shift;
                        for (int j = 0; j < (1 << shift); j++) {
                            lookup[first + j] = entry;
                        }
                    }
                }
                maxcode[len] = code - 1;
            }
            // Like libjpeg: the all-ones code of every length is reserved, so the next code must stay below 2^len.
            if (code >= (1 << len)) {
                throw new ImageDecodeException("JPEG: corrupt Huffman table (code lengths overflow)");
            }
            code <<= 1;
        }
        maxcode[17] = Integer.MAX_VALUE; // sentinel: no code is longer than 16 bits
    }
}
