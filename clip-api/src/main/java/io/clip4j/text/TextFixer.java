package io.clip4j.text;

import java.text.Normalizer;

/**
 * clip4j's equivalent of {@code ftfy.fix_text(text)} with ftfy 6.3.1's default settings (step 1 of
 * the reference cleaning). The text is processed line by line (each segment ends after a
 * {@code '\n'}); once a segment contains {@code '<'}, HTML unescaping is switched off for it and
 * all later segments, as ftfy does. Each segment goes through these fixers, in this order,
 * repeatedly until it no longer changes:
 * <ol>
 *   <li>HTML references ({@link HtmlUnescaper#ftfyUnescape}), unless switched off;</li>
 *   <li>mojibake repair: ftfy's {@code fix_encoding} ({@link EncodingRepair}, ftfy's algorithm with its
 *       badness heuristic and codec tables generated from ftfy 6.3.1; ASCII text and text without any
 *       character that mojibake is made of skip it after one scan);</li>
 *   <li>C1 controls U+0080..U+009F read as Windows-1252 (U+0085 -> {@code …});</li>
 *   <li>Latin ligatures and digraphs expanded ({@code ﬁ} -> {@code fi}, {@code ǅ} -> {@code Dž}, ...);</li>
 *   <li>full-width and half-width forms U+FF01..U+FFEF to their NFKC form, U+3000 to a space;</li>
 *   <li>curly quotes: U+02BC, U+2018..U+201B -> {@code '}; U+201C..U+201F -> {@code "};</li>
 *   <li>line breaks: CR LF, CR, U+2028, U+2029, U+0085 -> LF;</li>
 *   <li>lone surrogates -> U+FFFD (the reference cannot even UTF-8-encode them);</li>
 *   <li>terminal escapes {@code ESC [ (digit|;)* letter} removed;</li>
 *   <li>control characters removed: U+0000..U+0008, U+000B, U+000E..U+001F, U+007F,
 *       U+206A..U+206F, U+FEFF, U+FFF9..U+FFFC (TAB, LF, FF and CR are kept);</li>
 *   <li>NFC normalisation with Unicode 14.0 data, like the reference's Python 3.11 ({@link Nfc14}:
 *       {@link Normalizer} unless the text holds code points whose normalisation data the JVM's
 *       Unicode version does not share with 14.0).</li>
 * </ol>
 */
final class TextFixer {
    private static final int MAX_SEGMENT = 1_000_000; // ftfy's max_decode_length (code points)
    private static final String[] WIDTH_MAP = buildWidthMap();

    private TextFixer() {}

    static String fixText(String text) {
        if (isPlainAscii(text)) {
            return text; // nothing any fixer would change: no '&', ESC or control characters
        }
        int firstNewline = text.indexOf('\n');
        if ((firstNewline < 0 || firstNewline == text.length() - 1) && text.length() <= MAX_SEGMENT) {
            // one segment, as most captions are: skip the loop's substring and copies
            return fixSegment(text, text.indexOf('<') < 0);
        }
        StringBuilder out = new StringBuilder(text.length());
        boolean unescapeHtml = true;
        int pos = 0;
        while (pos < text.length()) {
            int newline = text.indexOf('\n', pos);
            int end = newline < 0 ? text.length() : newline + 1;
            if (text.codePointCount(pos, end) > MAX_SEGMENT) {
                end = text.offsetByCodePoints(pos, MAX_SEGMENT);
            }
            String segment = text.substring(pos, end);
            if (unescapeHtml && segment.indexOf('<') >= 0) {
                unescapeHtml = false;
            }
            out.append(fixSegment(segment, unescapeHtml));
            pos = end;
        }
        return out.toString();
    }

    private static String fixSegment(String text, boolean unescapeHtml) {
        for (int round = 0; round < 64; round++) { // ftfy loops to a fixed point; 64 guards against cycles
            String orig = text;
            if (unescapeHtml) {
                text = HtmlUnescaper.ftfyUnescape(text);
            }
            text = EncodingRepair.fixEncoding(text);
            text = mapChars(text);
            text = fixLineBreaks(text);
            text = removeTerminalEscapes(text);
            text = removeControlChars(text);
            text = Nfc14.normalize(text);
            if (text.equals(orig)) {
                return text;
            }
        }
        return text;
    }

