package io.clip4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A labels file of 16 MB of line breaks, just under {@link LabelFiles#MAX_BYTES}, reads in a 128 MiB heap. Found by
 * sizing hostile files: split() held a reference per line (with its copies while growing, over 100 MB), and such a
 * file gave an OutOfMemoryError stack trace.
 */
class LabelFilesOutOfHeapTest {
    @Test
    void blankLineFloodFitsASmallHeap(@TempDir Path dir) throws Exception {
        Path labels = Files.writeString(dir.resolve("labels.txt"), "\n".repeat(LabelFiles.MAX_BYTES - 4_000_200)
                + "\r\n".repeat(2_000_000) + " cat \r" + "\r".repeat(100) + "dog");
        Path out = dir.resolve("out.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), Read.class.getName(), labels.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean exited = p.waitFor(120, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly().waitFor();
        }
        assertTrue(exited, "still running after 120 s");
        assertEquals("[cat, dog]", Files.readString(out, StandardCharsets.UTF_8).strip());
    }

    /** Child JVM: prints the labels or what escaped. */
    static final class Read {
        private Read() {
        }

        public static void main(String[] args) {
            try {
                List<String> labels = LabelFiles.read(Path.of(args[0]), "--labels-file");
                System.out.println(labels);
            } catch (Throwable t) {
                System.out.println("escaped: " + t);
            }
        }
    }
}
