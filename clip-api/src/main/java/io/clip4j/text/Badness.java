package io.clip4j.text;

import java.util.BitSet;
import java.util.regex.Pattern;

/**
 * ftfy's mojibake heuristic {@code badness.is_bad}: does the text contain one of the character sequences of
 * {@code BADNESS_RE} (lowercase accented letters followed by currency signs, C1 controls, box drawing next to
 * accented letters, {@code вЂ}, {@code √≠}, ...)? The pattern is ftfy's own, translated by gen_ftfy_tables.py
 * with explicit code points (Python's Unicode {@code \s} and {@code \w} of Unicode 14.0 included), so it matches
 * exactly what Python's {@code re} matches, on any JVM.
 *
 * <p>Fast path: every match contains one of {@link FtfyTables#BADNESS_REQUIRED} (checked by the generator), so
 * text without such a character - nearly all ordinary text - is rejected by one scan without the regex.
 */
final class Badness {
    private static final Pattern BADNESS = Pattern.compile(FtfyTables.BADNESS_RE);
    private static final BitSet REQUIRED = new BitSet(0x10000);

    static {
        for (int i = 0; i < FtfyTables.BADNESS_REQUIRED.length(); i++) {
            REQUIRED.set(FtfyTables.BADNESS_REQUIRED.charAt(i));
        }
    }

    private Badness() {}

    /** ftfy's {@code is_bad(text)}. */
    static boolean isBad(String text) {
        return mayBeBad(text) && BADNESS.matcher(text).find();
    }

    private static boolean mayBeBad(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 && REQUIRED.get(c)) {
                return true;
            }
        }
        return false;
    }
}
