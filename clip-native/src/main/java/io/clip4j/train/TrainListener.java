package io.clip4j.train;

import java.nio.file.Path;
import java.util.Map;

/** Receives progress of a {@link TrainingRun}; every method has an empty default. Called on the training thread. */
public interface TrainListener {
    /**
     * After each optimisation step.
     *
     * @param result        what the step did
     * @param epoch         the epoch of its batch
     * @param imagesPerSecond throughput of this step (batch size / wall time including waiting for data)
     */
    default void onStep(Trainer.StepResult result, long epoch, double imagesPerSecond) {
    }

    /**
     * After a periodic (or final) evaluation.
     *
     * @param step    completed steps
     * @param metrics what the hooks returned
     */
    default void onEvaluation(long step, Map<String, Double> metrics) {
    }

    /**
     * After a training-state checkpoint was written.
     *
     * @param step completed steps
     * @param dir  the state directory
     */
    default void onCheckpoint(long step, Path dir) {
    }
}
