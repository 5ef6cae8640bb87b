package io.clip4j.spi;

import io.clip4j.ClipException;
import io.clip4j.NonFiniteFeaturesException;
import io.clip4j.Features;
import io.clip4j.image.ImageInput;
import io.clip4j.math.RowDirections;
import io.clip4j.math.TopK;

import java.util.List;
import java.util.Objects;

/**
 * The checks shared by every implementation of {@link io.clip4j.ClipModel#zeroShotTopK}, so that all engines
 * and image pipelines accept and refuse the same inputs.
 */
public final class ZeroShotArguments {
    private ZeroShotArguments() {
    }

    /**
     * Checks the arguments before any work.
     *
     * @param images          must be non-null and non-empty, without null elements
     * @param classEmbeddings {@code [m >= 1, embedDim]}; every row finite and not all zero (a zero row has no
     *                        direction: the reference's normalisation would give NaN for it)
     * @param k               must be in [1, m]
     * @param embedDim        the model's embed_dim
     * @throws IllegalArgumentException if a check fails, naming the bad row or image
     */
    public static void check(List<ImageInput> images, Features classEmbeddings, int k, int embedDim) {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(classEmbeddings, "classEmbeddings");
        if (images.isEmpty()) {
            throw new IllegalArgumentException("at least one image is needed");
        }
        InputBatches.requireNoNulls(images, "images");
        if (classEmbeddings.dim() != embedDim || classEmbeddings.rows() < 1) {
            throw new IllegalArgumentException("class embeddings must be [m >= 1, embed_dim " + embedDim + "], got ["
                    + classEmbeddings.rows() + ", " + classEmbeddings.dim() + "]");
        }
        if (k < 1 || k > classEmbeddings.rows()) {
            throw new IllegalArgumentException("k must be in [1, " + classEmbeddings.rows() + "], got " + k);
        }
        RowDirections.Problem p = RowDirections.firstProblem(classEmbeddings.toArray(), embedDim);
        if (p != null) {
            throw new IllegalArgumentException("class embedding " + p.row() + (p.allZeros() ? " is all zeros"
                    : " has a non-finite value at " + p.column()));
        }
    }

    /**
     * Checks logits before the softmax of the default implementation.
     *
     * @param logits {@code [n, m]} logits_per_image, row-major
     * @param m      columns (classes)
     * @throws NonFiniteFeaturesException naming the first image with a non-finite logit (its image_features
     *                                     contain NaN or infinity)
     */
    public static void requireFiniteLogits(float[] logits, int m) {
        for (int i = 0; i < logits.length; i++) {
            if (!Float.isFinite(logits[i])) {
                throw notFinite(i / m);
            }
        }
    }

    /**
     * Checks an engine's result: a NaN probability means the image_features of that image were not finite
     * (e.g. a float16 overflow in the tower), which no ranking can repair.
     *
     * @param top the engine's result
     * @return {@code top}
     * @throws NonFiniteFeaturesException naming the first image whose probabilities are not finite
     */
    public static TopK requireFinite(TopK top) {
        for (int i = 0; i < top.rows(); i++) {
            for (int r = 0; r < top.k(); r++) {
                if (!Float.isFinite(top.prob(i, r))) {
                    throw notFinite(i);
                }
            }
        }
        return top;
    }

    private static NonFiniteFeaturesException notFinite(int image) {
        return new NonFiniteFeaturesException("zero-shot scores of image " + image + " are not finite: its"
                + " image_features contain NaN or infinity");
    }
}
