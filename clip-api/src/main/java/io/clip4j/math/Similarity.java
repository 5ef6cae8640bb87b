package io.clip4j.math;

import io.clip4j.Features;

import java.util.Arrays;
import java.util.Objects;

/**
 * CPU reference arithmetic of CLIP's head: cosine similarity scaled by {@code logit_scale}
 * (reference {@code CLIP.forward}: {@code logits_per_image = logit_scale.exp() * image_n @ text_n.T}),
 * row softmax and top-k. Results are row-major float32 matrices; sums are accumulated in double.
 *
 * <p>Each logit is {@code (float) (scale * sum)} where the dot product's sum runs over k in order, in double, over
 * the float32 normalised features; the blocked product that computes it ({@code ScaledDots}) gives exactly the
 * values of that plain loop.
 */
public final class Similarity {
    /** Up to this many picks, {@link #topK} selects them one by one; more are sorted. */
    private static final int SELECTION_MAX_K = 32;

    private Similarity() {
    }

    /**
     * {@code logits_per_image}: {@code scale * normalize(image) @ normalize(text)^T}.
     *
     * @param imageFeatures image_features {@code [n_images, embed_dim]}, raw or normalised
     * @param textFeatures  text_features {@code [n_texts, embed_dim]}, raw or normalised
     * @param scale         the multiplier, i.e. {@code exp(logit_scale)} (100 for published models)
     * @return {@code [n_images, n_texts]} row-major; a row of zeros scores 0 everywhere, a row holding NaN or an
     *         infinity gives NaN logits (not checked here; {@link #softmaxRows} refuses them)
     * @throws NullPointerException     if a feature set is null
     * @throws IllegalArgumentException if the embed_dims differ, scale is not finite, or
     *                                  {@code n_images * n_texts} exceeds the largest Java array
     *                                  ({@link ArraySizes#MAX_LENGTH})
     */
    public static float[] logits(Features imageFeatures, Features textFeatures, float scale) {
        Objects.requireNonNull(imageFeatures, "imageFeatures");
        Objects.requireNonNull(textFeatures, "textFeatures");
        if (imageFeatures.dim() != textFeatures.dim()) {
            throw new IllegalArgumentException("embed_dim mismatch: image_features have " + imageFeatures.dim()
                    + ", text_features have " + textFeatures.dim());
        }
        if (!Float.isFinite(scale)) {
            throw new IllegalArgumentException("logit scale must be finite, got " + scale);
        }
        int n = imageFeatures.rows();
        int m = textFeatures.rows();
        float[] out = new float[ArraySizes.product("logits_per_image", n, m)]; // before normalising copies
        float[] a = imageFeatures.normalized().toArray();
        float[] b = textFeatures.normalized().toArray();
        ScaledDots.compute(a, n, b, m, imageFeatures.dim(), scale, out);
        return out;
    }

