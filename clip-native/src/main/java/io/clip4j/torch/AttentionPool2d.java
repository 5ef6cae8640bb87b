package io.clip4j.torch;

import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The reference's {@code AttentionPool2d}: the feature map {@code [N, C, H, W]} becomes H*W tokens (row-major),
 * their mean is prepended as token 0, {@code + positional_embedding}, then multi-head attention with only
 * token 0 as query and all H*W+1 tokens as keys/values (separate {@code q_proj}/{@code k_proj}/{@code v_proj},
 * scale {@code 1/sqrt(C/heads)}), then {@code c_proj} (C to embed_dim). Thread-safe.
 */
final class AttentionPool2d {
    private final long heads;
    private final Tensor positionalEmbedding;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear cProj;

    /**
     * @param w         the model's weights
     * @param spacial   H = W of the feature map
     * @param embedDim  C, the channel count of the feature map
     * @param heads     attention heads
     * @param outputDim embed_dim of image_features
     */
    AttentionPool2d(Weights w, long spacial, long embedDim, long heads, long outputDim) {
        this.heads = heads;
        positionalEmbedding = w.get("visual.attnpool.positional_embedding", spacial * spacial + 1, embedDim);
        qProj = new Linear(w, "visual.attnpool.q_proj", embedDim, embedDim);
        kProj = new Linear(w, "visual.attnpool.k_proj", embedDim, embedDim);
        vProj = new Linear(w, "visual.attnpool.v_proj", embedDim, embedDim);
        cProj = new Linear(w, "visual.attnpool.c_proj", embedDim, outputDim);
    }

    /**
     * @param x {@code [N, C, H, W]}
     * @return {@code [N, embed_dim]}
     */
    Tensor apply(Tensor x) {
        Tensor tokens = x.flatten(2, 3).transpose(1, 2); // [N, HW, C]
        Tensor mean = tokens.mean(new long[]{1}, true, new ScalarTypeOptional());
        tokens = torch.cat(new TensorVector(mean, tokens), 1).add(positionalEmbedding); // [N, HW+1, C]
        Tensor q = Ops.splitHeads(qProj.apply(tokens.narrow(1, 0, 1)), heads); // [N, heads, 1, hd]
        Tensor k = Ops.splitHeads(kProj.apply(tokens), heads);
        Tensor v = Ops.splitHeads(vProj.apply(tokens), heads);
        Tensor pooled = Ops.mergeHeads(Ops.attention(q, k, v, false)); // [N, 1, C]
        return cProj.apply(pooled.select(1, 0));
    }
}
