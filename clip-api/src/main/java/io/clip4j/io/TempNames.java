package io.clip4j.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Names for the temporary file written beside a destination, and the move over it (an atomic save).
 */
public final class TempNames {
    /** Code points of the destination's name kept: at most 200 bytes of UTF-8, leaving room for a suffix. */
    private static final int KEPT = 50;

    private TempNames() {
    }

    /**
     * Returns the start of a temporary file's name for a destination: the name itself, cut to 50 code points.
     * Names near the file system's 255-byte limit fit, while a temporary name of the whole name plus a suffix
     * would not.
     *
     * @param name the destination's file name
     * @return a prefix of {@code name} of at most 50 code points
     */
    public static String stem(String name) {
        int points = name.codePointCount(0, name.length());
        return points <= KEPT ? name : name.substring(0, name.offsetByCodePoints(0, KEPT));
    }

    /**
     * Moves a file written beside its destination onto it in one rename, so that a process killed at any moment
     * leaves the old file or the new one. {@code Files.move} with REPLACE_EXISTING alone deletes the destination
     * first and then renames: a kill in between lost both.
     *
     * @param staged      the new file, in the destination's folder
     * @param destination the file it replaces (or creates)
     * @throws IOException if the move fails (the destination is then unchanged)
     */
    public static void moveOver(Path staged, Path destination) throws IOException {
        try {
            Files.move(staged, destination, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) { // a file system without rename: the plain move is all there is
            Files.move(staged, destination, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
