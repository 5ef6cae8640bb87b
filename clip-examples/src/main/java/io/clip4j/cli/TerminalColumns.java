package io.clip4j.cli;

import org.jline.utils.WCWidth;

/**
 * Widths in terminal columns, for aligning tables of labels: CJK and emoji characters take two columns, combining
 * marks none. The per-character widths are JLine's {@code wcwidth} (already here with the progress bar).
 */
final class TerminalColumns {
    private TerminalColumns() {
    }

    /** {@return the columns {@code text} takes on a terminal (control characters count as none)} */
    static int width(String text) {
        int w = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            w += Math.max(0, WCWidth.wcwidth(cp));
        }
        return w;
    }

    /** {@return {@code text} followed by spaces up to {@code columns} columns (unchanged if as wide or wider)} */
    static String padRight(String text, int columns) {
        StringBuilder sb = new StringBuilder(text);
        for (int w = width(text); w < columns; w++) {
            sb.append(' ');
        }
        return sb.toString();
    }
}
