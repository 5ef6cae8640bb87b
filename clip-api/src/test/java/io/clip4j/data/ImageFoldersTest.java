package io.clip4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clip4j.ClipException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFoldersTest {
    @TempDir
    Path dir;

    @Test
    void listsImageFilesAtAnyDepthSortedWithCaseInsensitiveExtensions() throws IOException {
        Files.createDirectories(dir.resolve("b/deeper"));
        for (String f : List.of("b/deeper/x.JPEG", "a.png", "b/y.WebP", "notes.txt", "c.tif", "b/z.gif.bak")) {
            Files.write(dir.resolve(f), new byte[1]);
        }
        Files.createDirectories(dir.resolve("folder.png")); // a directory with an image's name is not an image
        assertEquals(List.of(dir.resolve("a.png"), dir.resolve("b/deeper/x.JPEG"), dir.resolve("b/y.WebP"),
                dir.resolve("c.tif")), ImageFolders.list(dir));
    }

    @Test
    void aRootThatIsALinkToAFolderIsFollowedAndKeepsItsName() throws IOException {
        Path photos = Files.createDirectories(dir.resolve("real/photos"));
        Files.write(photos.resolve("a.png"), new byte[1]);
        Path link = Files.createSymbolicLink(dir.resolve("link"), photos);
        assertEquals(List.of(link.resolve("a.png")), ImageFolders.list(link));
    }

    @Test
    void aMissingRootIsAClipExceptionNamingIt() {
        Path missing = dir.resolve("missing");
        ClipException e = assertThrows(ClipException.class, () -> ImageFolders.list(missing));
        // Was "<missing>: cannot list images: <missing>" (NoSuchFileException's message is the bare path), which
        // train --data paths:DIR and bench --images showed for a mistyped folder.
        assertEquals(missing + ": folder not found", e.getMessage());
    }

    @Test
    void aRootThatIsAFileIsAClipExceptionNamingIt() throws IOException {
        // Listing a file used to give [] (any name but an image's) or [the file], so an index or training set built
        // from a mistyped path came out empty without a word.
        for (String name : List.of("photos.zip", "a.png")) {
            Path file = Files.write(dir.resolve(name), new byte[1]);
            ClipException e = assertThrows(ClipException.class, () -> ImageFolders.list(file));
            assertEquals(file + ": not a folder", e.getMessage());
        }
    }

    @Test
    void anUnreadableSubfolderIsSkippedButAnUnreadableRootFails() throws IOException {
        // Driven directly: the tests run as root, for whom no folder is unreadable.
        ImageFolders.Collector c = new ImageFolders.Collector(dir);
        IOException denied = new AccessDeniedException(dir.resolve("private").toString());
        assertEquals(FileVisitResult.CONTINUE, c.visitFileFailed(dir.resolve("private"), denied));
        assertEquals(FileVisitResult.CONTINUE, c.postVisitDirectory(dir.resolve("half"), denied));
        assertThrows(AccessDeniedException.class, () -> c.visitFileFailed(dir, denied));
        assertThrows(AccessDeniedException.class, () -> c.postVisitDirectory(dir, denied));
    }

    @Test
    void entriesWithAnImageNameThatAreNotRegularFilesAreSkippedWithAWarningNamingThem() throws Exception {
        // They were left out without a word: a link whose target had moved, or a named pipe, went missing from an
        // index or a training set. A pipe must not be opened (reading it waits for a writer).
        Path classes = Files.createDirectories(dir.resolve("set/cat"));
        Files.write(classes.resolve("a.png"), new byte[1]);
        Path dangling = Files.createSymbolicLink(classes.resolve("moved.png"), dir.resolve("nowhere.png"));
        Path toFolder = Files.createSymbolicLink(classes.resolve("folder.png"), dir);
        // A link to itself: its target is there (it was called missing), it just never ends.
        Path loop = Files.createSymbolicLink(classes.resolve("loop.png"), classes.resolve("loop.png"));
        Path fifo = classes.resolve("pipe.png");
        Files.createDirectories(classes.resolve("real-folder.png")); // a folder: not an entry to warn about
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo");
        String warnings = stderrOf(() -> assertEquals(List.of(classes.resolve("a.png")),
                ImageFolders.list(dir.resolve("set"))));
        assertTrue(warnings.contains(dangling + ": skipped, a symbolic link to nothing (its target is missing)"),
                warnings);
        assertTrue(warnings.contains(toFolder + ": skipped, a symbolic link to a folder (not followed)"), warnings);
        assertTrue(warnings.contains(loop + ": skipped, a symbolic link that cannot be followed: "
                + "java.nio.file.FileSystemException: " + loop + ": Too many levels of symbolic links"), warnings);
        assertTrue(warnings.contains(fifo + ": skipped, not a regular file (a named pipe, socket or device)"),
                warnings);
        assertFalse(warnings.contains("real-folder.png"), warnings);
        // Class folders list their images the same way.
        String classWarnings = stderrOf(() -> assertEquals(List.of("a.png"), ClassFolders.read(dir.resolve("set"))
                .examples().stream().map(e -> Path.of(e.image().toString()).getFileName().toString()).toList()));
        assertEquals(messages(warnings), messages(classWarnings));
        // A file removed between the listing and the look-up is not called a pipe.
        String gone = stderrOf(() -> assertFalse(ImageFolders.isImageFile(classes.resolve("gone.png"))));
        assertTrue(gone.contains("gone.png: skipped, removed while the folder was listed"), gone);
    }

    /** The logged messages, without the thread that logged them, sorted. */
    private static List<String> messages(String log) {
        return log.lines().map(l -> l.substring(l.indexOf(" WARN "))).sorted().toList();
    }

    /** What the library logged (slf4j-simple writes to the System.err of the moment) while {@code r} ran. */
    private static String stderrOf(Runnable r) {
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), r::run, "blocked (on the pipe?)");
        } finally {
            System.setErr(saved);
        }
        return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void extensionsAreListedForMessages() {
        assertEquals(".png/.jpg/.jpeg/.webp/.gif/.bmp/.tif/.tiff", ImageFolders.extensions());
        assertTrue(ImageFolders.isImage(Path.of("x/Y.TIFF")));
        assertTrue(!ImageFolders.isImage(Path.of("/")));
    }
}
