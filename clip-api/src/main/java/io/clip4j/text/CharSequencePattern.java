package io.clip4j.text;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A regular expression of the one shape ftfy's {@code BADNESS_RE} has, compiled for fast search: a top-level
 * {@code (?:A|B|...)} whose alternatives are sequences of single code points, each a character class
 * ({@code [...]}, {@code [^...]} with {@code \x{H}} escapes, ASCII letters and digits, ranges) or a literal
 * {@code \x{H}}, optionally followed by {@code {0,1}} (as {@code (?:[...]){0,1}}), and {@code ^} (start of text) at
 * the start of an alternative. java.util.regex tests a large class item by item (the badness pattern has one of
 * 1,335 ranges), which made {@code is_bad} cost about 80 µs per caption with two accented characters; here a class
 * is a bit set over the BMP and sorted ranges above it. {@code BadnessPatternTest} checks it against
 * java.util.regex on the same pattern.
 */
final class CharSequencePattern {
    /** One position of an alternative: the code points it accepts, and whether it may be absent. */
    private static final class Element {
        final BitSet bmp = new BitSet(0x10000);
        /** Sorted, disjoint [lo, hi] pairs above the BMP. */
        int[] astral = new int[0];
        boolean negated;
        boolean optional;

        boolean accepts(int cp) {
            boolean in = cp < 0x10000 ? bmp.get(cp) : inAstral(cp);
            return in != negated;
        }

        private boolean inAstral(int cp) {
            int lo = 0;
            int hi = astral.length / 2 - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (cp < astral[2 * mid]) {
                    hi = mid - 1;
                } else if (cp > astral[2 * mid + 1]) {
                    lo = mid + 1;
                } else {
                    return true;
                }
            }
            return false;
        }
    }

    /** An alternative: its elements, and whether it is anchored at the start of the text. */
    private static final class Alternative {
        final List<Element> elements = new ArrayList<>();
        boolean anchored;
    }

    private final List<Alternative> alternatives = new ArrayList<>();
    /** BMP code points that some alternative can begin with (a superset); unused when {@link #startsAny}. */
    private final BitSet startBmp = new BitSet(0x10000);
    /** Whether an alternative can begin with a negated class or match the empty string: no filter then. */
    private boolean startsAny;

    /** Fills {@link #startBmp}: each alternative's leading optional elements and its first required one. */
    private void computeStarts() {
        for (Alternative a : alternatives) {
            boolean required = false;
            for (Element el : a.elements) {
                startsAny |= el.negated;
                startBmp.or(el.bmp);
                if (!el.optional) {
                    required = true;
                    break;
                }
            }
            startsAny |= !required;
        }
    }

    private CharSequencePattern() {
    }

    /**
     * Compiles a pattern of the shape described above.
     *
     * @throws IllegalArgumentException if the pattern has any other syntax
     */
    static CharSequencePattern compile(String regex) {
        return new Parser(regex).parse();
    }

    /**
     * Whether a match starts at {@code start} (a code point boundary) of {@code text}, like
     * {@code Matcher.region(start, text.length()).lookingAt()} with transparent, non-anchoring bounds.
     */
    boolean matchesAt(CharSequence text, int start) {
        if (start < text.length() && !startsAny) {
            int cp = Character.codePointAt(text, start);
            if (cp < 0x10000 && !startBmp.get(cp)) {
                return false; // no alternative can begin with this character: skip trying each of them
            }
        }
        for (Alternative a : alternatives) {
            if ((!a.anchored || start == 0) && matches(a.elements, 0, text, start)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(List<Element> elements, int e, CharSequence text, int at) {
        if (e == elements.size()) {
            return true;
        }
        Element el = elements.get(e);
        if (at < text.length()) {
            int cp = Character.codePointAt(text, at);
            if (el.accepts(cp) && matches(elements, e + 1, text, at + Character.charCount(cp))) {
                return true;
            }
        }
        return el.optional && matches(elements, e + 1, text, at);
    }

    /** A recursive-descent reader of exactly the syntax above. */
    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        CharSequencePattern parse() {
            CharSequencePattern p = new CharSequencePattern();
            expect("(?:");
            do {
                p.alternatives.add(alternative());
            } while (take('|'));
            expect(")");
            if (i != s.length()) {
                throw error("trailing text");
            }
            p.computeStarts();
            return p;
        }

        private Alternative alternative() {
            Alternative a = new Alternative();
            a.anchored = take('^');
            while (i < s.length() && s.charAt(i) != '|' && s.charAt(i) != ')') {
                Element el;
                if (s.startsWith("(?:", i)) { // (?:[...]){0,1}
                    i += 3;
                    el = element();
                    expect("){0,1}");
                    el.optional = true;
                } else {
                    el = element();
                }
                a.elements.add(el);
            }
            if (a.elements.isEmpty()) {
                throw error("empty alternative");
            }
            return a;
        }

        private Element element() {
            Element el = new Element();
            List<int[]> ranges = new ArrayList<>();
            if (take('[')) {
                el.negated = take('^');
                while (!take(']')) {
                    int lo = codePoint();
                    int hi = lo;
                    if (s.charAt(i) == '-' && s.charAt(i + 1) != ']') {
                        i++;
                        hi = codePoint();
                    }
                    ranges.add(new int[]{lo, hi});
                }
            } else {
                int cp = codePoint();
                ranges.add(new int[]{cp, cp});
            }
            List<Integer> astral = new ArrayList<>();
            ranges.sort((x, y) -> Integer.compare(x[0], y[0]));
            for (int[] r : ranges) {
                if (r[0] < 0x10000) {
                    el.bmp.set(r[0], Math.min(r[1], 0xFFFF) + 1);
                }
                if (r[1] >= 0x10000) {
                    int lo = Math.max(r[0], 0x10000);
                    int n = astral.size();
                    if (n > 0 && lo <= astral.get(n - 1) + 1) { // overlapping or adjacent: merge
                        astral.set(n - 1, Math.max(astral.get(n - 1), r[1]));
                    } else {
                        astral.add(lo);
                        astral.add(r[1]);
                    }
                }
            }
            el.astral = astral.stream().mapToInt(Integer::intValue).toArray();
            return el;
        }

        /** {@code \x{H}}, or an ASCII letter or digit standing for itself. */
        private int codePoint() {
            if (s.startsWith("\\x{", i)) {
                int close = s.indexOf('}', i);
                int cp = Integer.parseInt(s.substring(i + 3, close), 16);
                i = close + 1;
                return cp;
            }
            char c = s.charAt(i);
            if (c < 0x80 && Character.isLetterOrDigit(c)) {
                i++;
                return c;
            }
            throw error("unsupported character '" + c + "'");
        }

        private boolean take(char c) {
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        private void expect(String t) {
            if (!s.startsWith(t, i)) {
                throw error("expected " + t);
            }
            i += t.length();
        }

        private IllegalArgumentException error(String why) {
            return new IllegalArgumentException("unsupported pattern syntax at " + i + ": " + why + " in "
                    + s.substring(i, Math.min(s.length(), i + 40)) + "...");
        }
    }
}
