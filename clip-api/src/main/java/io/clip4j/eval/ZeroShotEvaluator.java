package io.clip4j.eval;

import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.data.LabeledDataset;
import io.clip4j.data.LabeledImage;
import io.clip4j.image.ImageInput;
import io.clip4j.math.ArraySizes;
import io.clip4j.math.TopK;
import io.clip4j.zeroshot.Prediction;
import io.clip4j.zeroshot.ZeroShotClassifier;
import io.clip4j.zeroshot.ZeroShotResult;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Zero-shot classification accuracy (CLIP paper section 3.1.2 and 3.1.4): the class names of the dataset in
 * every prompt template, text embeddings averaged per class ({@link ZeroShotClassifier}), each image
 * assigned the class with the highest {@code logit_scale * cos(image_features, class embedding)}.
 */
public final class ZeroShotEvaluator {
    private ZeroShotEvaluator() {
    }

    /**
     * Builds the classifier from the dataset's class names and scores every image, chunk by chunk, through
     * {@link ClipModel#zeroShotTopK} with k = min(5, classes): top-1/top-5 need no more, and on the LibTorch
     * engine's kernels pipeline each chunk is preprocessed, encoded and scored on the model's device.
     *
     * @param model     the model
     * @param dataset   labelled images, at least one
     * @param templates prompt templates with one {@code {}} each, at least one
     *                  (e.g. {@link io.clip4j.zeroshot.PromptTemplates#IMAGENET_80})
     * @param chunkSize images decoded and encoded per step, &ge; 1
     * @return top-1/top-5/per-class accuracy
     * @throws NullPointerException     if {@code model} or {@code dataset} is null
     * @throws EvaluationException      if the dataset is empty or chunkSize &lt; 1
     * @throws IllegalArgumentException for duplicate or blank class names, or null, empty or bad templates
     * @throws io.clip4j.image.ImageDecodeException naming the first image that cannot be decoded, with its place in
     *                                              the dataset ({@code image 287 of 806: FILE: ...})
     * @throws io.clip4j.ClipException if the model fails or an image's features are not finite
     */
    public static ZeroShotEvaluation evaluate(ClipModel model, LabeledDataset dataset, List<String> templates,
                                              int chunkSize) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(dataset, "dataset");
        if (dataset.size() == 0) {
            throw new EvaluationException("dataset " + dataset.name() + " has no examples");
        }
        if (chunkSize < 1) {
            throw new EvaluationException("chunk size must be >= 1, got " + chunkSize);
        }
        ZeroShotClassifier classifier = model.classifier(dataset.classNames(), templates);
        int n = dataset.size();
        int k = Math.min(5, dataset.classNames().size());
        int[] labels = new int[n];
        int[] indices = new int[ArraySizes.product("zero-shot top-k", n, k)];
        float[] probs = new float[indices.length];
        float[] logits = new float[indices.length];
        // Only the k best classes per image are needed for top-1/top-5: on a GPU with the kernels pipeline the
        // whole step (preprocessing, encoder, scoring) stays on the device.
        for (int s = 0; s < n; s += chunkSize) {
            List<ImageInput> chunk = new ArrayList<>();
            for (int i = s; i < Math.min(n, s + chunkSize); i++) {
                LabeledImage e = dataset.examples().get(i);
                chunk.add(e.image());
                labels[i] = e.label();
            }
            TopK part;
            try {
                part = model.zeroShotTopK(chunk, classifier.classEmbeddings(), k);
            } catch (io.clip4j.image.ImageDecodeException e) {
                throw DecodeFailures.locate(model, chunk, s, n, e);
            }
            System.arraycopy(part.indices(), 0, indices, s * k, part.indices().length);
            System.arraycopy(part.probs(), 0, probs, s * k, part.probs().length);
            System.arraycopy(part.logits(), 0, logits, s * k, part.logits().length);
        }
        ClassificationAccuracy accuracy = ClassificationAccuracy.ofTopK(new TopK(n, k, probs, indices, logits), labels,
                dataset.classNames());
        return new ZeroShotEvaluation(dataset.name(), templates.size(), accuracy);
    }

    /**
     * Scores precomputed image_features with a classifier.
     *
     * @param classifier a classifier whose labels equal {@code features.classNames()}, in order
     * @param features   image_features with labels, at least one row
     * @return top-1/top-5/per-class accuracy of the classifier's logits
     * @throws NullPointerException if an argument is null
     * @throws EvaluationException  if the labels differ, the features' dimension is not the classifier's embed_dim
     *                              (features of another model), features is empty, or a row is not finite or all
     *                              zeros
     */
    public static ClassificationAccuracy evaluate(ZeroShotClassifier classifier, LabeledFeatures features) {
        if (!classifier.labels().equals(features.classNames())) {
            throw new EvaluationException("classifier labels " + classifier.labels() + " differ from the class names "
                    + features.classNames());
        }
        int embedDim = classifier.classEmbeddings().dim();
        if (features.dim() != embedDim) {
            // Like the other incompatible sets of this package; it escaped as Similarity's IllegalArgumentException.
            throw new EvaluationException("image_features have dimension " + features.dim() + ", the classifier's"
                    + " embed_dim is " + embedDim + ": were they encoded by another model?");
        }
        if (features.size() == 0) {
            throw new EvaluationException("zero-shot accuracy needs at least one image");
        }
        FeatureRows.requireDirections(features.data(), features.dim(), "image_features");
        return ClassificationAccuracy.of(logits(classifier, features.features()), features.labels(),
                features.classNames());
    }

    /** {@code [n, n_labels]} logits in label order, read back from the classifier's ranked predictions. */
    private static float[] logits(ZeroShotClassifier classifier, Features f) {
        List<String> labels = classifier.labels();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            index.put(labels.get(i), i);
        }
        List<ZeroShotResult> results = classifier.classify(f);
        int k = labels.size();
        float[] out = new float[f.rows() * k];
        for (int i = 0; i < results.size(); i++) {
            for (Prediction p : results.get(i).predictions()) {
                out[i * k + index.get(p.label())] = p.logit();
            }
        }
        return out;
    }
}
