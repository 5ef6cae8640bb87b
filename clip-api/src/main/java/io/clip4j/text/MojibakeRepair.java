package io.clip4j.text;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Repairs UTF-8 text that was decoded as Latin-1 / Windows-1252 ("mojibake", e.g. {@code cafÃ©}
 * -> {@code café}, {@code â€œ} -> {@code “}, double-encoded {@code Ã¢â‚¬â„¢} -> {@code ’}).
 *
 * <p>This is clip4j's own, deliberately small stand-in for ftfy's {@code fix_encoding}; it is not
 * a port of ftfy's heuristic. What it does:
 * <ol>
 *   <li>Whole text: if every character has a byte in Latin-1 (tried first) or in "sloppy"
 *       Windows-1252 (C1 code points standing for the five undefined bytes), those bytes form
 *       valid UTF-8, and the text contains at least one <em>suspicious</em> UTF-8-like sequence
 *       (below), the text is replaced by the decoded bytes.</li>
 *   <li>Otherwise, each maximal run of UTF-8-like sequences (a lead character for byte C2..F4
 *       followed by the right number of characters for bytes 80..BF, forming a valid UTF-8
 *       sequence) is decoded in place if it is suspicious and not directly preceded by another
 *       continuation-byte character other than Windows-1252 quotes, bullet, dashes and ellipsis
 *       (so a fragment of a larger garble is left alone).</li>
 *   <li>Both are repeated until nothing changes (double mojibake).</li>
 * </ol>
 * A sequence is <em>suspicious</em> when at least one of its continuation characters is not one
 * of the punctuation marks that often follow an accented letter in real text (no-break space,
 * guillemets, curly quotes, low-9 quotes, bullet, en/em dash, ellipsis). This reproduces ftfy on
 * the reference fixtures: e.g. {@code ã‚“} (a legitimate-looking {@code ã} followed by quotes) is
 * left alone, as ftfy does. Not covered (ftfy would repair some of them): mojibake through other
 * code pages (Windows-1250/1251/1253/1254/1257, ISO-8859-2, MacRoman, CP437), UTF-8 whose 0xA0
 * bytes became spaces, lossy sequences containing U+FFFD/0x1A, CESU-8 / Java "modified UTF-8".
 */
final class MojibakeRepair {
    private static final int NO_BYTE = -1;

    private MojibakeRepair() {}

    /** Repairs mojibake until the text no longer changes. */
    static String fix(String text) {
        for (int round = 0; round < 16; round++) { // each round shortens the text; 16 is far beyond real nesting
            String fixed = fixOnce(text);
            if (fixed.equals(text)) {
                return text;
            }
            text = fixed;
        }
        return text;
    }

    private static String fixOnce(String text) {
        if (isAscii(text)) {
            return text;
        }
        if (hasSuspiciousSequence(text)) {
            String whole = decodeWhole(text, true);
            if (whole == null) {
                whole = decodeWhole(text, false);
            }
            if (whole != null) {
                return whole;
            }
        }
        return decodeSegments(text);
    }

