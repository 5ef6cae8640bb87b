package io.clip4j.train;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The symmetric contrastive loss of CLIP (paper section 2.3, Figure 3): both feature sets are L2-normalised,
 * {@code logits_per_image = exp(logit_scale) * image_n @ text_n^T} ({@code [N, N]}),
 * {@code logits_per_text} its transpose, and the loss is the mean of the cross-entropy of each against the
 * diagonal targets ({@code labels = arange(N)}): {@code (CE(logits_per_image, labels) + CE(logits_per_text,
 * labels)) / 2}, each CE averaged over the batch.
 */
public final class ContrastiveLoss {
    private ContrastiveLoss() {
    }

    /**
     * Differentiable in all three inputs. Call inside a {@link org.bytedeco.javacpp.PointerScope}.
     *
     * @param imageFeatures float32 {@code [N, embed_dim]}, not normalised, N &ge; 1
     * @param textFeatures  float32 {@code [N, embed_dim]}; row i is the caption of image i
     * @param logitScale    0-dim float32 {@code logit_scale} (the log of the temperature multiplier)
     * @return the 0-dim loss
     */
    public static Tensor loss(Tensor imageFeatures, Tensor textFeatures, Tensor logitScale) {
        Tensor logitsPerImage = logitsPerImage(imageFeatures, textFeatures, logitScale);
        // -log_softmax at the diagonal = cross-entropy with target i for row i
        Tensor perImage = torch.log_softmax(logitsPerImage, 1).diagonal().mean();
        Tensor perText = torch.log_softmax(logitsPerImage, 0).diagonal().mean(); // rows of logits_per_text
        return perImage.add(perText).mul(new Scalar(-0.5));
    }

    /**
     * Computes CLIP's scaled cosine-similarity logits of a batch, with autograd (the reference {@code CLIP.forward}).
     *
     * @param imageFeatures {@code [N, embed_dim]}
     * @param textFeatures  {@code [M, embed_dim]}
     * @param logitScale    0-dim {@code logit_scale}
     * @return logits_per_image {@code [N, M]} = {@code exp(logit_scale) * image_n @ text_n^T}
     */
    public static Tensor logitsPerImage(Tensor imageFeatures, Tensor textFeatures, Tensor logitScale) {
        Tensor img = unit(imageFeatures);
        Tensor txt = unit(textFeatures);
        return img.matmul(txt.t()).mul(logitScale.exp());
    }

    private static Tensor unit(Tensor x) {
        return x.div(x.norm(new ScalarOptional(new Scalar(2.0)), new long[]{1}, true));
    }
}
