package io.clip4j.text;

import java.util.BitSet;

/**
 * ftfy's {@code UTF8_DETECTOR_RE}: runs of characters that look like UTF-8 bytes decoded in a single-byte
 * encoding, {@code (?<![\x80-\xBF])(first2 cont | first3 cont{2} | first4 cont{3})+} over the character classes of
 * {@code chardata.UTF8_CLUES} (from {@link FtfyTables}). Matched by hand, not with java.util.regex, whose greedy
 * group repetition recurses once per repetition and could overflow the stack on long runs. Since nothing
 * follows the repetition, the regex's match is exactly this greedy scan: at each step the first alternative that
 * matches.
 */
final class Utf8Detector {
    private static final BitSet FIRST_OF_2 = set(FtfyTables.UTF8_FIRST_OF_2);
    private static final BitSet FIRST_OF_3 = set(FtfyTables.UTF8_FIRST_OF_3);
    private static final BitSet FIRST_OF_4 = set(FtfyTables.UTF8_FIRST_OF_4);
    private static final BitSet CONTINUATION = set(FtfyTables.UTF8_CONTINUATION);
    private static final BitSet CONTINUATION_STRICT = set(FtfyTables.UTF8_CONTINUATION_STRICT);

    private Utf8Detector() {}

    /** Start of the first match at or after {@code from}, or -1. */
    static int find(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            if (matchEnd(text, i) >= 0) {
                return i;
            }
        }
        return -1;
    }

    /** End of the match starting at {@code start}, or -1 if none starts there. */
    static int matchEnd(String text, int start) {
        if (start > 0 && CONTINUATION_STRICT.get(text.charAt(start - 1))) {
            return -1;
        }
        int p = start;
        for (int next = step(text, p); next >= 0; next = step(text, p)) {
            p = next;
        }
        return p > start ? p : -1;
    }

    /** End of one sequence (lead character plus continuations) at p, trying the alternatives in order. */
    private static int step(String text, int p) {
        if (p >= text.length()) {
            return -1;
        }
        char c = text.charAt(p);
        if (FIRST_OF_2.get(c) && continuations(text, p + 1, 1)) {
            return p + 2;
        }
        if (FIRST_OF_3.get(c) && continuations(text, p + 1, 2)) {
            return p + 3;
        }
        if (FIRST_OF_4.get(c) && continuations(text, p + 1, 3)) {
            return p + 4;
        }
        return -1;
    }

    private static boolean continuations(String text, int p, int count) {
        if (p + count > text.length()) {
            return false;
        }
        for (int i = p; i < p + count; i++) {
            if (!CONTINUATION.get(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static BitSet set(String chars) {
        BitSet s = new BitSet(0x10000);
        for (int i = 0; i < chars.length(); i++) {
            s.set(chars.charAt(i));
        }
        return s;
    }
}
