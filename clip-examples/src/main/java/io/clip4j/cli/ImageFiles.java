package io.clip4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Checks image arguments before a model is loaded, so a typo fails fast with one clear line. */
final class ImageFiles {
    private ImageFiles() {
    }

    /**
     * @param images paths given on the command line
     * @throws IllegalArgumentException naming the first path that is missing, a directory or a device/pipe
     */
    static void requireFiles(List<Path> images) {
        for (Path p : images) {
            if (!Files.isRegularFile(p)) {
                String why = Files.isDirectory(p) ? "not an image file (a directory): "
                        : Files.exists(p) ? "not an image file (not a regular file): " : "image not found: ";
                throw new IllegalArgumentException(why + p);
            }
        }
    }
}
