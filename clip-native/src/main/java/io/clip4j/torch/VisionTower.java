package io.clip4j.torch;

import org.bytedeco.pytorch.Tensor;

/** The image encoder of a CLIP model ({@code CLIP.visual}). Implementations are immutable and thread-safe. */
interface VisionTower {
    /**
     * @param pixels {@code [N, 3, S, S]} float32, normalised pixel_values
     * @param taps   receives named intermediates
     * @return image_features {@code [N, embed_dim]}, not normalised
     */
    Tensor apply(Tensor pixels, Taps taps);
}
