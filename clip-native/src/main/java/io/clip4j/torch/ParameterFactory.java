package io.clip4j.torch;

import org.bytedeco.pytorch.Tensor;

/**
 * Makes the tensor of one model parameter (or BatchNorm buffer) when the towers are built without a
 * checkpoint, e.g. randomly initialised or copied from a checkpoint for training. See {@link ClipTowers}.
 */
@FunctionalInterface
public interface ParameterFactory {
    /**
     * Makes the tensor of one parameter or buffer.
     *
     * @param name  OpenAI parameter name, e.g. {@code visual.transformer.resblocks.0.attn.in_proj_weight} or
     *              {@code visual.bn1.running_mean}
     * @param shape the shape the configuration implies (empty for a scalar)
     * @return a float32 CPU tensor of exactly that shape; the towers keep and use this very tensor (in-place
     *         updates are seen by later forward passes); the caller keeps ownership
     */
    Tensor create(String name, long[] shape);
}
