package io.clip4j.text;

/**
 * How many columns of a monospaced terminal a text takes, for aligning tables of labels and class names: East Asian
 * wide and fullwidth characters (CJK ideographs, kana, Hangul, fullwidth forms) and emoji take two, combining marks
 * and format characters none, every other character one (a simplified {@code wcwidth}).
 */
public final class TerminalColumns {
    private TerminalColumns() {
    }

    /**
     * The columns a text takes on a terminal.
     *
     * @param text the text
     * @return its width in terminal columns (0 for the empty string)
     */
    public static int width(String text) {
        int w = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            w += width(cp);
        }
        return w;
    }

    /**
     * The text followed by spaces up to {@code columns} terminal columns (the text unchanged if it is as wide or
     * wider), like {@code String.format("%-Ns", text)} but counting columns rather than chars.
     *
     * @param text    the text
     * @param columns the width to fill
     * @return the padded text
     */
    public static String padRight(String text, int columns) {
        StringBuilder sb = new StringBuilder(text);
        for (int w = width(text); w < columns; w++) {
            sb.append(' ');
        }
        return sb.toString();
    }

    private static int width(int cp) {
        int type = Character.getType(cp);
        if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.FORMAT
                || cp == 0x200B) {
            return 0;
        }
        return isWide(cp) ? 2 : 1;
    }

    /** East Asian Wide (W) and Fullwidth (F) blocks, and the emoji blocks terminals draw two columns wide. */
    private static boolean isWide(int cp) {
        return (cp >= 0x1100 && cp <= 0x115F) // Hangul Jamo initials
                || (cp >= 0x2E80 && cp <= 0x303E) // CJK radicals, Kangxi, CJK symbols and punctuation
                || (cp >= 0x3041 && cp <= 0x33FF) // kana, Bopomofo, Hangul compatibility Jamo, CJK compatibility
                || (cp >= 0x3400 && cp <= 0x4DBF) // CJK extension A
                || (cp >= 0x4E00 && cp <= 0x9FFF) // CJK unified ideographs
                || (cp >= 0xA000 && cp <= 0xA4CF) // Yi
                || (cp >= 0xAC00 && cp <= 0xD7A3) // Hangul syllables
                || (cp >= 0xF900 && cp <= 0xFAFF) // CJK compatibility ideographs
                || (cp >= 0xFE30 && cp <= 0xFE4F) // CJK compatibility forms
                || (cp >= 0xFF00 && cp <= 0xFF60) // fullwidth forms
                || (cp >= 0xFFE0 && cp <= 0xFFE6) // fullwidth signs
                || (cp >= 0x1F300 && cp <= 0x1F64F) // pictographs, emoticons
                || (cp >= 0x1F900 && cp <= 0x1F9FF) // supplemental symbols and pictographs
                || (cp >= 0x20000 && cp <= 0x3FFFD); // CJK extensions B and beyond
    }
}
