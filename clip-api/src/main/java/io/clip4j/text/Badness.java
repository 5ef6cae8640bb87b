package io.clip4j.text;

import java.util.BitSet;

/**
 * ftfy's mojibake heuristic {@code badness.is_bad}: does the text contain one of the character sequences of
 * {@code BADNESS_RE} (lowercase accented letters followed by currency signs, C1 controls, box drawing next to
 * accented letters, {@code вЂ}, {@code √≠}, ...)? The pattern is ftfy's own, translated by gen_ftfy_tables.py
 * with explicit code points (Python's Unicode {@code \s} and {@code \w} of Unicode 14.0 included), so it matches
 * exactly what Python's {@code re} matches, on any JVM; {@link CharSequencePattern} runs it.
 *
 * <p>Fast path: every match contains one of {@link FtfyTables#BADNESS_REQUIRED} (checked by the generator), so
 * text without such a character - nearly all ordinary text - is rejected by one scan. Where there are such
 * characters, a match is tried only at the positions from {@link FtfyTables#BADNESS_MAX_WIDTH} - 1 code points
 * before each of them up to it (no match is longer).
 */
final class Badness {
    private static final CharSequencePattern BADNESS = CharSequencePattern.compile(FtfyTables.BADNESS_RE);
    private static final BitSet REQUIRED = new BitSet(0x10000);

    static {
        for (int i = 0; i < FtfyTables.BADNESS_REQUIRED.length(); i++) {
            REQUIRED.set(FtfyTables.BADNESS_REQUIRED.charAt(i));
        }
    }

    private Badness() {}

    /** ftfy's {@code is_bad(text)}. */
    static boolean isBad(String text) {
        int tried = 0; // match starts below this index have been tried
        for (int i = 0; i < text.length(); i++) {
            if (!isRequired(text.charAt(i))) {
                continue;
            }
            int start = i;
            for (int k = 1; k < FtfyTables.BADNESS_MAX_WIDTH && start > 0; k++) {
                start = text.offsetByCodePoints(start, -1);
            }
            for (int p = Math.max(start, tried); p <= i; p++) {
                boolean boundary = !(p > 0 && Character.isLowSurrogate(text.charAt(p))
                        && Character.isHighSurrogate(text.charAt(p - 1)));
                if (boundary && BADNESS.matchesAt(text, p)) {
                    return true;
                }
            }
            tried = i + 1;
        }
        return false;
    }

    private static boolean isRequired(char c) {
        return c >= 0x80 && REQUIRED.get(c);
    }
}
