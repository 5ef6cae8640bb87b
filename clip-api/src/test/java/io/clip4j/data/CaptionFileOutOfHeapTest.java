package io.clip4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clip4j.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Captions files of 4 MB of blank lines read in a 64 MiB heap. Found by timing and sizing hostile files: a list per
 * blank CSV line (about 80 bytes each) and a String per blank JSON Lines line ran such a heap out of memory.
 */
class CaptionFileOutOfHeapTest {
    @Test
    void blankLineFloodsFitASmallHeap(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("c.csv"), "path,caption\n" + "\n".repeat(2_000_000)
                + "\r\n".repeat(1_000_000) + "a.png,a cat\n");
        assertEquals("1 pairs, the last a cat", ChildJvm.run("64m", Read.class, csv.toString()));
        Path jsonl = Files.writeString(dir.resolve("c.jsonl"), " \n".repeat(1_000_000) + "\r\n".repeat(1_000_000)
                + "{\"image\": \"a.png\", \"caption\": \"a cat\"}");
        assertEquals("1 pairs, the last a cat", ChildJvm.run("64m", Read.class, jsonl.toString()));
    }

    /** Child JVM: prints what was read or what escaped. */
    static final class Read {
        private Read() {
        }

        public static void main(String[] args) throws IOException {
            try {
                var pairs = CaptionFile.read(Path.of(args[0]));
                System.out.println(pairs.size() + " pairs, the last " + pairs.get(pairs.size() - 1).caption());
            } catch (Throwable t) {
                System.out.println("escaped: " + t);
            }
        }
    }
}
