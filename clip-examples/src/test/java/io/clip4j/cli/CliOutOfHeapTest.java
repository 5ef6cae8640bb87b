package io.clip4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command that runs out of Java heap ends with one line saying so and how to raise it, exit 1: picocli passes a
 * command's Errors through its handlers, and the JVM printed "Exception in thread main java.lang.OutOfMemoryError"
 * with a stack trace. Driven by a 10 MB captions file of 700,000 pairs in a 48 MiB heap.
 */
class CliOutOfHeapTest {
    @Test
    void runningOutOfHeapIsOneLine(@TempDir Path dir) throws Exception {
        Path captions = dir.resolve("captions.csv");
        try (BufferedWriter w = Files.newBufferedWriter(captions, StandardCharsets.UTF_8)) {
            w.write("path,caption\n");
            for (int i = 0; i < 700_000; i++) {
                w.write("a" + i + ".png,x\n");
            }
        }
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx48m",
                "-cp", System.getProperty("java.class.path"), ClipCli.class.getName(), "eval", "retrieval",
                "--captions", captions.toString()).redirectError(err.toFile()).redirectOutput(dir.resolve("out.txt")
                .toFile()).start();
        boolean exited = p.waitFor(120, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly().waitFor();
        }
        assertTrue(exited, "still running after 120 s");
        String message = Files.readString(err, StandardCharsets.UTF_8).strip();
        assertEquals(ClipCli.EXIT_INPUT, p.exitValue(), message);
        assertEquals(1, message.split("\n").length, message);
        assertTrue(message.startsWith("clip: not enough Java heap (Java heap space; max heap ")
                && message.endsWith(" MiB): raise it, e.g. CLIP4J_JAVA_OPTS=-Xmx8g ./clip ..., or give smaller inputs"),
                message);
    }
}
