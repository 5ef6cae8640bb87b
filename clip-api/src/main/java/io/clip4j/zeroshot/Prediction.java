package io.clip4j.zeroshot;

/**
 * One label's score for one image.
 *
 * @param label       the class name
 * @param probability softmax over all labels, in [0, 1]
 * @param logit       {@code logit_scale * cos(image_features, class embedding)}
 */
public record Prediction(String label, float probability, float logit) {
}
