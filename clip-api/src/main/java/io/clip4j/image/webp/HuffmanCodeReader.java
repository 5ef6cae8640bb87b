package io.clip4j.image.webp;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads prefix codes from a VP8L stream (a "simple" code of one or two symbols, or code lengths coded with
 * the code-length code and its repeat symbols 16, 17, 18), as libwebp's {@code ReadHuffmanCode} does,
 * and builds their tables. Identical codes share one table, so a small stream that declares many identical
 * Huffman groups cannot make the decoder allocate a table per group.
 */
final class HuffmanCodeReader {
    private static final int NUM_CODE_LENGTH_CODES = 19;
    private static final int[] CODE_LENGTH_ORDER = {17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    private static final int[] REPEAT_EXTRA_BITS = {2, 3, 7};
    private static final int[] REPEAT_OFFSET = {3, 3, 11};
    /** Code length assumed before the first non-zero one, for repeat symbol 16. */
    private static final int DEFAULT_CODE_LENGTH = 8;

    private final Vp8lBitReader br;
    private final int[] lengths;
    private final Map<Key, HuffmanTable> built = new HashMap<>();

    /**
     * @param br          the stream
     * @param maxAlphabet largest alphabet this reader will be asked for
     */
    HuffmanCodeReader(Vp8lBitReader br, int maxAlphabet) {
        this.br = br;
        this.lengths = new int[maxAlphabet];
    }

    /**
     * Reads one code.
     *
     * @param alphabetSize symbols of the code's alphabet
     * @return the code's table
     * @throws io.clip4j.image.ImageDecodeException if the code is malformed or not a complete code, or the
     *                                              stream ended (end-of-stream flag) while reading it
     */
    HuffmanTable read(int alphabetSize) {
        boolean simple = br.readBits(1) == 1;
        Arrays.fill(lengths, 0, alphabetSize, 0);
        if (simple) {
            int numSymbols = br.readBits(1) + 1;
            int firstBits = br.readBits(1) == 0 ? 1 : 8;
            int s = br.readBits(firstBits);
            // libwebp stores a symbol past the alphabet (possible for distance codes) where it is never seen.
            if (s < alphabetSize) {
                lengths[s] = 1;
            }
            if (numSymbols == 2) {
                s = br.readBits(8);
                if (s < alphabetSize) {
                    lengths[s] = 1;
                }
            }
        } else {
            int[] codeLengthLengths = new int[NUM_CODE_LENGTH_CODES];
            int numCodes = br.readBits(4) + 4;
            for (int i = 0; i < numCodes; i++) {
                codeLengthLengths[CODE_LENGTH_ORDER[i]] = br.readBits(3);
            }
            readCodeLengths(codeLengthLengths, alphabetSize);
        }
        if (br.eosFlag()) {
            throw ImageStreamDecoder.truncated();
        }
        Key key = new Key(Arrays.copyOf(lengths, alphabetSize));
        HuffmanTable table = built.get(key);
        if (table == null) {
            table = HuffmanTable.build(lengths, alphabetSize);
            if (table == null) {
                throw ImageStreamDecoder.corrupt("invalid Huffman code");
            }
            built.put(key, table);
        }
        return table;
    }

    /**
     * Reads code lengths with the code-length code (libwebp's {@code ReadHuffmanCodeLengths}): literal lengths
     * 0..15, 16 repeats the last non-zero length (8 before any) 3..6 times, 17 and 18 repeat zero 3..10 and
     * 11..138 times; an optional count limits how many code-length symbols are read.
     */
    private void readCodeLengths(int[] codeLengthLengths, int numSymbols) {
        HuffmanTable lengthCode = HuffmanTable.build(codeLengthLengths, NUM_CODE_LENGTH_CODES);
        if (lengthCode == null) {
            throw ImageStreamDecoder.corrupt("invalid code-length code");
        }
        int maxSymbol = numSymbols;
        if (br.readBits(1) == 1) {
            int nbits = 2 + 2 * br.readBits(3);
            maxSymbol = 2 + br.readBits(nbits);
            if (maxSymbol > numSymbols) {
                throw ImageStreamDecoder.corrupt("too many code lengths");
            }
        }
        int symbol = 0;
        int prev = DEFAULT_CODE_LENGTH;
        while (symbol < numSymbols) {
            if (maxSymbol-- == 0) {
                break;
            }
            br.fill();
            int len = lengthCode.readSymbol(br);
            if (len < 16) {
                lengths[symbol++] = len;
                if (len != 0) {
                    prev = len;
                }
            } else {
                int slot = len - 16;
                int repeat = br.readBits(REPEAT_EXTRA_BITS[slot]) + REPEAT_OFFSET[slot];
                if (symbol + repeat > numSymbols) {
                    throw ImageStreamDecoder.corrupt("code lengths repeat past the alphabet");
                }
                int v = len == 16 ? prev : 0;
                for (int i = 0; i < repeat; i++) {
                    lengths[symbol++] = v;
                }
            }
        }
    }

    /** Code lengths compared by value, to share tables between identical codes. */
    private record Key(int[] lengths) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(lengths, k.lengths);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(lengths);
        }

        @Override
        public String toString() {
            return "Key" + Arrays.toString(lengths);
        }
    }
}
