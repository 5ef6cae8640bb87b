package io.clip4j.train;

import io.clip4j.ClipModel;

import java.util.Map;

/**
 * A periodic evaluation during training (e.g. zero-shot accuracy on a held-out set). Called between steps with a
 * no-grad {@link ClipModel} view of the current weights, which is only valid during the call.
 */
@FunctionalInterface
public interface EvalHook {
    /**
     * Evaluates the model at a point of training.
     *
     * @param model the model in training (do not close or keep it)
     * @param step  completed optimisation steps
     * @return named metrics (e.g. {@code zero_shot_top1}), logged with the step
     */
    Map<String, Double> evaluate(ClipModel model, long step);
}
