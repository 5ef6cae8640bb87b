package io.clip4j.data;

import io.clip4j.ClipException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds image files by name: the extensions clip4j's decoders read ({@code .png}, {@code .jpg}, {@code .jpeg},
 * {@code .webp}, {@code .gif}, {@code .bmp}, {@code .tif}, {@code .tiff}, case-insensitive). The one place
 * that list lives.
 */
public final class ImageFolders {
    private static final Logger LOG = LoggerFactory.getLogger(ImageFolders.class);
    private static final String[] EXTENSIONS = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff"};

    private ImageFolders() {
    }

    /**
     * Tells whether a path names an image file, by extension.
     *
     * @param file a path
     * @return whether its name ends in one of the image extensions (false for a path without a name, e.g. a root)
     * @throws NullPointerException if {@code file} is null
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
     * Every image file under a directory, at any depth (a symbolic link given as the root is followed; links to
     * directories below it are not),
     * sorted by path. A subfolder that cannot be read (no permission, removed meanwhile) is skipped with a
     * warning on the {@code io.clip4j.data.ImageFolders} logger: one such folder must not cost a whole collection.
     * So is an entry with an image's name that is not a regular file (a named pipe, socket or device, a dangling
     * symbolic link, a link to a folder): it is never opened, since reading a named pipe waits for a writer.
     *
     * @param root a directory
     * @return the image files, possibly none
     * @throws ClipException if {@code root} does not exist ("folder not found"), is not a directory ("not a folder":
     *                       a file, even an image, is refused rather than listed as itself or as nothing), or itself
     *                       cannot be read
     */
    public static List<Path> list(Path root) {
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new ClipException(root + ": not a folder");
        }
        List<Path> found = new ArrayList<>();
        try {
            // A link given as the root is followed (walkFileTree would visit it as one file); the files keep its
            // name as their prefix, as the user wrote it.
            Path start = Files.isSymbolicLink(root) && Files.isDirectory(root) ? root.toRealPath() : root;
            Collector collector = new Collector(start);
            Files.walkFileTree(start, collector);
            for (Path f : collector.found) {
                found.add(start == root ? f : root.resolve(start.relativize(f)));
            }
        } catch (NoSuchFileException e) { // its message is the bare path: "cannot list images: <root>" said nothing
            throw new ClipException(root + ": folder not found", e);
        } catch (IOException | UncheckedIOException e) {
            throw new ClipException(root + ": cannot list images: " + e.getMessage(), e);
        }
        Collections.sort(found);
        return found;
    }

    /**
     * Whether a path is an image file to take: an image's name and a regular file (through a symbolic link). An entry
     * with an image's name that is something else is left out with a warning naming it: it was left out silently,
     * so a named pipe or a link whose target had moved went missing from a collection without a word.
     */
    static boolean isImageFile(Path file) {
        if (!isImage(file)) {
            return false;
        }
        if (Files.isRegularFile(file)) {
            return true;
        }
        if (!Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) { // a real folder named x.png is a folder
            LOG.warn("{}: skipped, {}", file, notARegularFile(file));
        }
        return false;
    }

    /**
     * What a path that is not a regular file is, for the warning. Told from the error of reading its attributes:
     * {@code Files.exists} is false for a link loop or a target that cannot be read too, which were called missing.
     */
    private static String notARegularFile(Path file) {
        boolean link = Files.isSymbolicLink(file);
        try {
            BasicFileAttributes a = link ? Files.readAttributes(file, BasicFileAttributes.class)
                    : Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return !link ? "not a regular file (a named pipe, socket or device)"
                    : a.isDirectory() ? "a symbolic link to a folder (not followed)"
                    : "a symbolic link to something that is not a regular file";
        } catch (NoSuchFileException e) {
            return link ? "a symbolic link to nothing (its target is missing)" : "removed while the folder was listed";
        } catch (IOException e) {
            return (link ? "a symbolic link that cannot be followed: " : "cannot be read: ") + e;
        }
    }

    /** Collects image files; an unreadable folder below the root is skipped, the root's own failure thrown. */
    static final class Collector extends SimpleFileVisitor<Path> {
        private final Path root;
        final List<Path> found = new ArrayList<>();

        Collector(Path root) {
            this.root = root;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (isImageFile(file)) {
                found.add(file);
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (file.equals(root)) {
                throw e;
            }
            LOG.warn("{}: skipped, cannot be read: {}", file, e.toString());
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null) { // the listing broke off midway
                if (dir.equals(root)) {
                    throw e;
                }
                LOG.warn("{}: partly skipped, cannot be read: {}", dir, e.toString());
            }
            return FileVisitResult.CONTINUE;
        }
    }

    /** {@return the extensions, for messages: {@code .png/.jpg/...}} */
    public static String extensions() {
        StringBuilder sb = new StringBuilder();
        for (String ext : EXTENSIONS) {
            sb.append(sb.length() == 0 ? "" : "/").append('.').append(ext.substring(1));
        }
        return sb.toString();
    }
}
