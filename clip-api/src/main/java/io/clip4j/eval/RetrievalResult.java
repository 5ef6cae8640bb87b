package io.clip4j.eval;

import java.util.Locale;
import java.util.Objects;

/**
 * Image-text retrieval recall (CLIP paper appendix E.1, Table 13: Flickr30k / MSCOCO recall@1/5/10).
 * Immutable; serialises to JSON with Jackson.
 *
 * <p>Image-to-text: for every image, all texts are ranked by cosine similarity; a hit at K when any of the
 * image's captions is among the K best. Text-to-image: for every caption, all images are ranked; a hit at K
 * when its own image is among the K best. Ties between equal similarities are broken towards the lower
 * index, so a tie never helps the true item unless it comes first. Identical inputs (the same caption twice, two
 * image files that preprocess to the same pixels, e.g. transparent line art, which the reference's
 * {@code convert("RGB")} turns black) usually get features that are equal only up to float rounding, which
 * depends on their place in the batch, as in the reference implementation: their order is then decided by that
 * rounding, not by this rule, and many of them can move a recall by several points.
 *
 * @param images      number of distinct images
 * @param texts       number of captions
 * @param imageToText recall of text retrieval with an image query
 * @param textToImage recall of image retrieval with a text query
 */
public record RetrievalResult(int images, int texts, Recall imageToText, Recall textToImage) {
    /**
     * Recall at 1, 5 and 10, each in [0, 1].
     *
     * @param r1  fraction of queries with a match ranked first
     * @param r5  ... among the 5 best
     * @param r10 ... among the 10 best
     */
    public record Recall(double r1, double r5, double r10) {
    }

    /**
     * Computes both recalls from a similarity matrix.
     *
     * @param similarity {@code [n_images, n_texts]} row-major, larger = more similar, finite
     * @param nImages    number of images, &ge; 1
     * @param textImage  the image of each caption, in [0, n_images), length n_texts &ge; 1; every image
     *                   needs at least one caption
     * @return the recalls
     * @throws EvaluationException on a shape mismatch, an out-of-range image index, an image without a
     *                             caption or a non-finite similarity
     */
    public static RetrievalResult of(float[] similarity, int nImages, int[] textImage) {
        Objects.requireNonNull(similarity, "similarity");
        int nTexts = textImage.length;
        if (nImages < 1 || nTexts < 1 || (long) nImages * nTexts != similarity.length) {
            throw new EvaluationException("similarity has " + similarity.length + " values, expected [" + nImages
                    + ", " + nTexts + "] with at least one image and one text");
        }
        int[] captions = new int[nImages];
        for (int t = 0; t < nTexts; t++) {
            if (textImage[t] < 0 || textImage[t] >= nImages) {
                throw new EvaluationException("caption " + t + " refers to image " + textImage[t] + ", outside [0, "
                        + nImages + ")");
            }
            captions[textImage[t]]++;
        }
        for (int i = 0; i < nImages; i++) {
            if (captions[i] == 0) {
                throw new EvaluationException("image " + i + " has no caption");
            }
        }
        for (int i = 0; i < similarity.length; i++) {
            if (!Float.isFinite(similarity[i])) {
                throw new EvaluationException("similarity (" + i / nTexts + ", " + i % nTexts + ") is not finite");
            }
        }
        int[] i2t = new int[3];
        for (int i = 0; i < nImages; i++) {
            int best = Integer.MAX_VALUE;
            for (int t = 0; t < nTexts; t++) {
                if (textImage[t] == i) {
                    best = Math.min(best, rank(similarity, i * nTexts, 1, nTexts, t));
                }
            }
            count(i2t, best);
        }
        int[] t2i = new int[3];
        for (int t = 0; t < nTexts; t++) {
            count(t2i, rank(similarity, t, nTexts, nImages, textImage[t]));
        }
        return new RetrievalResult(nImages, nTexts, recall(i2t, nImages), recall(t2i, nTexts));
    }

    /** 0-based rank of item {@code target} among {@code n} values at {@code off + j * stride}. */
    private static int rank(float[] s, int off, int stride, int n, int target) {
        float v = s[off + target * stride];
        int rank = 0;
        for (int j = 0; j < n; j++) {
            float u = s[off + j * stride];
            if (u > v || (u == v && j < target)) {
                rank++;
            }
        }
        return rank;
    }

    private static void count(int[] hits, int rank) {
        hits[0] += rank < 1 ? 1 : 0;
        hits[1] += rank < 5 ? 1 : 0;
        hits[2] += rank < 10 ? 1 : 0;
    }

    private static Recall recall(int[] hits, int n) {
        return new Recall((double) hits[0] / n, (double) hits[1] / n, (double) hits[2] / n);
    }

    /** {@return a human-readable two-line table} */
    public String summary() {
        return String.format(Locale.ROOT, "retrieval: %d images, %d captions%n"
                        + "  image->text  R@1 %6.2f%%  R@5 %6.2f%%  R@10 %6.2f%%%n"
                        + "  text->image  R@1 %6.2f%%  R@5 %6.2f%%  R@10 %6.2f%%%n", images, texts,
                100 * imageToText.r1(), 100 * imageToText.r5(), 100 * imageToText.r10(),
                100 * textToImage.r1(), 100 * textToImage.r5(), 100 * textToImage.r10());
    }
}
