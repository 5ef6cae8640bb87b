package io.clip4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.ClipException;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Writes training metrics as JSON lines (one object per line, flushed at once so the file can be followed
 * while training): per step {@code {"step", "epoch", "loss", "lr", "logit_scale", "images_per_s"}} plus
 * {@code "grad_norm"} when clipping is on; per evaluation {@code {"step", "eval": {name: value}}}; per
 * checkpoint {@code {"step", "checkpoint": dir}}. {@code step} counts completed steps (1 after the first);
 * {@code logit_scale} is the multiplier {@code exp(logit_scale)} (14.29 at initialisation), as
 * {@link Trainer.StepResult#logitScale()}.
 *
 * <p>The constructor appends to an existing file; {@link #forRun} opens the log of a new or resumed run, so that a
 * file holds one run's lines, one per step.
 */
public final class MetricsLog implements TrainListener, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final BufferedWriter out;

    /**
     * Opens a JSON Lines metrics file for appending, creating its folder if needed (as {@link TrainingRun}'s saves
     * create the run's output folder), so that a log inside a run's not yet existing output folder can be opened
     * first.
     *
     * @param file the {@code .jsonl} file (created or appended to; missing parent folders are created)
     * @throws ClipException if it cannot be opened or its folder cannot be created
     */
    public MetricsLog(Path file) {
        this.file = file;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new ClipException(file + ": cannot open metrics log: " + e, e);
        }
    }

    /**
     * Opens the log of a run that starts after {@code completedSteps} steps: 0 for a new run, whose log replaces
     * an existing file (a run in the same folder before it); the step a resumed run continues from, whose log keeps
     * the lines of steps up to that one and drops those of later steps (written by the interrupted run after its last
     * saved state, and about to be computed again) and any line that is not a JSON object with a {@code step}
     * (one cut short by a kill). Without this, the log of a run repeated in the same folder followed the old run's,
     * and a resumed run's log listed the steps after the saved state twice.
     *
     * @param file           the {@code .jsonl} file (missing parent folders are created)
     * @param completedSteps the steps completed before this run's first, &ge; 0
     * @return the log, open for appending
     * @throws IllegalArgumentException if {@code completedSteps} is negative
     * @throws ClipException            if the file cannot be read, rewritten or opened
     */
    public static MetricsLog forRun(Path file, long completedSteps) {
        if (completedSteps < 0) {
            throw new IllegalArgumentException("completedSteps must be >= 0, got " + completedSteps);
        }
        try {
            if (completedSteps == 0) {
                Files.deleteIfExists(file);
            } else if (Files.isRegularFile(file)) {
                StringBuilder kept = new StringBuilder();
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (stepOf(line) <= completedSteps) {
                        kept.append(line).append(System.lineSeparator());
                    }
                }
                // Written beside and renamed into place: a failure or kill half-way keeps the old log.
                Path staged = file.resolveSibling(file.getFileName() + ".new");
                Files.writeString(staged, kept, StandardCharsets.UTF_8);
                StateFiles.replace(staged, file);
            }
        } catch (IOException | RuntimeException e) {
            throw new ClipException(file + ": cannot prepare metrics log: " + e, e);
        }
        return new MetricsLog(file);
    }

    /** The line's {@code step}, or {@link Long#MAX_VALUE} (dropped) when it is not a log line. */
    private static long stepOf(String line) {
        try {
            JsonNode node = JSON.readTree(line);
            JsonNode step = node == null ? null : node.get("step"); // null unless an object with a step
            return step != null && step.isIntegralNumber() && step.canConvertToLong() ? step.asLong() : Long.MAX_VALUE;
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public void onStep(Trainer.StepResult r, long epoch, double imagesPerSecond) {
        ObjectNode o = JSON.createObjectNode();
        o.put("step", r.step() + 1);
        o.put("epoch", epoch);
        o.put("loss", r.loss());
        o.put("lr", r.learningRate());
        o.put("logit_scale", r.logitScale());
        o.put("images_per_s", imagesPerSecond);
        if (!Double.isNaN(r.gradNorm())) {
            o.put("grad_norm", r.gradNorm());
        }
        write(o);
    }

    @Override
    public void onEvaluation(long step, Map<String, Double> metrics) {
        ObjectNode o = JSON.createObjectNode();
        o.put("step", step);
        ObjectNode m = o.putObject("eval");
        metrics.forEach(m::put);
        write(o);
    }

    @Override
    public void onCheckpoint(long step, Path dir) {
        ObjectNode o = JSON.createObjectNode();
        o.put("step", step);
        o.put("checkpoint", dir.toString());
        write(o);
    }

    private void write(ObjectNode o) {
        try {
            out.write(o.toString());
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new ClipException(file + ": cannot write metrics: " + e, e);
        }
    }

    /** Closes the file. */
    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new ClipException(file + ": cannot close metrics log: " + e, e);
        }
    }
}
