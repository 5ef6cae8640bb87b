package io.clip4j.torch;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code nn.LayerNorm} over the last dimension: biased variance, eps 1e-5, then {@code * weight + bias}.
 * Always computed in float32 with float32 parameters, like the reference's fp16-safe {@code LayerNorm}
 * subclass ({@code super().forward(x.type(torch.float32)).type(orig_type)}): a float16/bfloat16 input is widened
 * (exactly), normalised, and the result rounded back to the input's dtype.
 */
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
        this.weight = w.getFloat32(prefix + ".weight", width);
        this.bias = w.getFloat32(prefix + ".bias", width);
        this.width = width;
    }

    /** @return the normalised {@code x}, same shape and dtype */
    Tensor apply(Tensor x) {
        if (Placement.hasType(x, torch.ScalarType.Float)) {
            return normalise(x);
        }
        return normalise(x.toType(torch.ScalarType.Float)).toType(x.scalar_type());
    }

    private Tensor normalise(Tensor x) {
        return torch.layer_norm(x, new long[]{width}, new TensorOptional(weight), new TensorOptional(bias), Ops.EPS,
                false);
    }
}
