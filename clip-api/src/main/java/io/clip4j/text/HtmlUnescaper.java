package io.clip4j.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTML character-reference decoding: Python's {@code html.unescape} (step 2 of the reference
 * cleaning) and ftfy's stricter {@code unescape_html} fixer. Both use the HTML5 named references of
 * Python 3.11 ({@code html5_entities.txt}, 2231 names, 106 of them without the semicolon).
 */
final class HtmlUnescaper {
    private static final Map<String, String> HTML5 = loadEntities();
    /** ftfy's table: "&name;" for every name ending in ';', plus upper-cased variants (see below). */
    private static final Map<String, String> FTFY_ENTITIES = buildFtfyEntities();

    /** Windows-1252 meanings of C1 code points; the five undefined ones map to themselves. */
    static final String CP1252_C1 = "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F"
            + "\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178";

    private HtmlUnescaper() {}

    /**
     * Python {@code html.unescape}: decodes {@code &name;}, {@code &name} (longest legacy prefix),
     * {@code &#123;} and {@code &#x1F;} references (semicolon optional) the way the HTML5 spec says.
     */
    static String pythonUnescape(String s) {
        int amp = s.indexOf('&');
        if (amp < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (amp >= 0) {
            out.append(s, i, amp);
            int end = matchCharref(s, amp + 1);
            if (end < 0) {
                out.append('&');
                i = amp + 1;
            } else {
                out.append(replaceCharref(s.substring(amp + 1, end)));
                i = end;
            }
            amp = s.indexOf('&', i);
        }
        return out.append(s, i, s.length()).toString();
    }

    /** End of {@code (#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)} starting at {@code p}, or -1. */
    private static int matchCharref(String s, int p) {
        int n = s.length();
        if (p < n && s.charAt(p) == '#') {
            int q = p + 1;
            boolean hex = q < n && (s.charAt(q) == 'x' || s.charAt(q) == 'X');
            int digits = hex ? q + 1 : q;
            int e = digits;
            while (e < n && (hex ? Character.digit(s.charAt(e), 16) >= 0 && s.charAt(e) < 128 : isAsciiDigit(s.charAt(e)))) {
                e++;
            }
            if (e == digits) {
                return -1; // '#' cannot start a name either, so "&#" / "&#x" without digits stays as is
            }
            return e < n && s.charAt(e) == ';' ? e + 1 : e;
        }
        int e = p;
        int count = 0;
        while (e < n && count < 32) {
            char c = s.charAt(e);
            if (c == '\t' || c == '\n' || c == '\f' || c == ' ' || c == '<' || c == '&' || c == '#' || c == ';') {
                break;
            }
            e += Character.isHighSurrogate(c) && e + 1 < n && Character.isLowSurrogate(s.charAt(e + 1)) ? 2 : 1;
            count++;
        }
        if (count == 0) {
            return -1;
        }
        return e < n && s.charAt(e) == ';' ? e + 1 : e;
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Python's {@code html._replace_charref} for the text after '&'. */
    private static String replaceCharref(String ref) {
        if (ref.charAt(0) == '#') {
            boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
            String digits = ref.substring(hex ? 2 : 1, ref.endsWith(";") ? ref.length() - 1 : ref.length());
            long num = parseBounded(digits, hex ? 16 : 10);
            if (num == 0) {
                return "\uFFFD";
            }
            if (num == 0x0D) {
                return "\r";
            }
            if (num >= 0x80 && num <= 0x9F) {
                return String.valueOf(CP1252_C1.charAt((int) num - 0x80));
            }
            if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
                return "\uFFFD";
            }
            int cp = (int) num;
            if (isInvalidCodepoint(cp)) {
                return "";
            }
            return new String(Character.toChars(cp));
        }
        String value = HTML5.get(ref);
        if (value != null) {
            return value;
        }
        for (int x = ref.length() - 1; x > 1; x--) {
            value = HTML5.get(ref.substring(0, x));
            if (value != null) {
                return value + ref.substring(x);
            }
        }
        return "&" + ref;
    }

    /** Parses digits; anything above 0x10FFFF saturates (Python's int is unbounded, only the range test matters). */
    private static long parseBounded(String digits, int radix) {
        long v = 0;
        for (int i = 0; i < digits.length(); i++) {
            v = v * radix + Character.digit(digits.charAt(i), radix);
            if (v > 0x10FFFF) {
                return 0x110000;
            }
        }
        return v;
    }

    /** Python's {@code html._invalid_codepoints} (C0/C1 controls except TAB/LF/FF/CR, noncharacters). */
    private static boolean isInvalidCodepoint(int cp) {
        return (cp >= 0x1 && cp <= 0x8) || cp == 0xB || (cp >= 0xE && cp <= 0x1F) || (cp >= 0x7F && cp <= 0x9F)
                || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
    }

    /**
     * ftfy 6.3.1 {@code fixes.unescape_html}: only complete references {@code &#?[0-9A-Za-z]{1,24};}
     * are decoded: known names (also all-caps variants of lower-case names such as
     * {@code &NTILDE;} -> {@code Ñ}) and numeric references whose decoding consumes the ';'.
     */
    static String ftfyUnescape(String s) {
        int amp = s.indexOf('&');
        if (amp < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (amp >= 0) {
            int end = matchFtfyEntity(s, amp);
            if (end < 0) {
                amp = s.indexOf('&', amp + 1);
                continue;
            }
            out.append(s, i, amp);
            String ref = s.substring(amp, end);
            String value = FTFY_ENTITIES.get(ref);
            if (value == null && ref.startsWith("&#")) {
                String decoded = pythonUnescape(ref);
                value = decoded.indexOf(';') >= 0 ? ref : decoded;
            }
            out.append(value == null ? ref : value);
            i = end;
            amp = s.indexOf('&', i);
        }
        return out.append(s, i, s.length()).toString();
    }

    /** End (after ';') of {@code &#?[0-9A-Za-z]{1,24};} at {@code amp}, or -1. */
    private static int matchFtfyEntity(String s, int amp) {
        int p = amp + 1;
        if (p < s.length() && s.charAt(p) == '#') {
            p++;
        }
        int e = p;
        while (e < s.length() && e - p < 24 && isAsciiAlnum(s.charAt(e))) {
            e++;
        }
        return e > p && e < s.length() && s.charAt(e) == ';' ? e + 1 : -1;
    }

    private static boolean isAsciiAlnum(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    private static Map<String, String> buildFtfyEntities() {
        Map<String, String> map = new HashMap<>(HTML5.size() * 2);
        for (Map.Entry<String, String> e : HTML5.entrySet()) {
            String name = e.getKey();
            if (!name.endsWith(";")) {
                continue;
            }
            map.put("&" + name, e.getValue());
            // ftfy also accepts ALL-CAPS spellings of lower-case names, unless html.unescape
            // would already give the upper-case spelling another meaning.
            if (name.equals(name.toLowerCase(Locale.ROOT))) {
                String upper = "&" + name.toUpperCase(Locale.ROOT);
                if (pythonUnescape(upper).equals(upper)) {
                    map.put(upper, e.getValue().toUpperCase(Locale.ROOT));
                }
            }
        }
        return map;
    }

    private static Map<String, String> loadEntities() {
        Map<String, String> map = new HashMap<>(4096);
        try (InputStream in = HtmlUnescaper.class.getResourceAsStream("html5_entities.txt")) {
            if (in == null) {
                throw new IllegalStateException("missing resource io/clip4j/text/html5_entities.txt");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int tab = line.indexOf('\t');
                StringBuilder value = new StringBuilder(2);
                for (String hex : line.substring(tab + 1).split(" ")) {
                    value.appendCodePoint(Integer.parseInt(hex, 16));
                }
                map.put(line.substring(0, tab), value.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read io/clip4j/text/html5_entities.txt", e);
        }
        return map;
    }
}
