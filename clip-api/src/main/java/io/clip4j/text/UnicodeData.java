package io.clip4j.text;

import java.util.Arrays;

/**
 * Character properties exactly as the reference tokenizer sees them, independent of the JVM's
 * Unicode version: the pre-tokeniser classes of the {@code regex} module (Unicode 15.0, with
 * IGNORECASE), Python's {@code str.lower()} and {@code str.isspace()} (Unicode 14.0) and the
 * {@code \s} class (Unicode White_Space). Backed by {@link UnicodeTables}.
 */
final class UnicodeData {
    /** Pre-tokeniser class: a letter ({@code \p{L}}), matched by {@code [\p{L}]+}. */
    static final byte LETTER = 1;
    /** Pre-tokeniser class: a number ({@code \p{N}}), matched one at a time by {@code [\p{N}]}. */
    static final byte NUMBER = 2;
    /**
     * Pre-tokeniser class: matched by no alternative and silently dropped. Only U+0345: under
     * IGNORECASE its case partner (iota) is a letter, so it is excluded from
     * {@code [^\s\p{L}\p{N}]}, yet {@code [\p{L}]} does not match it either.
     */
    static final byte SKIPPED = 3;
    /** Pre-tokeniser class: anything else that is not {@code \s} (punctuation, symbols, marks, emoji...). */
    static final byte OTHER = 0;

    private static final int[] CLASS_FIRST;
    private static final int[] CLASS_LAST;
    private static final byte[] CLASS_VALUE;
    private static final byte[] ASCII_CLASS = new byte[128];

    private static final int[] LOWER_FIRST;
    private static final int[] LOWER_COUNT;
    private static final int[] LOWER_STEP;
    private static final int[] LOWER_DELTA;

    private static final int[] DIGIT_FIRST;
    private static final int[] DIGIT_LAST;

    private static final int[] SIGMA_FIRST;
    private static final int[] SIGMA_LAST;
    private static final boolean[] SIGMA_IGNORABLE;

    static {
        String[] runs = UnicodeTables.PIECE_CLASSES.split(";");
        CLASS_FIRST = new int[runs.length];
        CLASS_LAST = new int[runs.length];
        CLASS_VALUE = new byte[runs.length];
        for (int i = 0; i < runs.length; i++) {
            String[] f = runs[i].split(",");
            CLASS_FIRST[i] = Integer.parseInt(f[0], 16);
            CLASS_LAST[i] = Integer.parseInt(f[1], 16);
            CLASS_VALUE[i] = switch (f[2]) {
                case "L" -> LETTER;
                case "N" -> NUMBER;
                case "X" -> SKIPPED;
                default -> throw new IllegalStateException("bad class table entry " + runs[i]);
            };
        }
        for (int c = 0; c < 128; c++) {
            ASCII_CLASS[c] = lookupClass(c);
        }

        runs = UnicodeTables.LOWER_RUNS.split(";");
        LOWER_FIRST = new int[runs.length];
        LOWER_COUNT = new int[runs.length];
        LOWER_STEP = new int[runs.length];
        LOWER_DELTA = new int[runs.length];
        for (int i = 0; i < runs.length; i++) {
            String[] f = runs[i].split(",");
            LOWER_FIRST[i] = Integer.parseInt(f[0], 16);
            LOWER_COUNT[i] = Integer.parseInt(f[1], 16);
            LOWER_STEP[i] = Integer.parseInt(f[2], 16);
            LOWER_DELTA[i] = Integer.parseInt(f[3], 16);
        }

        runs = UnicodeTables.DIGIT_RUNS.split(";");
        DIGIT_FIRST = new int[runs.length];
        DIGIT_LAST = new int[runs.length];
        for (int i = 0; i < runs.length; i++) {
            String[] f = runs[i].split(",");
            DIGIT_FIRST[i] = Integer.parseInt(f[0], 16);
            DIGIT_LAST[i] = Integer.parseInt(f[1], 16);
        }

        runs = UnicodeTables.SIGMA_PROPS.split(";");
        SIGMA_FIRST = new int[runs.length];
        SIGMA_LAST = new int[runs.length];
        SIGMA_IGNORABLE = new boolean[runs.length];
        for (int i = 0; i < runs.length; i++) {
            String[] f = runs[i].split(",");
            SIGMA_FIRST[i] = Integer.parseInt(f[0], 16);
            SIGMA_LAST[i] = Integer.parseInt(f[1], 16);
            SIGMA_IGNORABLE[i] = f[2].equals("I");
        }
    }

    /** {@link #lowerOf} of U+0000..U+00FF (the same table lookup, done once). */
    private static final char[] LATIN1_LOWER = new char[0x100];

    static {
        for (int c = 0; c < 0x100; c++) {
            LATIN1_LOWER[c] = (char) lookupLower(c);
        }
    }

    private UnicodeData() {}

