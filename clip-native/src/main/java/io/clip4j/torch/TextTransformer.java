package io.clip4j.torch;

import io.clip4j.ClipConfig;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * The text encoder of the reference ({@code CLIP.encode_text}): {@code token_embedding[ids] +
 * positional_embedding}, the blocks with a causal mask, {@code ln_final}, the row at {@code argmax(ids)} (the
 * first position holding the largest id, i.e. the first end-of-text token), {@code @ text_projection}.
 * Thread-safe.
 */
final class TextTransformer {
    private final long width;
    private final Tensor tokenEmbedding;
    private final Tensor positionalEmbedding;
    private final Transformer transformer;
    private final LayerNorm lnFinal;
    private final Tensor textProjection;

    TextTransformer(Weights w, ClipConfig c) {
        width = c.transformerWidth();
        tokenEmbedding = w.get("token_embedding.weight", c.vocabSize(), width);
        positionalEmbedding = w.get("positional_embedding", c.contextLength(), width);
        transformer = new Transformer(w, "transformer", width, c.transformerMlpWidth(), c.transformerLayers(),
                c.transformerHeads(), true, c.activation(), "text_block");
        lnFinal = new LayerNorm(w, "ln_final", width);
        textProjection = w.get("text_projection", width, c.embedDim());
    }

    /**
     * @param ids  {@code [N, context_length]} int64 token ids, each in {@code [0, vocab_size)}
     * @param taps receives named intermediates
     * @return text_features {@code [N, embed_dim]}, not normalised
     */
    Tensor apply(Tensor ids, Taps taps) {
        long n = ids.size(0);
        // torch.argmax returns the first maximal index, like the reference's text.argmax(dim=-1).
        Tensor eot = ids.argmax(new LongOptional(1), false);
        // With the causal mask no position sees a later one, so the pooled rows (at most the batch's last EOT)
        // do not depend on the padding after it: cut it off. A prompt of 10 tokens then costs 11 positions, not
        // 77. Tapped runs (tests of per-block intermediates) keep the reference's full length.
        long length = taps == Taps.NONE && n > 0 ? Math.min(ids.size(1), eot.max().item_long() + 1) : ids.size(1);
        if (length < ids.size(1)) {
            ids = ids.narrow(1, 0, length);
        }
        Tensor x = torch.embedding(tokenEmbedding, ids).add(positionalEmbedding.narrow(0, 0, length));
        x = transformer.apply(x, taps);
        // Flat row index of each text's pooled token in [N * L, W], made on the device of the ids.
        TensorOptions longs = new TensorOptions(torch.ScalarType.Long).device(new DeviceOptional(ids.device()));
        Tensor rows = torch.arange(new Scalar(n), longs).mul(new Scalar(length)).add(eot);
        // LayerNorm is per row, so normalising only the selected rows equals the reference's order.
        Tensor pooled = lnFinal.apply(torch.index_select(x.reshape(n * length, width), 0, rows));
        taps.tap("text_ln_final_eot", pooled);
        return pooled.matmul(textProjection);
    }
}
