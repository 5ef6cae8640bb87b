package io.clip4j.train;

import io.clip4j.ClipException;
import io.clip4j.ClipModel;
import io.clip4j.checkpoint.ConfigInference;
import io.clip4j.checkpoint.SafetensorsWriter;
import io.clip4j.data.ContrastiveBatches;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The training loop: steps a {@link Trainer} from its completed steps (0, or where a resumed state stopped) to
 * {@code totalSteps} on the batches of a {@link ContrastiveBatches}, preparing the next batch on a background
 * thread while the current one trains, saving the training state every {@code checkpointEvery} steps and at the
 * end, exporting the weights at the end as {@code model.safetensors} (OpenAI names, loadable by
 * {@link ClipModel#load}), and running the {@link EvalHook}s every {@code evalEvery} steps and at the end, after
 * the save of the same step (so a failing evaluation loses no trained step).
 */
public final class TrainingRun {
    /** Sub-directory of the output directory holding the resumable training state. */
    public static final String STATE_DIR = "state";
    /** File name of the exported model in the output directory. */
    public static final String MODEL_FILE = "model.safetensors";

    private TrainingRun() {
    }

    /**
     * Where and how often to evaluate and save.
     *
     * @param evalEvery       run the hooks every this many steps (0 = only at the end)
     * @param checkpointEvery save the training state every this many steps (0 = only at the end)
     * @param outDir          output directory, or null to save nothing
     * @param precision       dtype mix of the exported {@code model.safetensors}
     * @param metadata        extra fields stored with the training state (seed, data, ...)
     */
    public record Settings(long evalEvery, long checkpointEvery, Path outDir, CheckpointPrecision precision,
                           Map<String, ?> metadata) {
        /**
         * Checks and creates the settings.
         *
         * @throws IllegalArgumentException for negative intervals
         * @throws NullPointerException     if {@code precision} or {@code metadata} is null
         *
         * @param evalEvery       run the hooks every this many steps (0 = only at the end)
         * @param checkpointEvery save the training state every this many steps (0 = only at the end)
         * @param outDir          output directory, or null to save nothing
         * @param precision       dtype mix of the exported {@code model.safetensors}
         * @param metadata        extra fields stored with the training state (seed, data, ...)
         */
        public Settings {
            if (evalEvery < 0 || checkpointEvery < 0) {
                throw new IllegalArgumentException("evaluation and checkpoint intervals must be >= 0");
            }
            Objects.requireNonNull(precision, "precision");
            Objects.requireNonNull(metadata, "metadata");
            metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata)); // nulls allowed
        }
    }

    /**
     * The outcome of a run.
     *
     * @param steps           completed steps at the end
     * @param lastLoss        loss of the last step (NaN if no step ran)
     * @param metrics         the last evaluation's metrics
     * @param seconds         wall time of this call, evaluations and saves included
     * @param imagesPerSecond training throughput of this call: images over the time of its steps (waiting for data
     *                        included, evaluations and saves not; 0 if no step ran)
     */
    public record Summary(long steps, double lastLoss, Map<String, Double> metrics, double seconds,
                          double imagesPerSecond) {
    }

    /**
     * Runs the remaining training steps, evaluating and saving at the set intervals and at the end.
     *
     * @param trainer  the trainer (its options fix the total steps)
     * @param data     the batches
     * @param hooks    evaluations (may be empty)
     * @param settings intervals and output
     * @param listener progress receiver (e.g. a {@link MetricsLog}, a progress bar)
     * @return the summary
     * @throws NullPointerException if an argument or a hook is null (checked before the first step), or a hook
     *                              returns null
     * @throws ClipException if a batch cannot be built, a step fails or a file cannot be written; what a hook or
     *                       the listener throws is passed on unchanged (a hook runs after its step's save)
     */
    public static Summary run(Trainer trainer, ContrastiveBatches data, List<EvalHook> hooks, Settings settings,
                              TrainListener listener) {
        // Why: checked up front; a null hook list or listener was only dereferenced after the first step or at the
        // end of the run, after the whole run's training time.
        Objects.requireNonNull(trainer, "trainer");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(listener, "listener");
        for (EvalHook h : Objects.requireNonNull(hooks, "hooks")) {
            Objects.requireNonNull(h, "hooks holds null");
        }
        long total = trainer.options().totalSteps();
        long start = trainer.completedSteps();
        long t0 = System.nanoTime();
        double lastLoss = Double.NaN;
        double stepSeconds = 0;
        Map<String, Double> metrics = Map.of();
        ExecutorService prefetch = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "clip4j-batches");
            t.setDaemon(true);
            return t;
        });
        try {
            CompletableFuture<ContrastiveBatches.Batch> next = start < total
                    ? CompletableFuture.supplyAsync(() -> data.batch(start), prefetch) : null;
            for (long s = start; s < total; s++) {
                long stepStart = System.nanoTime();
                ContrastiveBatches.Batch batch = join(next);
                long following = s + 1;
                next = following < total ? CompletableFuture.supplyAsync(() -> data.batch(following), prefetch) : null;
                Trainer.StepResult r = trainer.step(batch.pixelValues(), batch.ids(), batch.size());
                lastLoss = r.loss();
                double seconds = (System.nanoTime() - stepStart) / 1e9;
                stepSeconds += seconds;
                listener.onStep(r, batch.epoch(), batch.size() / seconds);
                long done = s + 1;
                // Saved before evaluating: an evaluation that fails (an unreadable image in the held-out set) must
                // not take the steps since the last save with it.
                if (done < total && settings.outDir() != null && settings.checkpointEvery() > 0
                        && done % settings.checkpointEvery() == 0) {
                    save(trainer, settings, done, listener);
                }
                if (done < total && settings.evalEvery() > 0 && done % settings.evalEvery() == 0 && !hooks.isEmpty()) {
                    metrics = evaluate(trainer, hooks, done, listener);
                }
            }
            if (settings.outDir() != null) { // state and model first, as above: the final evaluation lost the whole run
                save(trainer, settings, trainer.completedSteps(), listener);
                StateFiles.deleteWriterTemporaries(settings.outDir(), MODEL_FILE); // an export killed earlier
                SafetensorsWriter.write(settings.outDir().resolve(MODEL_FILE), exported(trainer, settings),
                        ConfigInference.safetensorsMetadata(trainer.model().config()));
            }
            if (!hooks.isEmpty()) {
                metrics = evaluate(trainer, hooks, trainer.completedSteps(), listener);
            }
        } finally {
            prefetch.shutdownNow();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long images = (trainer.completedSteps() - start) * data.batchSize();
        return new Summary(trainer.completedSteps(), lastLoss, metrics, seconds,
                images == 0 ? 0 : images / Math.max(stepSeconds, 1e-9));
    }

    /**
     * The weights to export. A refusal (float16 overflow) comes after the state was saved, which the message says:
     * it read as if the run had to be repeated with float32, while resuming the saved state exports it at once.
     */
    private static Map<String, io.clip4j.checkpoint.TensorData> exported(Trainer trainer, Settings settings) {
        try {
            return trainer.model().toTensorData(settings.precision());
        } catch (ClipException e) {
            throw new ClipException(e.getMessage() + "; the training state in " + settings.outDir().resolve(STATE_DIR)
                    + " is saved: resume it with float32 precision (train: --resume) to write the model without"
                    + " training again", e);
        }
    }

    private static ContrastiveBatches.Batch join(CompletableFuture<ContrastiveBatches.Batch> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            Throwable c = e.getCause();
            if (c instanceof ClipException ce) {
                throw ce;
            }
            throw new ClipException("preparing a training batch failed: " + c, c);
        }
    }

    private static Map<String, Double> evaluate(Trainer trainer, List<EvalHook> hooks, long step,
                                                TrainListener listener) {
        Map<String, Double> all = new LinkedHashMap<>();
        ClipModel view = trainer.model().asClipModel();
        for (EvalHook h : hooks) {
            all.putAll(Objects.requireNonNull(h.evaluate(view, step), () -> "evaluation hook " + h + " returned null"));
        }
        listener.onEvaluation(step, all);
        return all;
    }

    private static void save(Trainer trainer, Settings settings, long step, TrainListener listener) {
        Path dir = settings.outDir().resolve(STATE_DIR);
        trainer.saveState(dir, settings.metadata());
        listener.onCheckpoint(step, dir);
    }
}
