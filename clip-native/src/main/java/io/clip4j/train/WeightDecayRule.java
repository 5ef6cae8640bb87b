package io.clip4j.train;

/**
 * Which parameters get weight decay (CLIP paper section 2.5: "decoupled weight decay regularization applied to
 * all weights that are not gains or biases"): the weights of Linear layers, convolutions, attention
 * projections ({@code in_proj_weight}) and the projection matrices {@code text_projection} and
 * {@code visual.proj}. Excluded: biases, LayerNorm/BatchNorm gains, the embeddings ({@code token_embedding},
 * text and vision {@code positional_embedding}, {@code class_embedding}, attention-pooling
 * {@code positional_embedding}) and {@code logit_scale}.
 */
public final class WeightDecayRule {
    private WeightDecayRule() {
    }

    /**
     * Tells whether a parameter gets weight decay (CLIP paper section 2.5: all weights that are not gains or biases).
     *
     * @param name  OpenAI parameter name
     * @param shape its shape
     * @return true if the parameter belongs to the weight-decay group
     */
    public static boolean decays(String name, long[] shape) {
        // Every matrix/kernel of CLIP is a Linear, convolution or projection weight, except the embeddings;
        // gains, biases, class_embedding and logit_scale have fewer than two dimensions.
        return shape.length >= 2 && !name.endsWith("embedding") && !name.equals("token_embedding.weight");
    }
}
