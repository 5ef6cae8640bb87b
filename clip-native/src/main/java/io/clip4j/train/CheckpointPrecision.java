package io.clip4j.train;

/** Element types of a written checkpoint. */
public enum CheckpointPrecision {
    /** Every tensor float32: the exact training weights (what resuming needs). */
    FLOAT32,
    /**
     * The reference {@code clip.model.convert_weights} mix of the published checkpoints: convolution, Linear and
     * attention weights and biases, {@code text_projection} and {@code visual.proj} in float16 (rounded to
     * nearest even); LayerNorm, BatchNorm, embeddings and {@code logit_scale} in float32.
     */
    FLOAT16;

    /**
     * Tells whether this precision writes a parameter as float16.
     *
     * @param name OpenAI parameter name
     * @return true if this precision stores that tensor as float16
     */
    public boolean halves(String name) {
        if (this == FLOAT32) {
            return false;
        }
        return name.equals("text_projection") || name.equals("visual.proj") || name.contains(".attn.")
                || name.contains(".mlp.") || name.matches("(.*\\.)?conv\\d\\.weight")
                || name.endsWith("downsample.0.weight") || name.matches("visual\\.attnpool\\.[qkvc]_proj\\..*");
    }
}