    /** Pre-tokeniser class of a code point that is not {@code \s}: LETTER, NUMBER, SKIPPED or OTHER. */
    static byte pieceClass(int cp) {
        return cp < 128 ? ASCII_CLASS[cp] : lookupClass(cp);
    }

    private static byte lookupClass(int cp) {
        int i = floorIndex(CLASS_FIRST, cp);
        return i >= 0 && cp <= CLASS_LAST[i] ? CLASS_VALUE[i] : OTHER;
    }

    /** The regex module's {@code \s}: Unicode White_Space (used by the whitespace collapsing and the pre-tokeniser). */
    static boolean isRegexSpace(int cp) {
        if (cp <= 0x20) {
            return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
        }
        return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    /** Python 3.11 {@code re}'s {@code \\d} for one code point: a decimal digit (general category Nd) of Unicode 14.0. */
    static boolean isPythonDecimal(int cp) {
        if (cp < 0x80) {
            return cp >= '0' && cp <= '9';
        }
        int i = floorIndex(DIGIT_FIRST, cp);
        return i >= 0 && cp <= DIGIT_LAST[i];
    }

    /** Python's {@code str.isspace()} for one code point: White_Space plus U+001C..U+001F. */
    static boolean isPythonSpace(int cp) {
        return isRegexSpace(cp) || (cp >= 0x1C && cp <= 0x1F);
    }

    /** Python {@code str.strip()} with no argument. */
    static String pythonStrip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isPythonSpace(s.codePointAt(start))) {
            start += Character.charCount(s.codePointAt(start));
        }
        while (end > start && isPythonSpace(s.codePointBefore(end))) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(start, end);
    }

    /**
     * Python 3.11 {@code str.lower()}: full lower-casing with Unicode 14.0 data, the unconditional
     * special casing of U+0130 ({@code i} + U+0307) and Python's own Final_Sigma rule (it differs
     * from {@link String#toLowerCase}, which looks at word boundaries).
     */
    static String pythonLower(String s) {
        int n = s.length();
        int i = 0;
        while (i < n) { // fast scan: nothing to do for text that is already lower case
            int cp = s.codePointAt(i);
            if (lowerOf(cp) != cp || cp == 0x3A3 || cp == 0x130) {
                break;
            }
            i += Character.charCount(cp);
        }
        if (i == n) {
            return s;
        }
        StringBuilder out = new StringBuilder(n + 4).append(s, 0, i);
        while (i < n) {
            char c = s.charAt(i);
            if (c < 0x80) { // most characters, even in non-ASCII text: skip appendCodePoint's checks
                out.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
                i++;
                continue;
            }
            int cp = s.codePointAt(i);
            if (cp == 0x3A3) {
                out.append(isFinalSigma(s, i) ? '\u03C2' : '\u03C3');
            } else if (cp == 0x130) {
                out.append('i').append('\u0307');
            } else {
                out.appendCodePoint(lowerOf(cp));
            }
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    /** Single-code-point lower-case mapping (identity when there is none). */
    static int lowerOf(int cp) {
        if (cp < 128) {
            return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
        }
        if (cp < 0x100) {
            return LATIN1_LOWER[cp]; // accented letters are common in captions: no binary search
        }
        return lookupLower(cp);
    }

    private static int lookupLower(int cp) {
        int r = floorIndex(LOWER_FIRST, cp);
        if (r < 0) {
            return cp;
        }
        int offset = cp - LOWER_FIRST[r];
        int step = LOWER_STEP[r];
        if (offset % step != 0 || offset / step >= LOWER_COUNT[r]) {
            return cp;
        }
        return cp + LOWER_DELTA[r];
    }

    /** CPython's handle_capital_sigma: cased (case-ignorable)* SIGMA !((case-ignorable)* cased). */
    private static boolean isFinalSigma(String s, int index) {
        int j = index;
        int before = -1;
        while (j > 0) {
            int c = s.codePointBefore(j);
            j -= Character.charCount(c);
            if (sigmaProp(c) != 'I') {
                before = c;
                break;
            }
        }
        if (before < 0 || sigmaProp(before) != 'C') {
            return false;
        }
        j = index + 1;
        while (j < s.length()) {
            int c = s.codePointAt(j);
            j += Character.charCount(c);
            char p = sigmaProp(c);
            if (p != 'I') {
                return p != 'C';
            }
        }
        return true;
    }

    /** 'I' for Case_Ignorable, 'C' for Cased (and not Case_Ignorable), '-' otherwise. */
    private static char sigmaProp(int cp) {
        int i = floorIndex(SIGMA_FIRST, cp);
        if (i >= 0 && cp <= SIGMA_LAST[i]) {
            return SIGMA_IGNORABLE[i] ? 'I' : 'C';
        }
        return '-';
    }

    /** Index of the last element {@code <= key} in a sorted array, or -1. */
    static int floorIndex(int[] sorted, int key) {
        int i = Arrays.binarySearch(sorted, key);
        return i >= 0 ? i : -i - 2;
    }
}
