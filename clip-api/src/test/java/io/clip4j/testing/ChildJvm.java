package io.clip4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a test's main class in a child JVM with a small heap, for checks that need a real OutOfMemoryError. */
public final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * Runs {@code main} with this JVM's class path and {@code -Xmx<maxHeap>}, stdout and stderr together, and checks
     * that it exits with 0 within 120 s (a child still running then is killed).
     *
     * @param maxHeap the {@code -Xmx} value, e.g. {@code "16m"}
     * @param main    a class with a {@code main} method
     * @param args    its arguments
     * @return what it printed, trimmed
     * @throws IOException          if the child cannot be started or its output read
     * @throws InterruptedException if interrupted while waiting for it
     */
    public static String run(String maxHeap, Class<?> main, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx" + maxHeap, "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile("child-jvm", ".log");
        try {
            // Output to a file, not a pipe: a child that prints more than a pipe holds cannot block on it.
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean exited = p.waitFor(120, TimeUnit.SECONDS);
            if (!exited) {
                p.destroyForcibly().waitFor();
            }
            String out = Files.readString(log, StandardCharsets.UTF_8).trim();
            assertTrue(exited, () -> "child JVM still running after 120 s:\n" + out);
            assertEquals(0, p.exitValue(), out);
            return out;
        } finally {
            Files.delete(log);
        }
    }
}
