package io.clip4j;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Builder options are checked when set, before any engine is involved. */
class ClipModelBuilderTest {
    @Test
    void threadsAreBoundedByTheCores() {
        ClipModel.Builder b = ClipModel.builder(Path.of("unused.pt"));
        int max = ClipModel.Builder.maxThreads();
        assertEquals(Math.max(4, 4 * Runtime.getRuntime().availableProcessors()), max);
        assertEquals(max, b.threads(max).threads());
        assertEquals(0, b.threads(0).threads());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.threads(max + 1));
        assertTrue(e.getMessage().contains("[0, " + max + "]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.threads(-1));
        assertThrows(IllegalArgumentException.class, () -> b.threads(100_000));
    }
}
