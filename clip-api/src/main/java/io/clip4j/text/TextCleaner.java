package io.clip4j.text;

/**
 * Steps 1-5 of the reference encoding ({@code basic_clean}, {@code whitespace_clean} and
 * {@code .lower()} of CLIP's simple_tokenizer.py): ftfy fix, {@code html.unescape} twice, strip,
 * collapse every run of {@code \s} (Unicode White_Space) to one space, strip, Python lower-case.
 */
final class TextCleaner {
    private TextCleaner() {}

    /** The reference's cleaned text (what the pre-tokeniser sees). */
    static String clean(String text) {
        String s = TextFixer.fixText(text);
        s = HtmlUnescaper.pythonUnescape(HtmlUnescaper.pythonUnescape(s));
        s = UnicodeData.pythonStrip(s);
        s = collapseWhitespace(s);
        s = UnicodeData.pythonStrip(s);
        return UnicodeData.pythonLower(s);
    }

    /** {@code regex.sub(r'\s+', ' ', s)}. */
    static String collapseWhitespace(String s) {
        StringBuilder out = null;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int len = Character.charCount(cp);
            if (UnicodeData.isRegexSpace(cp)) {
                int end = i + len;
                while (end < s.length() && UnicodeData.isRegexSpace(s.codePointAt(end))) {
                    end += Character.charCount(s.codePointAt(end));
                }
                if (out == null && !(cp == ' ' && end == i + 1)) {
                    out = new StringBuilder(s.length()).append(s, 0, i);
                }
                if (out != null) {
                    out.append(' ');
                }
                i = end;
            } else {
                if (out != null) {
                    out.appendCodePoint(cp);
                }
                i += len;
            }
        }
        return out == null ? s : out.toString();
    }
}
