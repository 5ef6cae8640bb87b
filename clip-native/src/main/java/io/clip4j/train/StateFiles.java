package io.clip4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.ClipException;
import io.clip4j.io.FileHashes;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Checks on a training-state directory's {@code trainer.json} before {@link Trainer#loadState} trusts it. Why:
 * the three files are moved into place one after another, so a run killed between the moves (or a hand edit, or a
 * file copied from another run) can leave weights and optimiser moments of one step beside the step count of
 * another, and a resume would continue silently wrong. {@code trainer.json} is moved last and records the SHA-256 of
 * the two files it goes with.
 */
final class StateFiles {
    /** The files {@code trainer.json} records digests of, in the order they are moved into place. */
    static final List<String> RECORDED = List.of(Trainer.WEIGHTS, Trainer.OPTIMIZER);

    private StateFiles() {
    }

    /**
     * Adds {@code "files": {name: sha256}} for the files of {@link #RECORDED} to {@code state}, reading each from
     * {@code location.apply(dir, name)} (where it is staged before being moved to {@code dir/name}).
     */
    static void recordDigests(Path dir, ObjectNode state, BiFunction<Path, String, Path> location)
            throws IOException {
        ObjectNode files = state.putObject("files");
        for (String name : RECORDED) {
            files.put(name, FileHashes.sha256(location.apply(dir, name)));
        }
    }

    /**
     * Checks that the files in {@code dir} are the ones {@code trainer.json} was saved with. A state saved before
     * digests were recorded (no {@code "files"}) is accepted as it is.
     *
     * @throws ClipException if a file differs from the one recorded
     */
    static void requireRecordedFiles(Path dir, JsonNode state) throws IOException {
        JsonNode files = state.get("files");
        if (files == null) {
            return;
        }
        for (String name : RECORDED) {
            JsonNode want = files.get(name);
            if (want == null || !want.isTextual() || !want.asText().equals(FileHashes.sha256(dir.resolve(name)))) {
                throw new ClipException(name + " is not the file " + Trainer.STATE + " was saved with (a save that "
                        + "was interrupted, or a file copied in from another run); resume from an intact state");
            }
        }
    }

    /**
     * The completed step count of a state, checked: a count that is not a whole number in {@code [0, total]} would
     * resume at step 0 ("abc" reads as 0), past the end, or before the start.
     *
     * @throws ClipException if it is missing, not an integer, or outside {@code [0, total]}
     */
    static long completedSteps(JsonNode state, long total) {
        JsonNode n = state.get("completed_steps");
        if (n == null || !n.canConvertToExactIntegral() || !n.canConvertToLong() || n.asLong() < 0
                || n.asLong() > total) {
            throw new ClipException(Trainer.STATE + ": completed_steps must be a whole number from 0 to the run's "
                    + total + " steps, got " + n);
        }
        return n.asLong();
    }
}
