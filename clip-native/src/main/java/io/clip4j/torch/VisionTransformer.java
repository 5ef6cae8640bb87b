package io.clip4j.torch;

import io.clip4j.ClipConfig;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The ViT image encoder of the reference ({@code VisionTransformer}): {@code conv1} patch embedding
 * (kernel = stride = patch_size, no bias) flattened row-major to g*g tokens, {@code class_embedding} prepended,
 * {@code + positional_embedding}, {@code ln_pre}, the blocks, {@code ln_post} on token 0, {@code @ proj}.
 * Thread-safe.
 */
final class VisionTransformer implements VisionTower {
    private final long width;
    private final long patch;
    private final Tensor conv1;
    private final Tensor classEmbedding;
    private final Tensor positionalEmbedding;
    private final LayerNorm lnPre;
    private final Transformer transformer;
    private final LayerNorm lnPost;
    private final Tensor proj;

    VisionTransformer(Weights w, ClipConfig c) {
        width = c.visionWidth();
        patch = c.visionPatchSize();
        long grid = c.imageResolution() / patch;
        conv1 = w.get("visual.conv1.weight", width, 3, patch, patch);
        classEmbedding = w.get("visual.class_embedding", width);
        positionalEmbedding = w.get("visual.positional_embedding", grid * grid + 1, width);
        lnPre = new LayerNorm(w, "visual.ln_pre", width);
        transformer = new Transformer(w, "visual.transformer", width, c.visionMlpWidth(), c.visionLayers()[0],
                c.visionHeads(), false, c.activation(), "vision_block");
        lnPost = new LayerNorm(w, "visual.ln_post", width);
        proj = w.get("visual.proj", width, c.embedDim());
    }

    @Override
    public Tensor apply(Tensor pixels, Taps taps) {
        long n = pixels.size(0);
        // [N, W, g, g] -> [N, g*g, W], token = row * g + column
        Tensor x = Ops.conv2d(pixels, conv1, patch, 0).flatten(2, 3).transpose(1, 2);
        taps.tap("vision_patch_embeds", x);
        Tensor cls = classEmbedding.view(1, 1, width).expand(n, 1, width);
        x = torch.cat(new TensorVector(cls, x), 1).add(positionalEmbedding);
        x = lnPre.apply(x);
        taps.tap("vision_ln_pre", x);
        x = transformer.apply(x, taps);
        Tensor pooled = lnPost.apply(x.select(1, 0));
        taps.tap("vision_ln_post", pooled);
        return pooled.matmul(proj);
    }
}
