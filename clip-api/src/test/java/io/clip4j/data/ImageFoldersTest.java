package io.clip4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void extensionsAreListedForMessages() {
        assertEquals(".png/.jpg/.jpeg/.webp/.gif/.bmp/.tif/.tiff", ImageFolders.extensions());
        assertTrue(ImageFolders.isImage(Path.of("x/Y.TIFF")));
        assertTrue(!ImageFolders.isImage(Path.of("/")));
    }
}
