package io.clip4j.cli;

import java.nio.file.Path;
import java.util.List;

/** Checks shared by the commands' path options. */
final class PathOptions {
    private PathOptions() {
    }

    /**
     * Refuses a blank path given to an option. An empty path is the working directory ({@code --out "$OUT"} with
     * OUT unset trained into it) and a whitespace-only one a file of that name there: neither is what was meant.
     *
     * @param option the option's name, for the message
     * @param path   its value, or null when not given (then nothing is checked)
     * @throws IllegalArgumentException if {@code path} is empty or whitespace only
     */
    static void requireNotBlank(String option, Path path) {
        if (path != null && path.toString().isBlank()) {
            throw new IllegalArgumentException(option + " is empty");
        }
    }

    /**
     * Refuses a blank path among an option's values. For an input that may be a folder this matters most: an empty
     * path is the working directory, so {@code --images "$PHOTOS"} with PHOTOS unset encoded every image under it.
     *
     * @param option the option's name, for the message
     * @param paths  its values (none when not given)
     * @throws IllegalArgumentException if one of {@code paths} is empty or whitespace only
     */
    static void requireNotBlank(String option, List<Path> paths) {
        for (Path p : paths) {
            requireNotBlank(option, p);
        }
    }
}