    /** C1 controls, ligatures, character width, curly quotes and lone surrogates in one pass. */
    private static String mapChars(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = null;
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    if (out != null) {
                        out.append(c).append(s.charAt(i + 1));
                    }
                    i++;
                    continue;
                }
                rep = "\uFFFD";
            } else if (c >= 0x80) {
                // the fixers run in ftfy's order on the same character: C1 -> ligature -> width -> quotes
                char mapped = c <= 0x9F ? HtmlUnescaper.CP1252_C1.charAt(c - 0x80) : c;
                rep = mapped >= 0x130 ? mapBmpChar(mapped) : null;
                if (rep == null && mapped != c) {
                    rep = String.valueOf(mapped);
                }
            }
            if (rep != null && !(rep.length() == 1 && rep.charAt(0) == c)) {
                if (out == null) {
                    out = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                out.append(rep);
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    private static String mapBmpChar(char c) {
        switch (c) {
            case '\u0132': return "IJ";
            case '\u0133': return "ij";
            case '\u0149': return "'n"; // "\u02BCn", whose U+02BC the quote fixer then straightens
            case '\u01C4': return "D\u017D";
            case '\u01C5': return "D\u017E";
            case '\u01C6': return "d\u017E";
            case '\u01C7': return "LJ";
            case '\u01C8': return "Lj";
            case '\u01C9': return "lj";
            case '\u01CA': return "NJ";
            case '\u01CB': return "Nj";
            case '\u01CC': return "nj";
            case '\u01F1': return "DZ";
            case '\u01F2': return "Dz";
            case '\u01F3': return "dz";
            case '\uFB00': return "ff";
            case '\uFB01': return "fi";
            case '\uFB02': return "fl";
            case '\uFB03': return "ffi";
            case '\uFB04': return "ffl";
            case '\uFB05': return "\u017Ft";
            case '\uFB06': return "st";
            case '\u3000': return " ";
            case '\u02BC': case '\u2018': case '\u2019': case '\u201A': case '\u201B': return "'";
            case '\u201C': case '\u201D': case '\u201E': case '\u201F': return "\"";
            default:
                return c >= 0xFF01 && c <= 0xFFEF ? WIDTH_MAP[c - 0xFF01] : null;
        }
    }

    private static String fixLineBreaks(String s) {
        if (s.indexOf('\r') < 0 && s.indexOf('\u2028') < 0 && s.indexOf('\u2029') < 0 && s.indexOf('\u0085') < 0) {
            return s;
        }
        return s.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n')
                .replace('\u2029', '\n').replace('\u0085', '\n');
    }

    /** Removes {@code ESC [ (\d|;)* [a-zA-Z]} (Python's {@code \d}: a decimal digit of Unicode 14.0). */
    private static String removeTerminalEscapes(String s) {
        int esc = s.indexOf('\u001B');
        if (esc < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        int copied = 0;
        while (esc >= 0) {
            int end = -1;
            if (esc + 1 < s.length() && s.charAt(esc + 1) == '[') {
                int p = esc + 2;
                while (p < s.length()) {
                    int cp = s.codePointAt(p);
                    if (cp != ';' && !UnicodeData.isPythonDecimal(cp)) {
                        break;
                    }
                    p += Character.charCount(cp);
                }
                if (p < s.length() && isAsciiLetter(s.charAt(p))) {
                    end = p + 1;
                }
            }
            if (end > 0) {
                out.append(s, copied, esc);
                copied = end;
                esc = s.indexOf('\u001B', end);
            } else {
                esc = s.indexOf('\u001B', esc + 1);
            }
        }
        return out.append(s, copied, s.length()).toString();
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static String removeControlChars(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isRemovedControl(c)) {
                if (out == null) {
                    out = new StringBuilder(s.length()).append(s, 0, i);
                }
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    private static boolean isRemovedControl(char c) {
        return (c <= 0x08) || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F
                || (c >= 0x206A && c <= 0x206F) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
    }

    /** ASCII without '&', ESC, CR or removed controls: fix_text returns such text unchanged. */
    private static boolean isPlainAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80 || c == '&' || c == '\r' || isRemovedControl(c)) {
                return false;
            }
        }
        return true;
    }

    private static String[] buildWidthMap() {
        String[] map = new String[0xFFEF - 0xFF01 + 1];
        for (char c = 0xFF01; c <= 0xFFEF; c++) {
            String nfkc = Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFKC);
            map[c - 0xFF01] = nfkc.equals(String.valueOf(c)) ? null : nfkc;
        }
        return map;
    }
}
