package io.clip4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Our use of JLine's wcwidth: code points, not chars; control characters count as none. */
class TerminalColumnsTest {
    @Test
    void wideCharactersTakeTwoColumnsAndCombiningMarksNone() {
        assertEquals(0, TerminalColumns.width(""));
        assertEquals(5, TerminalColumns.width("chat "));
        assertEquals(6, TerminalColumns.width("猫の靴")); // CJK ideographs and kana
        assertEquals(4, TerminalColumns.width("신발")); // Hangul syllables
        assertEquals(2, TerminalColumns.width("\uD83D\uDE00")); // an emoji, one code point in two chars
        assertEquals(4, TerminalColumns.width("Ａｂ")); // fullwidth forms
        assertEquals(3, TerminalColumns.width("dög")); // precomposed
        assertEquals(3, TerminalColumns.width("do\u0308g")); // o + combining diaeresis
        assertEquals(2, TerminalColumns.width("a\u0007b")); // BEL: wcwidth's -1 is not subtracted
    }

    @Test
    void padRightFillsColumnsNotChars() {
        assertEquals("猫  ", TerminalColumns.padRight("猫", 4));
        assertEquals("cat ", TerminalColumns.padRight("cat", 4));
        assertEquals("ankle boot", TerminalColumns.padRight("ankle boot", 4));
    }
}
