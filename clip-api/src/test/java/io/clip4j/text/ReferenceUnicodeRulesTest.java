package io.clip4j.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reference behaviours that the 301 fixtures do not reach but that depend on Unicode data or on
 * Python semantics (expected values are what CPython 3.11 {@code str.lower()} and the
 * {@code regex} module's {@code findall} with the reference pattern return). They pin down that
 * the bundled tables, not the JVM's Unicode version, decide.
 */
class ReferenceUnicodeRulesTest {

    @Test
    void preTokeniserFindallSemantics() {
        // U+0345: under IGNORECASE no alternative matches it, so it is dropped
        assertEquals(List.of("a", "b"), PreTokenizer.split("a\u0345b"));
        // IGNORECASE: long s matches 's' in the contraction alternative
        assertEquals(List.of("it", "'\u017F"), PreTokenizer.split("it'\u017F"));
        // a punctuation run swallows the '<' before a special token
        assertEquals(List.of("!<|", "endoftext", "|>"), PreTokenizer.split("!<|endoftext|>"));
        assertEquals(List.of("<|endoftext|>", "x"), PreTokenizer.split("<|endoftext|>x"));
        assertEquals(List.of("x", "''", "s"), PreTokenizer.split("x''s"));
        assertEquals(List.of("x", "1", "2"), PreTokenizer.split("x12"));
        // combining marks are not letters
        assertEquals(List.of("e", "\u0301", "t"), PreTokenizer.split("e\u0301t"));
    }

    @Test
    void letterClassesAreUnicode15() {
        // U+1E4D0 NAG MUNDARI LETTER O: a letter since Unicode 15.0 (Java 17 does not know it)
        assertEquals(List.of("\uD839\uDCD0x"), PreTokenizer.split("\uD839\uDCD0x"));
        // U+10D4A (Garay script): a letter only since Unicode 16.0, unassigned for the reference
        assertEquals(List.of("x", "\uD803\uDD4A"), PreTokenizer.split("x\uD803\uDD4A"));
    }

    @Test
    void pythonLowerCasing() {
        assertEquals("a.\u03C2", UnicodeData.pythonLower("A.\u03A3")); // '.' is case-ignorable
        assertEquals("\u03C3", UnicodeData.pythonLower("\u03A3"));
        assertEquals("a\u03C3b", UnicodeData.pythonLower("A\u03A3B"));
        assertEquals("a\u03C2.", UnicodeData.pythonLower("A\u03A3."));
        assertEquals("i\u0307", UnicodeData.pythonLower("\u0130"));
        assertEquals("\u00DF", UnicodeData.pythonLower("\u1E9E"));
        assertEquals("\u1C89", UnicodeData.pythonLower("\u1C89")); // Unicode 16 capital: no mapping in 14.0
    }
}
