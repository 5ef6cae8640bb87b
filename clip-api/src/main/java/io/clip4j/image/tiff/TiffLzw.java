package io.clip4j.image.tiff;

import io.clip4j.image.ImageDecodeException;

/**
 * TIFF LZW (MSB-first codes of 9 to 12 bits, code width growing one code early) as libtiff 4.5.0
 * decodes a strip or tile: stops once the output is full, fails when the data ends first, when a code
 * refers to an entry not yet defined or when the table overflows. The old-style (pre-5.0, LSB-first)
 * variant that libtiff recognises from the first two bytes is rejected rather than decoded.
 */
final class TiffLzw {
    private static final int CLEAR = 256;
    private static final int EOI = 257;
    /** libtiff's table size: 4096 codes plus slack, so a late clear code does not overflow it. */
    private static final int TABLE = 4096 + 1024 - 1;

    private TiffLzw() {
    }

    /**
     * @param in  the compressed bytes
     * @param off where they start
     * @param len how many there are
     * @param out receives exactly {@code out.length} decoded bytes
     * @throws ImageDecodeException on corrupt or short data
     */
    static void decode(byte[] in, int off, int len, byte[] out) {
        if (len >= 2 && in[off] == 0 && (in[off + 1] & 1) != 0) {
            throw new ImageDecodeException("TIFF: old-style LZW is not supported");
        }
        int[] prefix = new int[TABLE];
        byte[] suffix = new byte[TABLE];
        byte[] first = new byte[TABLE];
        int[] length = new int[TABLE];
        for (int i = 0; i < 256; i++) {
            suffix[i] = (byte) i;
            first[i] = (byte) i;
            length[i] = 1;
        }
        int next = 258;
        int width = 9;
        int old = -1;
        long bitBuf = 0;
        int bitCount = 0;
        int p = off;
        int end = off + len;
        int o = 0;
        while (o < out.length) {
            while (bitCount < width) {
                if (p >= end) {
                    throw new ImageDecodeException("TIFF: LZW data ends early (" + o + " of " + out.length + " bytes)");
                }
                bitBuf = bitBuf << 8 | (in[p++] & 0xFF);
                bitCount += 8;
            }
            int code = (int) (bitBuf >>> (bitCount - width)) & ((1 << width) - 1);
            bitCount -= width;
            if (code == CLEAR) {
                next = 258;
                width = 9;
                old = -1;
                continue;
            }
            if (code == EOI) {
                throw new ImageDecodeException("TIFF: LZW data ends early (" + o + " of " + out.length + " bytes)");
            }
            int entry;
            if (old < 0) {
                if (code > 255) {
                    throw new ImageDecodeException("TIFF: corrupt LZW data (code " + code + " after a clear)");
                }
                entry = code;
            } else {
                if (code > next || next >= TABLE) {
                    throw new ImageDecodeException("TIFF: corrupt LZW data (code " + code + ", table at " + next + ")");
                }
                prefix[next] = old;
                suffix[next] = first[code == next ? old : code];
                first[next] = first[old];
                length[next] = length[old] + 1;
                next++;
                entry = code;
                // libtiff widens the codes one entry early (the "early change" of TIFF 6.0)
                if (next + 1 > (1 << width) - 1 && width < 12) {
                    width++;
                }
            }
            o = emit(entry, prefix, suffix, length, out, o);
            old = code;
        }
    }

    /** Writes the string of {@code code} (as far as it fits) and returns the new output position. */
    private static int emit(int code, int[] prefix, byte[] suffix, int[] length, byte[] out, int o) {
        int n = length[code];
        int c = code;
        for (int i = n - 1; i >= 0; i--) {
            if (o + i < out.length) {
                out[o + i] = suffix[c];
            }
            c = prefix[c];
        }
        return Math.min(out.length, o + n);
    }
}
