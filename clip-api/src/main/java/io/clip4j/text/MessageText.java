package io.clip4j.text;

/**
 * User text as an error message quotes it: one line, and harmless on a terminal. A caption's line break split the
 * CLI's one-line errors, a terminal escape in a label recoloured the terminal, and a megabyte caption was quoted
 * whole.
 */
public final class MessageText {
    private MessageText() {
    }

    /**
     * Escapes control characters as Java writes them ({@code \n}, {@code \r}, {@code \t}, else {@code \}{@code uXXXX};
     * also U+2028/U+2029, which some terminals break lines at) and cuts the text after {@code maxChars} characters
     * (not inside a surrogate pair), marking the cut with {@code ...}.
     *
     * @param text     any text
     * @param maxChars how many of its characters to keep, &ge; 1
     * @return the printable form, without quotes
     * @throws NullPointerException     if {@code text} is null
     * @throws IllegalArgumentException if {@code maxChars < 1}
     */
    public static String printable(String text, int maxChars) {
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxChars must be >= 1, got " + maxChars);
        }
        int end = text.length() <= maxChars ? text.length()
                : Character.isHighSurrogate(text.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
        StringBuilder sb = new StringBuilder(end + 8);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return end < text.length() ? sb.append("...").toString() : sb.toString();
    }
}
