package io.clip4j.text;

import java.text.Normalizer;

/**
 * NFC exactly as the reference computes it: Python 3.11's {@code unicodedata.normalize("NFC", s)},
 * Unicode 14.0, whatever the JVM's Unicode version.
 *
 * <p>{@link Normalizer} gives that result unless the text holds a code point whose normalisation
 * data the JVM and Unicode 14.0 disagree on. Decompositions, combining classes and compositions of
 * an assigned code point never change between Unicode versions, so only two kinds matter:
 * <ul>
 *   <li>combining marks new in Unicode 14.0 that an older JVM does not know (Java 17 has Unicode
 *       13.0): it treats them as starters (class 0) and neither reorders nor composes across them
 *       (e.g. {@code ω U+1ACD U+0345} is {@code ῳ U+1ACD} in the reference);</li>
 *   <li>code points unassigned in Unicode 14.0 that a newer JVM knows (Java 21 has 15.0, Java 25
 *       16.0): for the reference they are inert starters, never reordered nor composed.</li>
 * </ul>
 * For such text the normalisation is done here: canonical decomposition ({@link Normalizer} one
 * code point at a time, the two kinds above left as they are), canonical ordering with the
 * Unicode 14.0 combining classes of {@link UnicodeTables#CCC_RUNS}, and canonical composition,
 * whose pairs come from {@link Normalizer} (a pair composes if its NFC is one code point).
 */
final class Nfc14 {
    private static final int[] CCC_FIRST;
    private static final int[] CCC_LAST;
    private static final int[] CCC_VALUE;
    private static final int[] ASSIGNED_FIRST;
    private static final int[] ASSIGNED_LAST;
    private static final int NO_COMPOSITE = -1;

    static {
        String[] runs = UnicodeTables.CCC_RUNS.split(";");
        CCC_FIRST = new int[runs.length];
        CCC_LAST = new int[runs.length];
        CCC_VALUE = new int[runs.length];
        for (int i = 0; i < runs.length; i++) {
            String[] f = runs[i].split(",");
            CCC_FIRST[i] = Integer.parseInt(f[0], 16);
            CCC_LAST[i] = Integer.parseInt(f[1], 16);
            CCC_VALUE[i] = Integer.parseInt(f[2], 16);
        }
        runs = UnicodeTables.ASSIGNED_RUNS.split(";");
        ASSIGNED_FIRST = new int[runs.length];
        ASSIGNED_LAST = new int[runs.length];
        for (int i = 0; i < runs.length; i++) {
            String[] f = runs[i].split(",");
            ASSIGNED_FIRST[i] = Integer.parseInt(f[0], 16);
            ASSIGNED_LAST[i] = Integer.parseInt(f[1], 16);
        }
    }

    private Nfc14() {}

    /** Python 3.11 {@code unicodedata.normalize("NFC", s)} (Unicode 14.0). */
    static String normalize(String s) {
        if (!needsOwnNormalization(s)) {
            return Normalizer.normalize(s, Normalizer.Form.NFC);
        }
        return compose(reorder(decompose(s)));
    }

    /** Canonical combining class in Unicode 14.0 (0 for starters and unassigned code points). */
    static int ccc(int cp) {
        int i = UnicodeData.floorIndex(CCC_FIRST, cp);
        return i >= 0 && cp <= CCC_LAST[i] ? CCC_VALUE[i] : 0;
    }

    /** True if the code point is assigned in Unicode 14.0 (general category other than Cn). */
    static boolean isAssigned14(int cp) {
        int i = UnicodeData.floorIndex(ASSIGNED_FIRST, cp);
        return i >= 0 && cp <= ASSIGNED_LAST[i];
    }

    /** True if the JVM's {@link Normalizer} may treat this code point otherwise than Unicode 14.0. */
    private static boolean isForeign(int cp) {
        boolean jvmKnows = Character.getType(cp) != Character.UNASSIGNED;
        return jvmKnows ? !isAssigned14(cp) : ccc(cp) != 0;
    }

    private static boolean needsOwnNormalization(String s) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (cp >= 0x0300 && isForeign(cp)) {
                return true;
            }
            i += Character.charCount(cp);
        }
        return false;
    }

    /** Canonical decomposition (NFD without ordering), as code points. */
    private static IntList decompose(String s) {
        IntList out = new IntList(s.length() + 8);
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 0xC0 || isForeign(cp) || Character.getType(cp) == Character.UNASSIGNED) {
                out.add(cp);
                continue;
            }
            String d = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFD);
            for (int k = 0; k < d.length(); ) {
                int c = d.codePointAt(k);
                out.add(c);
                k += Character.charCount(c);
            }
        }
        return out;
    }

    /** Canonical ordering: a stable sort of every run of non-starters by combining class. */
    private static IntList reorder(IntList cps) {
        int n = cps.size();
        for (int i = 1; i < n; i++) { // insertion sort; runs of marks are short
            int cp = cps.get(i);
            int c = ccc(cp);
            if (c == 0) {
                continue;
            }
            int j = i - 1;
            while (j >= 0) {
                int prev = ccc(cps.get(j));
                if (prev <= c) {
                    break;
                }
                cps.set(j + 1, cps.get(j));
                j--;
            }
            cps.set(j + 1, cp);
        }
        return cps;
    }

    /** Canonical composition of a decomposed, canonically ordered sequence. */
    private static String compose(IntList cps) {
        IntList out = new IntList(cps.size());
        int starter = -1; // index in out of the last starter
        int lastCcc = -1; // class of the last character kept after that starter; -1: none yet
        for (int i = 0; i < cps.size(); i++) {
            int cp = cps.get(i);
            int c = ccc(cp);
            if (starter >= 0) {
                boolean blocked = lastCcc != -1 && (lastCcc == 0 || lastCcc >= c);
                if (!blocked) {
                    int composite = composite(out.get(starter), cp);
                    if (composite != NO_COMPOSITE) {
                        out.set(starter, composite);
                        continue;
                    }
                }
            }
            if (c == 0) {
                starter = out.size();
                lastCcc = -1;
            } else {
                lastCcc = c;
            }
            out.add(cp);
        }
        StringBuilder sb = new StringBuilder(out.size() + 8);
        for (int i = 0; i < out.size(); i++) {
            sb.appendCodePoint(out.get(i));
        }
        return sb.toString();
    }

    /** The primary composite of a starter and a following character, or {@link #NO_COMPOSITE}. */
    private static int composite(int starter, int next) {
        if (isForeign(starter) || isForeign(next) || Character.getType(starter) == Character.UNASSIGNED
                || Character.getType(next) == Character.UNASSIGNED) {
            return NO_COMPOSITE; // no composition involves a code point new in (or after) Unicode 14.0
        }
        String pair = new StringBuilder(4).appendCodePoint(starter).appendCodePoint(next).toString();
        String nfc = Normalizer.normalize(pair, Normalizer.Form.NFC);
        int first = nfc.codePointAt(0);
        return nfc.length() == Character.charCount(first) ? first : NO_COMPOSITE;
    }
}
