package io.clip4j.data;

import io.clip4j.image.ImageInput;

import java.util.Objects;

/**
 * One image of a classification set.
 *
 * @param image the image
 * @param label class index into {@link LabeledDataset#classNames()}, &ge; 0
 */
public record LabeledImage(ImageInput image, int label) {
    /**
     * Creates a labelled image.
     *
     * @param image the image
     * @param label class index into {@link LabeledDataset#classNames()}, &ge; 0
     * @throws NullPointerException     if {@code image} is null
     * @throws IllegalArgumentException if the label is negative
     */
    public LabeledImage {
        Objects.requireNonNull(image, "image");
        if (label < 0) {
            throw new IllegalArgumentException("label must be >= 0, got " + label);
        }
    }
}
