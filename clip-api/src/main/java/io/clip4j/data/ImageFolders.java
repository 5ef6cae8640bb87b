package io.clip4j.data;

import io.clip4j.ClipException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds image files by name: the extensions clip4j's decoders read ({@code .png}, {@code .jpg}, {@code .jpeg},
 * {@code .webp}, {@code .gif}, {@code .bmp}, {@code .tif}, {@code .tiff}, case-insensitive). The one place
 * that list lives.
 */
public final class ImageFolders {
    private static final String[] EXTENSIONS = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff"};

    private ImageFolders() {
    }

    /**
     * @param file a path
     * @return whether its name ends in one of the image extensions
     */
    public static boolean isImage(Path file) {
        Path name = file.getFileName();
        if (name == null) {
            return false;
        }
        String n = name.toString().toLowerCase(Locale.ROOT);
        for (String ext : EXTENSIONS) {
            if (n.endsWith(ext)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Every image file under a directory, at any depth (symbolic links to directories are not followed),
     * sorted by path.
     *
     * @param root a directory
     * @return the image files, possibly none
     * @throws ClipException if the directory cannot be walked
     */
    public static List<Path> list(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> isImage(p) && Files.isRegularFile(p)).sorted().collect(Collectors.toList());
        } catch (IOException | UncheckedIOException e) {
            throw new ClipException(root + ": cannot list images: " + e.getMessage(), e);
        }
    }

    /** @return the extensions, for messages: {@code .png/.jpg/...} */
    public static String extensions() {
        StringBuilder sb = new StringBuilder();
        for (String ext : EXTENSIONS) {
            sb.append(sb.length() == 0 ? "" : "/").append('.').append(ext.substring(1));
        }
        return sb.toString();
    }
}
