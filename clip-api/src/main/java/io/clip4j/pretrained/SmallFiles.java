package io.clip4j.pretrained;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/** Small cache files (hub refs, verification stamps) replaced whole. */
final class SmallFiles {
    private SmallFiles() {
    }

    /**
     * Writes {@code bytes} under a name of its own beside {@code target}, then moves it over {@code target}: a reader
     * never sees it half-written, and a link planted under its name is replaced, not written through.
     */
    static void replace(Path target, byte[] bytes) throws IOException {
        Files.createDirectories(target.getParent());
        Path fresh = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".new");
        try {
            Files.write(fresh, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(fresh); // only left if the move did not happen
        }
    }
}
