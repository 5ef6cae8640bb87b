package io.clip4j.torch;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code nn.BatchNorm2d} in eval mode: {@code (x - running_mean) / sqrt(running_var + 1e-5) * weight + bias};
 * {@code num_batches_tracked} is not used. Computed in float32 with float32 parameters, which the reference's
 * {@code convert_weights} leaves in float32 too: a float16/bfloat16 input is widened, normalised, and rounded
 * back once, as the reference's mixed-precision batch norm does on a GPU.
 */
final class BatchNorm2d {
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;

    /**
     * @param w        the model's weights
     * @param prefix   parameter prefix, e.g. {@code visual.bn1}
     * @param channels channel count
     */
    BatchNorm2d(Weights w, String prefix, long channels) {
        weight = w.getFloat32(prefix + ".weight", channels);
        bias = w.getFloat32(prefix + ".bias", channels);
        runningMean = w.getFloat32(prefix + ".running_mean", channels);
        runningVar = w.getFloat32(prefix + ".running_var", channels);
    }

    /** @return the normalised {@code [N, C, H, W]} input, same dtype */
    Tensor apply(Tensor x) {
        if (Placement.hasType(x, torch.ScalarType.Float)) {
            return normalise(x);
        }
        return normalise(x.toType(torch.ScalarType.Float)).toType(x.scalar_type());
    }

    private Tensor normalise(Tensor x) {
        return torch.batch_norm(x, new TensorOptional(weight), new TensorOptional(bias),
                new TensorOptional(runningMean), new TensorOptional(runningVar), false, 0.1, Ops.EPS, false);
    }
}
