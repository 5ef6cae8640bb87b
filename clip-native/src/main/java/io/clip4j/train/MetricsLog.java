package io.clip4j.train;

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
 * checkpoint {@code {"step", "checkpoint": dir}}. {@code step} counts completed steps (1 after the first).
 * Appends to an existing file (a resumed run continues the log).
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
