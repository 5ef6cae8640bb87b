package io.clip4j.text;

/**
 * The UTF-8 decoders that ftfy's {@code fix_encoding} ends with, on byte strings (chars 0..255, see
 * {@link SloppyCodecs}): Python's strict {@code "utf-8"} codec, and ftfy's {@code "utf-8-variants"} codec, which
 * it uses instead when the bytes contain 0xED or 0xC0. The variants codec also accepts CESU-8 (a surrogate pair
 * encoded as two 3-byte sequences, as Java's "modified UTF-8" does) and Java's {@code C0 80} for U+0000; anything
 * else invalid fails as in strict UTF-8. Written by hand rather than with the JVM's decoder so that exactly
 * Python's notion of valid UTF-8 applies (no surrogates, no overlong forms, nothing above U+10FFFF).
 */
final class Utf8Variants {
    private Utf8Variants() {}

    /** {@code bytes.decode("utf-8-variants" if 0xED or 0xC0 in bytes else "utf-8")}; null where it raises. */
    static String decode(String bytes) {
        boolean variants = bytes.indexOf(0xED) >= 0 || bytes.indexOf(0xC0) >= 0;
        StringBuilder out = new StringBuilder(bytes.length());
        boolean ok = variants ? decodeVariants(bytes, out) : decodeStrict(bytes, 0, bytes.length(), out);
        return ok ? out.toString() : null;
    }

    /**
     * ftfy's IncrementalDecoder with final=True: the bytes before each special sequence ({@code C0 80},
     * {@code ED A0..BF ...}) are decoded strictly; {@code C0 80} is U+0000, six CESU-8 bytes are one
     * supplementary code point, and any other surrogate sequence fails.
     */
    private static boolean decodeVariants(String b, StringBuilder out) {
        int n = b.length();
        int pos = 0;
        while (pos < n) {
            int s = nextSpecial(b, pos);
            if (s < 0) {
                return decodeStrict(b, pos, n, out);
            }
            if (!decodeStrict(b, pos, s, out)) {
                return false;
            }
            if (b.charAt(s) == 0xC0) {
                if (n - s < 2) {
                    return false;
                }
                out.append('\0'); // C0 80, or C0 before a final LF: ftfy's pattern C0(80|$) takes it, $ as in Python
                pos = s + 2;
            } else if (n - s >= 6 && isCesu8(b, s)) {
                int cp = ((b.charAt(s + 1) & 0x0F) << 16) + ((b.charAt(s + 2) & 0x3F) << 10)
                        + ((b.charAt(s + 4) & 0x0F) << 6) + (b.charAt(s + 5) & 0x3F) + 0x10000;
                out.appendCodePoint(cp);
                pos = s + 6;
            } else {
                return false;
            }
        }
        return true;
    }

    /**
     * Start of the next match of ftfy's SPECIAL_BYTES_RE: {@code C0(80|$)} or {@code ED([A0-BF]|$)}, where
     * Python's {@code $} also matches before a final LF.
     */
    private static int nextSpecial(String b, int from) {
        int n = b.length();
        for (int i = from; i < n; i++) {
            char c = b.charAt(i);
            if (c != 0xC0 && c != 0xED) {
                continue;
            }
            if (i + 1 == n || (i + 2 == n && b.charAt(i + 1) == '\n')) {
                return i;
            }
            char next = b.charAt(i + 1);
            if (c == 0xC0 ? next == 0x80 : next >= 0xA0 && next <= 0xBF) {
                return i;
            }
        }
        return -1;
    }

    /** ftfy's CESU8_RE at s (at least 6 bytes): ED A0-AF 80-BF ED B0-BF (80-BF | $), $ being before a final LF. */
    private static boolean isCesu8(String b, int s) {
        char last = b.charAt(s + 5);
        return in(b.charAt(s + 1), 0xA0, 0xAF) && in(b.charAt(s + 2), 0x80, 0xBF) && b.charAt(s + 3) == 0xED
                && in(b.charAt(s + 4), 0xB0, 0xBF)
                && (in(last, 0x80, 0xBF) || (last == '\n' && s + 6 == b.length()));
    }

    /** Python's strict UTF-8 decoding of bytes [from, to); false on any invalid or truncated sequence. */
    static boolean decodeStrict(String b, int from, int to, StringBuilder out) {
        int i = from;
        while (i < to) {
            int c = b.charAt(i);
            if (c < 0x80) {
                out.append((char) c);
                i++;
                continue;
            }
            int len;
            int lo = 0x80;
            int hi = 0xBF; // allowed range of the second byte
            if (c >= 0xC2 && c <= 0xDF) {
                len = 2;
            } else if (c >= 0xE0 && c <= 0xEF) {
                len = 3;
                if (c == 0xE0) {
                    lo = 0xA0; // no overlong forms
                } else if (c == 0xED) {
                    hi = 0x9F; // no surrogates
                }
            } else if (c >= 0xF0 && c <= 0xF4) {
                len = 4;
                if (c == 0xF0) {
                    lo = 0x90;
                } else if (c == 0xF4) {
                    hi = 0x8F; // nothing above U+10FFFF
                }
            } else {
                return false;
            }
            if (i + len > to || !in(b.charAt(i + 1), lo, hi)) {
                return false;
            }
            int cp = c & (0xFF >> (len + 1));
            for (int k = 1; k < len; k++) {
                char cont = b.charAt(i + k);
                if (!in(cont, 0x80, 0xBF)) {
                    return false;
                }
                cp = (cp << 6) | (cont & 0x3F);
            }
            out.appendCodePoint(cp);
            i += len;
        }
        return true;
    }

    private static boolean in(char c, int lo, int hi) {
        return c >= lo && c <= hi;
    }
}
