package io.clip4j.zeroshot;

import java.util.List;
import java.util.Objects;

/**
 * Zero-shot predictions for one image, sorted by probability (highest first; ties by label order): every
 * label ({@link ZeroShotClassifier#classify}), or the k best ({@link ZeroShotClassifier#classifyAll(java.util.List,
 * int)}). Immutable.
 *
 * @param predictions the labels, best first
 */
public record ZeroShotResult(List<Prediction> predictions) {

    /**
     * Creates a result; the list is copied.
     *
     * @param predictions the labels, best first, at least one; copied
     * @throws NullPointerException     if {@code predictions} or an element is null
     * @throws IllegalArgumentException if {@code predictions} is empty (a result always has a {@link #top()})
     */
    public ZeroShotResult {
        predictions = List.copyOf(Objects.requireNonNull(predictions, "predictions"));
        if (predictions.isEmpty()) {
            throw new IllegalArgumentException("a zero-shot result needs at least one prediction");
        }
    }

    /** {@return the best prediction} */
    public Prediction top() {
        return predictions.get(0);
    }

    /**
     * Returns the k most probable labels.
     *
     * @param k how many, &ge; 1 (clipped to the number of predictions: every label's, or only the k best's for a
     *          result of {@link ZeroShotClassifier#classifyAll(java.util.List, int)})
     * @return the k best predictions (an unmodifiable view)
     * @throws IllegalArgumentException if k &lt; 1
     */
    public List<Prediction> topK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        return predictions.subList(0, Math.min(k, predictions.size()));
    }
}
