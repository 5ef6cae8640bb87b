package io.clip4j.text;

/**
 * Step 7: the byte-level alphabet of GPT-2/CLIP ({@code bytes_to_unicode}). Bytes {@code !..~},
 * {@code ¡..¬}, {@code ®..ÿ} stand for themselves; the other 68 bytes map, in increasing byte
 * order, to U+0100, U+0101, ... The alphabet order (printable bytes first) is also the order of
 * the first 256 vocabulary entries.
 */
final class ByteLevel {
    /** byte (0..255) -> alphabet character. */
    static final char[] BYTE_TO_CHAR = new char[256];
    /** Alphabet in vocabulary order: entry k is the character of vocabulary id k. */
    static final char[] ALPHABET = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[0x144];

    static {
        boolean[] printable = new boolean[256];
        int k = 0;
        for (int b = 0; b < 256; b++) {
            printable[b] = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            if (printable[b]) {
                BYTE_TO_CHAR[b] = (char) b;
                ALPHABET[k++] = (char) b;
            }
        }
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            if (!printable[b]) {
                BYTE_TO_CHAR[b] = (char) (0x100 + extra++);
                ALPHABET[k++] = BYTE_TO_CHAR[b];
            }
        }
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        for (int b = 0; b < 256; b++) {
            CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
        }
    }

    private ByteLevel() {}

    /** The byte an alphabet character stands for, or -1 if it is not in the alphabet. */
    static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /**
     * Python's {@code bytes.decode('utf-8', errors='replace')}: each maximal ill-formed subpart
     * becomes one U+FFFD (the Unicode "best practice" Python follows).
     */
    static String decodeUtf8Replace(byte[] b, int len) {
        StringBuilder out = new StringBuilder(len);
        int i = 0;
        while (i < len) {
            int lead = b[i] & 0xFF;
            if (lead < 0x80) {
                out.append((char) lead);
                i++;
                continue;
            }
            int need;
            int lo = 0x80;
            int hi = 0xBF;
            if (lead >= 0xC2 && lead <= 0xDF) {
                need = 1;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                need = 2;
                lo = lead == 0xE0 ? 0xA0 : 0x80;
                hi = lead == 0xED ? 0x9F : 0xBF;
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                need = 3;
                lo = lead == 0xF0 ? 0x90 : 0x80;
                hi = lead == 0xF4 ? 0x8F : 0xBF;
            } else {
                out.append('\uFFFD');
                i++;
                continue;
            }
            int cp = lead & (0x3F >> need);
            int j = i + 1;
            int got = 0;
            while (got < need && j < len) {
                int c = b[j] & 0xFF;
                boolean ok = got == 0 ? (c >= lo && c <= hi) : (c >= 0x80 && c <= 0xBF);
                if (!ok) {
                    break;
                }
                cp = (cp << 6) | (c & 0x3F);
                got++;
                j++;
            }
            if (got == need) {
                out.appendCodePoint(cp);
            } else {
                out.append('\uFFFD');
            }
            i = j;
        }
        return out.toString();
    }
}
