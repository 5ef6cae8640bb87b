package io.clip4j.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Step 6: a hand-written scanner equivalent to the reference pattern
 * {@code <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+}
 * (regex module, IGNORECASE), applied with {@code findall} semantics: at each position the
 * alternatives are tried in order; where none matches (a space, or U+0345) the position is skipped.
 * Character classes come from {@link UnicodeData} (Unicode 15.0 as in the reference). IGNORECASE
 * only matters for characters that survive lower-casing: U+017F (long s) matches {@code s}.
 */
final class PreTokenizer {
    private static final String START = "<|startoftext|>";
    private static final String END = "<|endoftext|>";
    private static final String[] CONTRACTIONS = {"s", "t", "re", "ve", "m", "ll", "d"};

    private PreTokenizer() {}

    /** Splits a cleaned text into pieces, in order. */
    static List<String> split(String text) {
        IntList bounds = new IntList(16);
        split(text, bounds);
        List<String> pieces = new ArrayList<>(bounds.size() / 2);
        for (int k = 0; k < bounds.size(); k += 2) {
            pieces.add(text.substring(bounds.get(k), bounds.get(k + 1)));
        }
        return pieces;
    }

    /**
     * Appends each piece's start and end index to {@code bounds}. The tokenizer uses this rather
     * than substrings: a substring of a text with any non-Latin-1 character is scanned and copied
     * to compact it back to Latin-1, and that copy per piece was the tokenizer's largest cost.
     */
    static void split(String text, IntList bounds) {
        int n = text.length();
        int i = 0;
        while (i < n) {
            int end = matchAt(text, i);
            if (end < 0) {
                i += Character.charCount(text.codePointAt(i));
            } else {
                bounds.add(i);
                bounds.add(end);
                i = end;
            }
        }
    }

    /** End of the match starting at {@code i}, or -1 if no alternative matches there. */
    private static int matchAt(String text, int i) {
        int cp = text.codePointAt(i);
        if (cp == '<') {
            int e = matchIgnoreCase(text, i, START);
            if (e < 0) {
                e = matchIgnoreCase(text, i, END);
            }
            if (e >= 0) {
                return e;
            }
        } else if (cp == '\'') {
            for (String c : CONTRACTIONS) {
                int e = matchIgnoreCase(text, i + 1, c);
                if (e >= 0) {
                    return e;
                }
            }
        }
        if (UnicodeData.isRegexSpace(cp)) {
            return -1;
        }
        byte cls = UnicodeData.pieceClass(cp);
        int len = Character.charCount(cp);
        switch (cls) {
            case UnicodeData.NUMBER:
                return i + len;
            case UnicodeData.SKIPPED:
                return -1;
            case UnicodeData.LETTER:
            default: {
                // greedy run of the same class (letters) or of "other" characters
                int e = i + len;
                while (e < text.length()) {
                    int c = text.codePointAt(e);
                    if (UnicodeData.isRegexSpace(c) || UnicodeData.pieceClass(c) != cls) {
                        break;
                    }
                    e += Character.charCount(c);
                }
                return e;
            }
        }
    }

    /** End of {@code literal} (lower-case ASCII) at {@code i} under the regex module's IGNORECASE, or -1. */
    private static int matchIgnoreCase(String text, int i, String literal) {
        if (i + literal.length() > text.length()) {
            return -1;
        }
        for (int k = 0; k < literal.length(); k++) {
            char want = literal.charAt(k);
            char got = text.charAt(i + k);
            boolean same = got == want
                    || (want >= 'a' && want <= 'z' && got == want - 32)
                    || (want == 's' && got == '\u017F');
            if (!same) {
                return -1;
            }
        }
        return i + literal.length();
    }
}
