package io.clip4j.io;

/**
 * Names for the temporary file written beside a destination and then moved over it (an atomic save).
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
}
