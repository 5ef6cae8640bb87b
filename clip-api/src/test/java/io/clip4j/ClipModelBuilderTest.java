package io.clip4j;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

    /** clip-api's tests have no engine, so the context loader's service file is the one read. */
    @Test
    void anEngineListedButNotLoadableIsAClipExceptionNamingIt(@TempDir Path dir) throws IOException {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.write(services.resolve("io.clip4j.spi.ClipModelProvider"),
                "com.example.GoneEngine\n".getBytes(StandardCharsets.UTF_8));
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, before)) {
            t.setContextClassLoader(loader);
            ClipException e = assertThrows(ClipException.class, () -> ClipModel.builder(Path.of("unused.pt")).build());
            assertTrue(e.getMessage().startsWith("the clip4j engine listed in META-INF/services cannot be loaded"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("com.example.GoneEngine"), e.getMessage());
        } finally {
            t.setContextClassLoader(before);
        }
        assertEquals("no clip4j engine on the class path: add the io.clip4j:clip-native dependency",
                assertThrows(ClipException.class, () -> ClipModel.builder(Path.of("unused.pt")).build()).getMessage());
    }
}
