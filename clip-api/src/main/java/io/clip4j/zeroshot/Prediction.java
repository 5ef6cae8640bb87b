package io.clip4j.zeroshot;

/**
 * One label's score for one image.
 *
 * @param label       the class name
 * @param probability softmax over all labels, in [0, 1]
 * @param logit       {@code logit_scale * cos(image_features, class embedding)}
 */
public record Prediction(String label, float probability, float logit) {
    /**
     * Creates a prediction.
     *
     * @param label       the class name
     * @param probability softmax over all labels, in [0, 1]
     * @param logit       {@code logit_scale * cos(image_features, class embedding)}
     * @throws IllegalArgumentException if {@code probability} is outside [0, 1] or NaN
     */
    public Prediction {
        if (!(probability >= 0 && probability <= 1)) { // NaN too
            throw new IllegalArgumentException("probability of '" + label + "' must be in [0, 1], got "
                    + probability);
        }
    }
}
