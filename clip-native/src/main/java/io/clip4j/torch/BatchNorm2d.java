package io.clip4j.torch;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * {@code nn.BatchNorm2d} in eval mode: {@code (x - running_mean) / sqrt(running_var + 1e-5) * weight + bias};
 * {@code num_batches_tracked} is not used.
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
        weight = w.get(prefix + ".weight", channels);
        bias = w.get(prefix + ".bias", channels);
        runningMean = w.get(prefix + ".running_mean", channels);
        runningVar = w.get(prefix + ".running_var", channels);
    }

    /** @return the normalised {@code [N, C, H, W]} input */
    Tensor apply(Tensor x) {
        return torch.batch_norm(x, new TensorOptional(weight), new TensorOptional(bias),
                new TensorOptional(runningMean), new TensorOptional(runningVar), false, 0.1, Ops.EPS, false);
    }
}
