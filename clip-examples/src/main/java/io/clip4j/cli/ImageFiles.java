package io.clip4j.cli;

import io.clip4j.data.ImageFolders;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Checks image arguments before a model is loaded, so a typo fails fast with one clear line. */
final class ImageFiles {
    private ImageFiles() {
    }

    /**
     * Expands folders into the image files under them (recursively, sorted; see {@link ImageFolders}) and checks
     * the other paths with {@link #requireFiles}.
     *
     * @param paths files and folders given on the command line
     * @return the image files, folders' contents in place of each folder
     * @throws IllegalArgumentException if a path is missing or not a regular file, or a folder holds no image file
     */
    static List<Path> expand(List<Path> paths) {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                List<Path> found = ImageFolders.list(p);
                if (found.isEmpty()) {
                    throw new IllegalArgumentException("no image files (" + ImageFolders.extensions() + ") in " + p);
                }
                files.addAll(found);
            } else {
                requireFiles(List.of(p));
                files.add(p);
            }
        }
        return files;
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
