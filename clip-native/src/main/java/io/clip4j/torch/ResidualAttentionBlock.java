package io.clip4j.torch;

import io.clip4j.Activation;
import org.bytedeco.pytorch.Tensor;

/**
 * One pre-LN transformer block of the reference ({@code ResidualAttentionBlock}):
 * {@code x = x + out_proj(attn(ln_1(x)))}, then {@code x = x + c_proj(act(c_fc(ln_2(x))))} with act QuickGELU
 * (OpenAI) or GELU (open_clip's LAION models); {@code c_fc} widens to the MLP width ({@code 4W} in the reference,
 * other in open_clip's ViT-g / bigG).
 * Attention: {@code in_proj} packs q, k, v ({@code [3W, W]}), heads of {@code W / heads} channels, scale
 * {@code 1/sqrt(head_dim)}, optional causal mask. Immutable, thread-safe.
 */
final class ResidualAttentionBlock {
    private final long heads;
    private final boolean causal;
    private final Activation activation;
    private final LayerNorm ln1;
    private final Linear inProj;
    private final Linear outProj;
    private final LayerNorm ln2;
    private final Linear cFc;
    private final Linear cProj;

    /**
     * @param w      the model's weights
     * @param prefix e.g. {@code visual.transformer.resblocks.0}
     * @param width  model width W
     * @param mlpWidth the MLP's hidden width ({@code 4 * W} in the reference)
     * @param heads  attention heads (W must be divisible by it)
     * @param causal true for the text transformer's causal mask
     * @param activation the MLP's activation
     */
    ResidualAttentionBlock(Weights w, String prefix, long width, long mlpWidth, long heads, boolean causal,
                           Activation activation) {
        this.heads = heads;
        this.causal = causal;
        this.activation = activation;
        ln1 = new LayerNorm(w, prefix + ".ln_1", width);
        inProj = new Linear(w.get(prefix + ".attn.in_proj_weight", 3 * width, width),
                w.get(prefix + ".attn.in_proj_bias", 3 * width));
        outProj = new Linear(w, prefix + ".attn.out_proj", width, width);
        ln2 = new LayerNorm(w, prefix + ".ln_2", width);
        cFc = new Linear(w, prefix + ".mlp.c_fc", width, mlpWidth);
        cProj = new Linear(w, prefix + ".mlp.c_proj", mlpWidth, width);
    }

    /**
     * @param x {@code [N, L, W]}
     * @return {@code [N, L, W]}
     */
    Tensor apply(Tensor x) {
        long n = x.size(0);
        long l = x.size(1);
        long width = x.size(2);
        // [N, L, 3W] -> [3, N, heads, L, head_dim]
        Tensor qkv = inProj.apply(ln1.apply(x)).view(n, l, 3, heads, width / heads).permute(2, 0, 3, 1, 4);
        Tensor attn = Ops.attention(qkv.select(0, 0), qkv.select(0, 1), qkv.select(0, 2), causal);
        x = x.add(outProj.apply(Ops.mergeHeads(attn)));
        return x.add(cProj.apply(Ops.activation(activation, cFc.apply(ln2.apply(x)))));
    }
}
