package io.clip4j.torch;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** {@code nn.LayerNorm} over the last dimension: biased variance, eps 1e-5, then {@code * weight + bias}. */
final class LayerNorm {
    private final Tensor weight;
    private final Tensor bias;
    private final long width;

    /**
     * @param w      the model's weights
     * @param prefix parameter prefix, e.g. {@code ln_final}
     * @param width  normalised size
     */
    LayerNorm(Weights w, String prefix, long width) {
        this.weight = w.get(prefix + ".weight", width);
        this.bias = w.get(prefix + ".bias", width);
        this.width = width;
    }

    /** @return the normalised {@code x}, same shape */
    Tensor apply(Tensor x) {
        return torch.layer_norm(x, new long[]{width}, new TensorOptional(weight), new TensorOptional(bias), Ops.EPS,
                false);
    }
}
