package io.clip4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.ClipException;
import io.clip4j.io.FileHashes;
import io.clip4j.io.TempNames;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Checks on a training-state directory's {@code trainer.json} before {@link Trainer#loadState} trusts it. Why:
 * a hand edit, or a file copied from another run, can leave weights and optimiser moments of one step beside the
 * step count of another, and a resume would continue silently wrong. {@code trainer.json} is moved into place last
 * and records the SHA-256 of the two files it goes with; the same digests let a save killed between its moves be
 * completed ({@link #completeInterruptedSave}).
 */
final class StateFiles {
    /** The files {@code trainer.json} records digests of, in the order they are moved into place. */
    static final List<String> RECORDED = List.of(Trainer.WEIGHTS, Trainer.OPTIMIZER);
    /** Every file of a state, in the order they are moved into place. */
    static final List<String> ALL = List.of(Trainer.WEIGHTS, Trainer.OPTIMIZER, Trainer.STATE);

    private static final ObjectMapper JSON = new ObjectMapper();

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

    /** Moves {@code from} onto {@code to} in one rename ({@link TempNames#moveOver}). */
    static void replace(Path from, Path to) throws IOException {
        TempNames.moveOver(from, to);
    }

    /**
     * Finishes a save that was stopped while its files were being moved into place. Such a save has written every
     * staged file ({@code trainer.json} last, naming the digests of the other two), so the new state is whole:
     * each file is either still staged or already in place. Moving the rest completes it; without this, the
     * half-moved state was refused and the run could not be resumed at all (the previous state's files were
     * already replaced). Nothing is moved unless the staged {@code trainer.json} parses and both files it names
     * are found with their digests (a save stopped while writing leaves the previous state, which is then used).
     *
     * @param dir    a training-state directory
     * @param staged where a file is staged before being moved to {@code dir/name}
     * @return the completed steps of the state it completed, or -1 if there was none to complete
     * @throws IOException if a file cannot be read or moved
     */
    static long completeInterruptedSave(Path dir, BiFunction<Path, String, Path> staged) throws IOException {
        Path stagedState = staged.apply(dir, Trainer.STATE);
        if (!Files.isRegularFile(stagedState)) {
            return -1;
        }
        JsonNode state;
        try {
            state = JSON.readTree(Files.readString(stagedState));
        } catch (IOException e) { // cut short while being written: nothing had been moved yet
            return -1;
        }
        JsonNode files = state == null ? null : state.get("files");
        JsonNode steps = state == null ? null : state.get("completed_steps");
        if (files == null || steps == null || !steps.canConvertToLong()) {
            return -1;
        }
        List<String> toMove = new ArrayList<>();
        for (String name : RECORDED) {
            JsonNode want = files.get(name);
            if (want == null || !want.isTextual()) {
                return -1;
            }
            if (holds(staged.apply(dir, name), want.asText())) {
                toMove.add(name);
            } else if (!holds(dir.resolve(name), want.asText())) {
                return -1;
            }
        }
        for (String name : toMove) {
            replace(staged.apply(dir, name), dir.resolve(name));
        }
        replace(stagedState, dir.resolve(Trainer.STATE));
        return steps.asLong();
    }

    private static boolean holds(Path file, String sha256) throws IOException {
        return Files.isRegularFile(file) && sha256.equals(FileHashes.sha256(file));
    }

    /**
     * Deletes the temporary files {@link io.clip4j.checkpoint.SafetensorsWriter} leaves beside {@code name} in
     * {@code dir} when the process is killed while it writes ({@code <name>.<random hex>.tmp}): each Ctrl-C during a
     * save left one more copy of the weights in {@code state/}, hundreds of MB each for a large model. Best effort:
     * a file that cannot be deleted is left, and the save goes on.
     */
    static void deleteWriterTemporaries(Path dir, String name) {
        String prefix = TempNames.stem(name) + ".";
        try (java.nio.file.DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                if (n.startsWith(prefix) && n.endsWith(".tmp")
                        && n.substring(prefix.length(), n.length() - 4).matches("[0-9a-f]{1,16}")) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException | RuntimeException e) {
            // nothing to clean (no folder yet) or not allowed: the save itself reports any real problem
        }
    }
}
