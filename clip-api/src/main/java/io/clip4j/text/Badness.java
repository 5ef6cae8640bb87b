package io.clip4j.text;

import java.util.BitSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ftfy's mojibake heuristic {@code badness.is_bad}: does the text contain one of the character sequences of
 * {@code BADNESS_RE} (lowercase accented letters followed by currency signs, C1 controls, box drawing next to
 * accented letters, {@code вЂ}, {@code √≠}, ...)? The pattern is ftfy's own, translated by gen_ftfy_tables.py
 * with explicit code points (Python's Unicode {@code \s} and {@code \w} of Unicode 14.0 included), so it matches
 * exactly what Python's {@code re} matches, on any JVM.
 *
 * <p>Fast path: every match contains one of {@link FtfyTables#BADNESS_REQUIRED} (checked by the generator), so
 * text without such a character - nearly all ordinary text - is rejected by one scan without the regex. Where
 * there are such characters, the regex only searches the stretches within {@link FtfyTables#BADNESS_MAX_WIDTH}
 * of them (a match cannot reach further), with transparent, non-anchoring bounds so that {@code ^} and the
 * context outside a stretch behave as on the whole text. java.util.regex tests a large character class item by
 * item, so searching all positions of a long text would be several times slower.
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
        int reach = FtfyTables.BADNESS_MAX_WIDTH; // chars; a supplementary code point only widens a stretch
        Matcher m = null;
        int n = text.length();
        int i = 0;
        while (i < n) {
            if (!isRequired(text.charAt(i))) {
                i++;
                continue;
            }
            int start = Math.max(0, i - reach);
            int last = i; // extend the stretch while required characters follow within reach
            for (int k = i + 1; k < n && k <= last + reach; k++) {
                if (isRequired(text.charAt(k))) {
                    last = k;
                }
            }
            int end = Math.min(n, last + reach + 1);
            if (m == null) {
                m = BADNESS.matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
            }
            if (m.region(start, end).find()) {
                return true;
            }
            i = end;
        }
        return false;
    }

    private static boolean isRequired(char c) {
        return c >= 0x80 && REQUIRED.get(c);
    }
}
