package io.clip4j.torch;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/** {@code nn.Linear}: {@code y = x W^T + b}, weight {@code [out, in]}, bias {@code [out]}. */
final class Linear {
    private final Tensor weight;
    private final Tensor bias;

    /**
     * @param w      the model's weights
     * @param prefix parameter prefix, e.g. {@code transformer.resblocks.0.mlp.c_fc}
     * @param in     input features
     * @param out    output features
     */
    Linear(Weights w, String prefix, long in, long out) {
        this(w.get(prefix + ".weight", out, in), w.get(prefix + ".bias", out));
    }

    Linear(Tensor weight, Tensor bias) {
        this.weight = weight;
        this.bias = bias;
    }

    /** @return {@code x W^T + b} over the last dimension of {@code x} */
    Tensor apply(Tensor x) {
        return torch.linear(x, weight, new TensorOptional(bias));
    }
}
