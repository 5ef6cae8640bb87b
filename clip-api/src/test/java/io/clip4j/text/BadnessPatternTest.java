package io.clip4j.text;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CharSequencePattern} and {@link Badness} against java.util.regex running the same {@code BADNESS_RE}
 * (which the tokenizer's reference cases check against Python): random texts over the code points at and next to
 * every class boundary of the pattern, ASCII, spaces and supplementary characters.
 */
class BadnessPatternTest {
    private static final Pattern ORACLE = Pattern.compile(FtfyTables.BADNESS_RE);
    private static final CharSequencePattern COMPILED = CharSequencePattern.compile(FtfyTables.BADNESS_RE);

    /** Code points at, and one either side of, every class boundary and literal of the pattern. */
    private static int[] pool() {
        TreeSet<Integer> cps = new TreeSet<>();
        Matcher m = Pattern.compile("\\\\x\\{([0-9a-f]+)\\}").matcher(FtfyTables.BADNESS_RE);
        while (m.find()) {
            int cp = Integer.parseInt(m.group(1), 16);
            for (int d = -1; d <= 1; d++) {
                if (cp + d >= 0 && !Character.isSurrogate((char) (cp + d)) || cp + d > 0xFFFF) {
                    cps.add(cp + d);
                }
            }
        }
        for (char c : "aAzZ09 \t\n.,'é".toCharArray()) {
            cps.add((int) c);
        }
        return cps.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void agreesWithJavaUtilRegexOnRandomTexts() {
        int[] pool = pool();
        Random rnd = new Random(20261207);
        int bad = 0;
        for (int t = 0; t < 80_000; t++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + rnd.nextInt(9);
            for (int k = 0; k < len; k++) {
                sb.appendCodePoint(pool[rnd.nextInt(pool.length)]);
            }
            String text = sb.toString();
            boolean expected = ORACLE.matcher(text).find();
            assertEquals(expected, Badness.isBad(text), () -> "isBad of " + codePoints(text));
            for (int p = 0; p < text.length(); p = text.offsetByCodePoints(p, 1)) {
                boolean at = ORACLE.matcher(text).region(p, text.length()).useTransparentBounds(true)
                        .useAnchoringBounds(false).lookingAt();
                int start = p;
                assertEquals(at, COMPILED.matchesAt(text, p), () -> "match at " + start + " of " + codePoints(text));
            }
            bad += expected ? 1 : 0;
        }
        assertTrue(bad > 1_000, "too few matching texts to compare: " + bad); // measured 1,200+
    }

    @Test
    void badTextsAreFoundInLongerText() {
        // one sample of typical mojibake per family, inside ordinary text and at its start (the ^ alternative)
        for (String mojibake : new String[]{"cafÃ©", "â€™", "вЂ", "Ã\u00a0", "√≠", "\u0080"}) {
            for (String text : new String[]{mojibake, "so " + mojibake + " here", "x".repeat(50) + mojibake}) {
                assertEquals(ORACLE.matcher(text).find(), Badness.isBad(text), text);
            }
        }
        assertEquals(false, Badness.isBad("A small brown dog — café, naïve, 東京"));
    }

    @Test
    void otherSyntaxIsRefused() {
        for (String p : new String[]{"[a-z]", "(?:[a-z]*)", "(?:a|.)", "(?:[a-z]+)", "(?:)"}) {
            assertThrows(IllegalArgumentException.class, () -> CharSequencePattern.compile(p), p);
        }
    }

    private static String codePoints(String s) {
        List<String> out = new ArrayList<>();
        s.codePoints().forEach(cp -> out.add(Integer.toHexString(cp)));
        return out.toString();
    }
}
