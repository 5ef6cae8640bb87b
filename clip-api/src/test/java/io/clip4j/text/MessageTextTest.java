package io.clip4j.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MessageTextTest {
    @Test
    void controlCharactersAreEscapedAndLongTextsCut() {
        assertEquals("a\\nb\\r\\tc\\u0000\\u001b[0m\\u2028\\u0085 é 照", MessageText.printable(
                "a\nb\r\tc\u0000\u001b[0m\u2028\u0085 é 照", 60));
        assertEquals("abc", MessageText.printable("abc", 3));
        assertEquals("ab...", MessageText.printable("abcd", 2));
        // Not inside a surrogate pair: the pair is left out whole.
        assertEquals("a...", MessageText.printable("a\uD83D\uDE00b", 2));
        assertEquals("a\uD83D\uDE00...", MessageText.printable("a\uD83D\uDE00b", 3));
        assertThrows(IllegalArgumentException.class, () -> MessageText.printable("a", 0));
    }
}