    /** Encodes with Latin-1 or sloppy Windows-1252 and decodes as strict UTF-8; null if either fails. */
    private static String decodeWhole(String text, boolean latin1) {
        byte[] bytes = new byte[text.length()];
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int b = latin1 ? (c < 0x100 ? c : NO_BYTE) : sloppyCp1252Byte(c);
            if (b == NO_BYTE) {
                return null;
            }
            bytes[i] = (byte) b;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean hasSuspiciousSequence(String text) {
        for (int i = 0; i < text.length(); i++) {
            int len = sequenceLength(text, i);
            if (len > 0 && isSuspicious(text, i, len)) {
                return true;
            }
        }
        return false;
    }

    private static String decodeSegments(String text) {
        StringBuilder out = null;
        int copied = 0;
        int i = 0;
        while (i < text.length()) {
            int len = sequenceLength(text, i);
            boolean afterContinuation = i > 0 && isContinuation(text.charAt(i - 1)) && !isCp1252Punctuation(text.charAt(i - 1));
            if (len == 0 || afterContinuation) {
                i++;
                continue;
            }
            // coalesce adjacent sequences into one run, like ftfy's detector does
            int end = i + len;
            boolean suspicious = isSuspicious(text, i, len);
            for (int next; (next = sequenceLength(text, end)) > 0; end += next) {
                suspicious |= isSuspicious(text, end, next);
            }
            if (!suspicious) {
                i = end;
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            out.append(text, copied, i);
            byte[] bytes = new byte[end - i];
            for (int k = i; k < end; k++) {
                bytes[k - i] = (byte) byteOf(text.charAt(k));
            }
            out.append(new String(bytes, StandardCharsets.UTF_8)); // valid by construction
            copied = end;
            i = end;
        }
        return out == null ? text : out.append(text, copied, text.length()).toString();
    }

    /** Length in chars of a valid UTF-8-like sequence starting at {@code i}, or 0. */
    private static int sequenceLength(String text, int i) {
        if (i >= text.length()) {
            return 0;
        }
        int lead = byteOf(text.charAt(i));
        int need;
        int min2 = 0x80;
        int max2 = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            need = 1;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            need = 2;
            if (lead == 0xE0) {
                min2 = 0xA0; // no overlong forms
            } else if (lead == 0xED) {
                max2 = 0x9F; // no surrogates
            }
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            need = 3;
            if (lead == 0xF0) {
                min2 = 0x90;
            } else if (lead == 0xF4) {
                max2 = 0x8F; // nothing above U+10FFFF
            }
        } else {
            return 0;
        }
        if (i + need >= text.length()) {
            return 0;
        }
        int second = byteOf(text.charAt(i + 1));
        if (second < min2 || second > max2) {
            return 0;
        }
        for (int k = 2; k <= need; k++) {
            if (!isContinuation(text.charAt(i + k))) {
                return 0;
            }
        }
        return need + 1;
    }

    private static boolean isSuspicious(String text, int start, int len) {
        for (int k = start + 1; k < start + len; k++) {
            if (!isNatural(text.charAt(k))) {
                return true;
            }
        }
        return false;
    }

    /** Continuation-byte characters that are common in real text right after an accented letter. */
    private static boolean isNatural(char c) {
        switch (c) {
            case '\u00A0': case '\u00AB': case '\u00BB':
            case '\u2018': case '\u2019': case '\u201A': case '\u201C': case '\u201D': case '\u201E':
            case '\u2022': case '\u2013': case '\u2014': case '\u2026':
                return true;
            default:
                return false;
        }
    }

    /** Quotes, bullet, dashes and ellipsis of Windows-1252's 0x80..0x9F block: ordinary text, not garble. */
    private static boolean isCp1252Punctuation(char c) {
        switch (c) {
            case '\u201A': case '\u201E': case '\u2026': case '\u2018': case '\u2019': case '\u201C': case '\u201D':
            case '\u2022': case '\u2013': case '\u2014':
                return true;
            default:
                return false;
        }
    }

    private static boolean isContinuation(char c) {
        int b = byteOf(c);
        return b >= 0x80 && b <= 0xBF;
    }

    /** The byte a character stands for in Latin-1 or Windows-1252 (C1 code points stand for themselves). */
    private static int byteOf(char c) {
        if (c < 0x100) {
            return c;
        }
        return sloppyCp1252Byte(c);
    }

    /** Byte of {@code c} in "sloppy" Windows-1252 (undefined bytes 81, 8D, 8F, 90, 9D decode to C1 code points). */
    private static int sloppyCp1252Byte(char c) {
        if (c < 0x80 || (c >= 0xA0 && c < 0x100)) {
            return c;
        }
        int k = HtmlUnescaper.CP1252_C1.indexOf(c);
        return k < 0 ? NO_BYTE : 0x80 + k;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
