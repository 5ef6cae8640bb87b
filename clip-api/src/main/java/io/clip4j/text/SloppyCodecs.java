package io.clip4j.text;

import java.util.Arrays;

/**
 * The single-byte encodings that ftfy's {@code fix_encoding} tries, in its order
 * ({@code chardata.CHARMAP_ENCODINGS}: Latin-1, ftfy's "sloppy" Windows-1252/1251/1250/1253/1254/1257, ISO-8859-2,
 * MacRoman, CP437), with their 256-entry decoding tables from {@link FtfyTables}. The JVM's charsets are not used:
 * ftfy's sloppy codecs differ from them (undefined bytes decode to the Latin-1 character, byte 0x1A to U+FFFD), and
 * Android need not ship MacRoman or CP437.
 *
 * <p>Encoded text is returned as a "byte string": a {@link String} whose chars are the byte values 0..255, so the
 * byte patterns of ftfy (restore_byte_a0, lossy sequences) can be matched with java.util.regex.
 */
final class SloppyCodecs {
    /** Index of Latin-1 in {@link #count()} order (ftfy tries it first). */
    static final int LATIN_1 = 0;
    /** Index of sloppy Windows-1252, which also decodes C1 controls ({@code fix_c1_controls}). */
    static final int SLOPPY_WINDOWS_1252 = 1;

    private static final String[] TABLES = FtfyTables.CHARMAP_TABLES;
    /** Per encoding: the characters that bytes 0x80..0xFF and 0x1A decode to, sorted, and their bytes. */
    private static final char[][] ENCODABLE = new char[TABLES.length][];
    private static final char[][] ENCODED_BYTE = new char[TABLES.length][];

    static {
        if (!FtfyTables.CHARMAP_ENCODINGS[LATIN_1].equals("latin-1")
                || !FtfyTables.CHARMAP_ENCODINGS[SLOPPY_WINDOWS_1252].equals("sloppy-windows-1252")) {
            throw new IllegalStateException("unexpected ftfy encoding order");
        }
        for (int e = 0; e < TABLES.length; e++) {
            long[] pairs = new long[129]; // (character << 8 | byte), sorted by character
            int n = 0;
            for (int b = 0x80; b <= 0xFF; b++) {
                pairs[n++] = ((long) TABLES[e].charAt(b) << 8) | b;
            }
            pairs[n++] = ((long) TABLES[e].charAt(0x1A) << 8) | 0x1A;
            Arrays.sort(pairs);
            ENCODABLE[e] = new char[n];
            ENCODED_BYTE[e] = new char[n];
            for (int i = 0; i < n; i++) {
                ENCODABLE[e][i] = (char) (pairs[i] >>> 8);
                ENCODED_BYTE[e][i] = (char) (pairs[i] & 0xFF);
            }
        }
    }

    private SloppyCodecs() {}

    static int count() {
        return TABLES.length;
    }

    /** ftfy's name of encoding {@code e}, e.g. {@code sloppy-windows-1252}. */
    static String name(int e) {
        return FtfyTables.CHARMAP_ENCODINGS[e];
    }

    /** ftfy's {@code possible_encoding(text, "ascii")}: every char below U+0080. */
    static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code text.encode(encoding)} where ftfy's {@code possible_encoding(text, encoding)} holds, else null. As in
     * ftfy, the character of byte 0x1A counts (U+FFFD in the sloppy codecs) but a raw U+001A only where the
     * encoding decodes 0x1A to it.
     */
    static String encode(String text, int e) {
        char[] out = new char[text.length()];
        for (int i = 0; i < out.length; i++) {
            char c = text.charAt(i);
            if (c < 0x80 && c != 0x1A) {
                out[i] = c;
                continue;
            }
            int k = Arrays.binarySearch(ENCODABLE[e], c);
            if (k < 0) {
                return null;
            }
            out[i] = ENCODED_BYTE[e][k];
        }
        return new String(out);
    }

    /** The character that byte {@code b} (0..255) decodes to in encoding {@code e}. */
    static char decode(int e, int b) {
        return TABLES[e].charAt(b);
    }

    /** Python's strict {@code bytes.decode("windows-1252")} of a byte string; null on an undefined byte. */
    static String decodeWindows1252Strict(String bytes) {
        char[] out = new char[bytes.length()];
        for (int i = 0; i < out.length; i++) {
            char c = FtfyTables.WINDOWS_1252_STRICT.charAt(bytes.charAt(i));
            if (c == '\uFFFD') {
                return null;
            }
            out[i] = c;
        }
        return new String(out);
    }
}
