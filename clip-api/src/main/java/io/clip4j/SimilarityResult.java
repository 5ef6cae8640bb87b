package io.clip4j;

import io.clip4j.math.Similarity;

import java.util.Objects;

/**
 * The output of the reference {@code CLIP.forward(image, text)}: {@code logits_per_image}
 * {@code [n_images, n_texts]} = {@code logit_scale * cos(image_i, text_j)}, its transpose
 * {@code logits_per_text}, and {@code probs} = softmax of each image's row over the texts. Immutable.
 */
public final class SimilarityResult {
    private final float[] logitsPerImage;
    private final float[] probs;
    private final int nImages;
    private final int nTexts;

    private SimilarityResult(float[] logitsPerImage, float[] probs, int nImages, int nTexts) {
        this.logitsPerImage = logitsPerImage;
        this.probs = probs;
        this.nImages = nImages;
        this.nTexts = nTexts;
    }

    /**
     * Computes what the reference {@code CLIP.forward} returns from already encoded features: both sides L2-normalised,
     * {@code logits_per_image = logitScale * image_n @ text_n^T}, and its softmax over texts.
     *
     * @param imageFeatures image_features {@code [n_images, embed_dim]}, n_images &ge; 1
     * @param textFeatures  text_features {@code [n_texts, embed_dim]}, n_texts &ge; 1
     * @param logitScale    the multiplier {@code exp(logit_scale)}, finite and &gt; 0 (100 for OpenAI's models)
     * @return the similarities; an all-zero row (no direction; {@link ClipModel}'s encoders never return one) gets
     *         logits 0, so an all-zero image row gets equal probabilities, where the reference's division by the norm
     *         would give NaN
     * @throws NullPointerException     if a feature set is null
     * @throws IllegalArgumentException if either side is empty, the embed_dims differ, logitScale is not finite and
     *                                  positive (a raw {@code logit_scale} below 0, or 0, would reorder or flatten
     *                                  the probabilities without any error), a
     *                                  feature value is not finite (a non-finite logit), or
     *                                  {@code n_images * n_texts} exceeds the largest Java array
     */
    public static SimilarityResult of(Features imageFeatures, Features textFeatures, float logitScale) {
        Objects.requireNonNull(imageFeatures, "imageFeatures");
        Objects.requireNonNull(textFeatures, "textFeatures");
        if (imageFeatures.rows() == 0 || textFeatures.rows() == 0) {
            throw new IllegalArgumentException("similarity needs at least one image and one text");
        }
        if (!(logitScale > 0) || Float.isInfinite(logitScale)) {
            throw new IllegalArgumentException("logitScale is exp(logit_scale), finite and > 0, got " + logitScale);
        }
        float[] logits = Similarity.logits(imageFeatures, textFeatures, logitScale);
        int n = imageFeatures.rows();
        int m = textFeatures.rows();
        return new SimilarityResult(logits, Similarity.softmaxRows(logits, n, m), n, m);
    }

    /** {@return n_images, the number of images (rows)} */
    public int imageCount() {
        return nImages;
    }

    /** {@return n_texts, the number of texts (columns)} */
    public int textCount() {
        return nTexts;
    }

    /** {@return logits_per_image {@code [n_images, n_texts]} row-major (a copy)} */
    public float[] logitsPerImage() {
        return logitsPerImage.clone();
    }

    /**
     * {@return logits_per_text {@code [n_texts, n_images]} row-major, the transpose of logits_per_image (a new array)}
     */
    public float[] logitsPerText() {
        return Similarity.transpose(logitsPerImage, nImages, nTexts);
    }

    /** {@return softmax over texts per image, {@code [n_images, n_texts]} row-major, rows sum to 1 (a copy)} */
    public float[] probs() {
        return probs.clone();
    }

    /**
     * Returns the scaled cosine similarity of one image and one text.
     *
     * @param image index in [0, n_images)
     * @param text  index in [0, n_texts)
     * @return {@code logits_per_image[image, text]}
     * @throws IndexOutOfBoundsException if an index is out of range
     */
    public float logit(int image, int text) {
        return logitsPerImage[index(image, text)];
    }

    /**
     * Returns the probability of one text for one image (softmax over the image's row of logits_per_image).
     *
     * @param image index in [0, n_images)
     * @param text  index in [0, n_texts)
     * @return {@code probs[image, text]} in [0, 1]
     * @throws IndexOutOfBoundsException if an index is out of range
     */
    public float probability(int image, int text) {
        return probs[index(image, text)];
    }

    /**
     * Returns a short description: the shape and, for small results, the logits.
     *
     * @return the shape and, when it has at most 8 x 8 entries, {@code logits_per_image} row by row with
     *     two decimals, e.g. {@code SimilarityResult[2 images x 2 texts, logits_per_image=[[24.11, 18.03],
     *     [17.20, 25.31]]]}; larger results give the shape only
     */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("SimilarityResult[")
                .append(nImages).append(nImages == 1 ? " image x " : " images x ")
                .append(nTexts).append(nTexts == 1 ? " text" : " texts");
        if (nImages <= 8 && nTexts <= 8) {
            b.append(", logits_per_image=[");
            for (int i = 0; i < nImages; i++) {
                b.append(i == 0 ? "[" : ", [");
                for (int j = 0; j < nTexts; j++) {
                    b.append(j == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "%.2f", logit(i, j)));
                }
                b.append(']');
            }
            b.append(']');
        }
        return b.append(']').toString();
    }

    private int index(int image, int text) {
        if (image < 0 || image >= nImages || text < 0 || text >= nTexts) {
            throw new IndexOutOfBoundsException("(" + image + ", " + text + ") outside [" + nImages + ", " + nTexts + "]");
        }
        return image * nTexts + text;
    }
}
