package io.clip4j.zeroshot;

import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.image.ImageInput;
import io.clip4j.math.ArraySizes;
import io.clip4j.math.RowDirections;
import io.clip4j.math.Similarity;
import io.clip4j.math.TopK;
import io.clip4j.text.MessageText;

import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A zero-shot classifier (CLIP paper section 3.1.2 and 3.1.4): one embedding per label, the
 * normalised mean of the normalised text_features of that label in every prompt template (prompt
 * ensembling; with one template it is that template's normalised embedding). Classifying computes
 * {@code logit_scale * cos(image_features, label embedding)} and the softmax over labels.
 * Immutable and thread-safe; build it once, classify many images.
 */
public final class ZeroShotClassifier {
    /** Prompts tokenized or encoded per call while building (the model batches them further). */
    private static final int PROMPTS_PER_CALL = 4096;

    private final ClipModel model;
    private final List<String> labels;
    private final Features classEmbeddings;

    private ZeroShotClassifier(ClipModel model, List<String> labels, Features classEmbeddings) {
        this.model = model;
        this.labels = labels;
        this.classEmbeddings = classEmbeddings;
    }

    /**
     * Encodes every (template, label) prompt and averages per label (the reference notebook's
     * {@code zeroshot_classifier}).
     *
     * @param model     the model whose text tower embeds the prompts
     * @param labels    class names, at least one, none blank, no duplicates: a label the tokenizer reads as
     *                  nothing (only whitespace, including Unicode spaces such as U+00A0 and HTML entities such as
     *                  {@code &nbsp;}) counts as blank, and two labels whose prompts tokenize to the same ids (e.g.
     *                  "Cat" and "cat ", as the tokenizer lower-cases and collapses whitespace) count as duplicates,
     *                  since they would get one embedding and split one class's probability
     * @param templates prompt templates, each with one {@code {}}, at least one, none null
     * @return the classifier
     * @throws NullPointerException     if {@code model} is null
     * @throws IllegalArgumentException for a null or empty list, duplicate, blank or null labels (a duplicate's message names
     *                                  both spellings), bad or null templates, or a label whose prompts'
     *                                  normalised text_features average to zero (no direction to compare with)
     * @throws io.clip4j.ClipException  if the model is closed or the engine fails; a
     *                                  {@link io.clip4j.NonFiniteFeaturesException} if a prompt's text_features are
     *                                  not finite or all zeros
     */
    public static ZeroShotClassifier build(ClipModel model, List<String> labels, List<String> templates) {
        Objects.requireNonNull(model, "model");
        checkLabels(labels);
        if (templates == null || templates.isEmpty()) {
            throw new IllegalArgumentException("at least one prompt template is needed");
        }
        for (int i = 0; i < templates.size(); i++) {
            if (templates.get(i) == null) {
                throw new IllegalArgumentException("prompt template " + (i + 1) + " of " + templates.size() + " is null");
            }
        }
        requireTokens(model, labels);
        requireDistinctIds(model, labels, templates);
        // A few thousand prompts per call, like the reference's class-by-class loop: all prompts at once held their
        // ids, text_features and a normalised copy together (8 GB for 21,843 labels x 80 templates).
        int nt = templates.size();
        int perCall = Math.max(1, PROMPTS_PER_CALL / nt);
        float[] mean = null;
        int dim = 0;
        for (int from = 0; from < labels.size(); from += perCall) {
            List<String> part = labels.subList(from, Math.min(labels.size(), from + perCall));
            Features all = model.encodeTexts(prompts(part, templates)).normalized();
            if (mean == null) {
                dim = all.dim();
                mean = new float[ArraySizes.product("class embeddings", labels.size(), dim)];
            }
            for (int l = 0; l < part.size(); l++) {
                double[] acc = new double[dim];
                for (int t = 0; t < nt; t++) {
                    for (int c = 0; c < dim; c++) {
                        acc[c] += all.get(l * nt + t, c);
                    }
                }
                for (int c = 0; c < dim; c++) {
                    mean[(from + l) * dim + c] = (float) (acc[c] / nt);
                }
            }
        }
        Features classEmbeddings = new Features(mean, labels.size(), dim).normalized();
        // Features.normalized() keeps a zero row zero: a class without direction would score cos = 0 silently.
        RowDirections.Problem p = RowDirections.firstProblem(classEmbeddings.toArray(), dim);
        if (p != null && p.allZeros()) {
            throw new IllegalArgumentException("label '" + labels.get(p.row()) + "' has no class embedding: the"
                    + " normalised text_features of its " + nt + " prompts average to zero");
        }
        return new ZeroShotClassifier(model, List.copyOf(labels), classEmbeddings);
    }

    private static void checkLabels(List<String> labels) {
        if (labels == null || labels.isEmpty()) {
            throw new IllegalArgumentException("at least one label is needed");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < labels.size(); i++) {
            String l = labels.get(i);
            if (l == null || l.chars().allMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("label " + (i + 1) + " of " + labels.size() + " is "
                        + (l == null ? "null" : "blank"));
            }
            if (!seen.add(l)) {
                throw new IllegalArgumentException("duplicate label '" + MessageText.printable(l, 60) + "'");
            }
        }
    }

    /**
     * A label the tokenizer reads as nothing ("&amp;nbsp;", U+00A0, U+2007: Unicode whitespace that
     * {@link Character#isWhitespace} does not count) is blank: it tokenizes like the empty string.
     */
    private static void requireTokens(ClipModel model, List<String> labels) {
        long[] empty = model.tokenize(List.of(""));
        LongBuffer none = LongBuffer.wrap(empty);
        int ctx = empty.length;
        for (int from = 0; from < labels.size(); from += PROMPTS_PER_CALL) {
            List<String> part = labels.subList(from, Math.min(labels.size(), from + PROMPTS_PER_CALL));
            long[] ids = model.tokenize(part);
            for (int l = 0; l < part.size(); l++) {
                if (LongBuffer.wrap(ids, l * ctx, ctx).slice().equals(none)) {
                    throw new IllegalArgumentException("label " + (from + l + 1) + " of " + labels.size()
                            + " is blank: '" + MessageText.printable(part.get(l), 60) + "' gives no tokens (the tokenizer unescapes HTML and"
                            + " drops whitespace)");
                }
            }
        }
    }

    /** Every template filled with every label, label by label. */
    private static List<String> prompts(List<String> labels, List<String> templates) {
        List<String> prompts = new ArrayList<>(labels.size() * templates.size());
        for (String label : labels) {
            for (String t : templates) {
                prompts.add(PromptTemplates.fill(t, label));
            }
        }
        return prompts;
    }

    /**
     * Labels whose prompts all tokenize to the same ids ("Cat" and "cat ", or two long labels cut at the same
     * context_length) would get one embedding and split one class's probability between them. Only a hash of each
     * label's ids is kept; labels with equal hashes are compared by their ids.
     */
    private static void requireDistinctIds(ClipModel model, List<String> labels, List<String> templates) {
        int perCall = Math.max(1, PROMPTS_PER_CALL / templates.size());
        Map<Integer, List<Integer>> byHash = new HashMap<>();
        for (int from = 0; from < labels.size(); from += perCall) {
            List<String> part = labels.subList(from, Math.min(labels.size(), from + perCall));
            long[] ids = model.tokenize(prompts(part, templates));
            int perLabel = ids.length / part.size();
            for (int l = 0; l < part.size(); l++) {
                LongBuffer mine = LongBuffer.wrap(ids, l * perLabel, perLabel).slice();
                List<Integer> sameHash = byHash.computeIfAbsent(mine.hashCode(), h -> new ArrayList<>(1));
                for (int other : sameHash) {
                    if (LongBuffer.wrap(model.tokenize(prompts(List.of(labels.get(other)), templates))).equals(mine)) {
                        throw new IllegalArgumentException("labels '" + MessageText.printable(labels.get(other), 60)
                                + "' and '" + MessageText.printable(labels.get(from + l), 60) + "' are duplicates: their prompts give the same token ids (the"
                                + " tokenizer lower-cases, collapses whitespace and cuts at context_length)");
                    }
                }
                sameHash.add(from + l);
            }
        }
    }

    /** {@return the labels, in the order given} */
    public List<String> labels() {
        return labels;
    }

    /**
     * {@return the class embeddings {@code [n_labels, embed_dim]}, one unit-norm row per label: the normalised mean
     * of its prompts' normalised text_features (the reference notebook's {@code zeroshot_weights}, transposed)}
     */
    public Features classEmbeddings() {
        return classEmbeddings;
    }

    /**
     * Ranks all labels for one image (CLIP paper section 3.1): softmax over
     * {@code logit_scale * cos(image_features, class embedding)}.
     *
     * @param image the image
     * @return all labels ranked by probability
     * @throws NullPointerException if {@code image} is null
     * @throws io.clip4j.image.ImageDecodeException naming the input if it cannot be decoded
     * @throws io.clip4j.ClipException if the model is closed or the engine fails
     */
    public ZeroShotResult classify(ImageInput image) {
        return classify(model.encodeImage(image)).get(0);
    }

    /**
     * Ranks all labels for each of several images, encoding the images batch by batch.
     *
     * @param images the images
     * @return one ranking of all labels per image, in input order (empty for no images)
     * @throws NullPointerException     if {@code images} is null
     * @throws IllegalArgumentException if an element is null
     * @throws io.clip4j.image.ImageDecodeException naming the first input that cannot be decoded
     * @throws io.clip4j.ClipException if the model is closed or the engine fails; a
     *                                 {@link io.clip4j.NonFiniteFeaturesException} if an image's features are not
     *                                 finite or all zeros
     */
    public List<ZeroShotResult> classifyAll(List<ImageInput> images) {
        return classify(model.encodeImages(images));
    }

    /**
     * The k most probable labels of every image, through {@link ClipModel#zeroShotTopK} (on the LibTorch
     * engine with {@link io.clip4j.ImagePipeline#KERNELS}: preprocessing, encoder, similarity and top-k on
     * the model's device, only the {@code [n, k]} result back on the host).
     *
     * @param images the images, at least one
     * @param k      labels kept per image, in [1, number of labels]
     * @return one ranking of k predictions per image, in input order
     * @throws NullPointerException     if {@code images} is null
     * @throws IllegalArgumentException if images is empty or has a null element, or k is out of range
     * @throws io.clip4j.image.ImageDecodeException naming the first input that cannot be decoded
     * @throws io.clip4j.ClipException if the model is closed, the engine fails, or an image's features are not
     *                                 finite
     */
    public List<ZeroShotResult> classifyAll(List<ImageInput> images, int k) {
        TopK top = model.zeroShotTopK(images, classEmbeddings, k);
        List<ZeroShotResult> out = new ArrayList<>(top.rows());
        for (int i = 0; i < top.rows(); i++) {
            List<Prediction> preds = new ArrayList<>(k);
            for (int r = 0; r < k; r++) {
                preds.add(new Prediction(labels.get(top.index(i, r)), top.prob(i, r), top.logit(i, r)));
            }
            out.add(new ZeroShotResult(preds));
        }
        return out;
    }

    /**
     * Classifies precomputed image_features.
     *
     * @param imageFeatures {@code [n, embed_dim]}, raw or normalised
     * @return one ranking of all labels per row (empty for n = 0); an all-zero row gets equal probabilities
     * @throws NullPointerException     if {@code imageFeatures} is null
     * @throws IllegalArgumentException if embed_dim differs from the classifier's, or a row is not finite
     */
    public List<ZeroShotResult> classify(Features imageFeatures) {
        int n = Objects.requireNonNull(imageFeatures, "imageFeatures").rows();
        int k = labels.size();
        float[] logits = Similarity.logits(imageFeatures, classEmbeddings, model.logitScale());
        float[] probs = Similarity.softmaxRows(logits, n, k);
        List<ZeroShotResult> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] row = new float[k];
            System.arraycopy(probs, i * k, row, 0, k);
            List<Prediction> preds = new ArrayList<>(k);
            for (int j : Similarity.topK(row, k)) {
                preds.add(new Prediction(labels.get(j), probs[i * k + j], logits[i * k + j]));
            }
            out.add(new ZeroShotResult(preds));
        }
        return out;
    }
}
