package io.clip4j.data;

import io.clip4j.image.ImageInput;

import java.util.Objects;

/**
 * One image-text pair of a contrastive training or retrieval set (CLIP paper section 2.2).
 *
 * @param image   the image
 * @param caption its caption, non-blank
 */
public record ImageCaption(ImageInput image, String caption) {
    /**
     * Creates a pair.
     *
     * @param image   the image
     * @param caption its caption, non-blank
     * @throws NullPointerException     if {@code image} or {@code caption} is null
     * @throws IllegalArgumentException if the caption is blank
     */
    public ImageCaption {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(caption, "caption");
        if (caption.chars().allMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("caption of " + image + " is blank");
        }
    }
}