    /**
     * Transposes a row-major matrix ({@code logits_per_text = logits_per_image^T}).
     *
     * @param m    values {@code [rows, cols]}
     * @param rows rows
     * @param cols cols
     * @return {@code [cols, rows]}
     * @throws NullPointerException     if {@code m} is null
     * @throws IllegalArgumentException if {@code m.length != rows * cols}, rows &lt; 0 or cols &lt; 1
     */
    public static float[] transpose(float[] m, int rows, int cols) {
        Objects.requireNonNull(m, "m");
        checkShape(m, rows, cols);
        float[] t = new float[m.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = m[i * cols + j];
            }
        }
        return t;
    }

    /**
     * Softmax over the last axis of a row-major matrix, numerically stable (max subtracted).
     *
     * @param logits values {@code [rows, cols]}, finite
     * @param rows   rows
     * @param cols   cols, &gt; 0
     * @return probabilities, each row summing to 1 (up to float32 rounding)
     * @throws NullPointerException     if {@code logits} is null
     * @throws IllegalArgumentException on a shape mismatch or a non-finite logit
     */
    public static float[] softmaxRows(float[] logits, int rows, int cols) {
        Objects.requireNonNull(logits, "logits");
        checkShape(logits, rows, cols);
        float[] out = new float[logits.length];
        // Each exp computed once (they were the cost of a 1000-class softmax). Sized by cols only when there is a row:
        // [0, cols] is valid for any cols, and new double[cols] then asked for up to 16 GiB.
        double[] e = new double[rows == 0 ? 0 : cols];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                float v = logits[r * cols + c];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("non-finite logit at (" + r + ", " + c + "): " + v);
                }
                max = Math.max(max, v);
            }
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                e[c] = Math.exp(logits[r * cols + c] - max);
                sum += e[c];
            }
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = (float) (e[c] / sum);
            }
        }
        return out;
    }

    /**
     * Indices of the k largest values of one row, largest first; ties keep the lower index first.
     *
     * @param values a row, no NaN (infinities rank as the extremes they are)
     * @param k      how many, clipped to {@code values.length}; must be &ge; 1
     * @return indices into {@code values}, {@code min(k, values.length)} of them
     * @throws NullPointerException     if {@code values} is null
     * @throws IllegalArgumentException if k &lt; 1 or a value is NaN
     */
    public static int[] topK(float[] values, int k) {
        Objects.requireNonNull(values, "values");
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        // NaN is unordered: it would rank first at index 0 and last anywhere else.
        for (int i = 0; i < values.length; i++) {
            if (Float.isNaN(values[i])) {
                throw new IllegalArgumentException("value " + i + " is NaN, which has no rank");
            }
        }
        int n = Math.min(k, values.length);
        if (n > SELECTION_MAX_K) {
            // A full ranking of many labels (ZeroShotClassifier.classify ranks all of them): selection would be
            // quadratic, 1 s for 21,843 labels and 35 s for 80,000. Sorting orders pairs exactly like the loop below.
            Integer[] order = new Integer[values.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> values[a] > values[b] ? -1 : values[a] < values[b] ? 1 : Integer.compare(a, b));
            int[] idx = new int[n];
            for (int t = 0; t < n; t++) {
                idx[t] = order[t];
            }
            return idx;
        }
        int[] idx = new int[n];
        // Partial selection: O(len * k) for a few picks; avoids boxing.
        boolean[] taken = new boolean[values.length];
        for (int t = 0; t < n; t++) {
            int best = -1;
            for (int i = 0; i < values.length; i++) {
                if (!taken[i] && (best < 0 || values[i] > values[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            idx[t] = best;
        }
        return idx;
    }

    /**
     * Row softmax then top-k of each row ({@code logits.softmax(-1).topk(k)}), keeping each pick's logit.
     *
     * @param logits {@code [rows, cols]} row-major, finite
     * @param rows   rows, &ge; 1
     * @param cols   cols, &ge; 1
     * @param k      picks per row, in [1, cols]
     * @return the k most probable columns of every row
     * @throws NullPointerException     if {@code logits} is null
     * @throws IllegalArgumentException on a shape mismatch, a non-finite logit or k out of range
     */
    public static TopK softmaxTopK(float[] logits, int rows, int cols, int k) {
        Objects.requireNonNull(logits, "logits");
        if (rows < 1 || k < 1 || k > cols) {
            throw new IllegalArgumentException("need rows >= 1 and k in [1, " + cols + "], got rows " + rows
                    + ", k " + k);
        }
        float[] probs = softmaxRows(logits, rows, cols);
        float[] topP = new float[rows * k];
        float[] topL = new float[rows * k];
        int[] topI = new int[rows * k];
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(probs, r * cols, row, 0, cols);
            int[] idx = topK(row, k);
            for (int j = 0; j < k; j++) {
                topI[r * k + j] = idx[j];
                topP[r * k + j] = row[idx[j]];
                topL[r * k + j] = logits[r * cols + idx[j]];
            }
        }
        return new TopK(rows, k, topP, topI, topL);
    }

    private static void checkShape(float[] m, int rows, int cols) {
        if (rows < 0 || cols <= 0 || (long) rows * cols != m.length) {
            throw new IllegalArgumentException("matrix [" + rows + ", " + cols + "] needs " + ((long) rows * cols)
                    + " values, got " + m.length);
        }
    }
}
