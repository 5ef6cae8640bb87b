package io.clip4j.torch;

import io.clip4j.Activation;
import org.bytedeco.pytorch.Tensor;

/** A stack of {@link ResidualAttentionBlock}s ({@code Transformer} of the reference). Thread-safe. */
final class Transformer {
    private final ResidualAttentionBlock[] blocks;
    private final String tapPrefix;

    /**
     * @param w         the model's weights
     * @param prefix    e.g. {@code transformer} or {@code visual.transformer}
     * @param width     model width
     * @param mlpWidth  the MLPs' hidden width
     * @param layers    number of blocks
     * @param heads     attention heads
     * @param causal    causal mask (text)
     * @param activation the MLPs' activation
     * @param tapPrefix name prefix of the per-block taps, e.g. {@code text_block}
     */
    Transformer(Weights w, String prefix, long width, long mlpWidth, int layers, long heads, boolean causal,
                Activation activation, String tapPrefix) {
        blocks = new ResidualAttentionBlock[layers];
        for (int i = 0; i < layers; i++) {
            blocks[i] = new ResidualAttentionBlock(w, prefix + ".resblocks." + i, width, mlpWidth, heads, causal,
                    activation);
        }
        this.tapPrefix = tapPrefix;
    }

    /**
     * @param x    {@code [N, L, W]}
     * @param taps receives {@code <tapPrefix><i>_out} after block i
     * @return {@code [N, L, W]}
     */
    Tensor apply(Tensor x, Taps taps) {
        for (int i = 0; i < blocks.length; i++) {
            x = blocks[i].apply(x);
            taps.tap(tapPrefix + i + "_out", x);
        }
        return x;
    }
}
