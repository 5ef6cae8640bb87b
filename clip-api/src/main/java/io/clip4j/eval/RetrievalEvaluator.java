package io.clip4j.eval;

import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.data.ImageCaption;
import io.clip4j.image.ImageInput;
import io.clip4j.math.Similarity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Zero-shot image-text retrieval (CLIP paper appendix E.1, Table 13): encodes the distinct images and all
 * captions, ranks by cosine similarity and reports recall@1/5/10 both ways ({@link RetrievalResult}).
 *
 * <p>Captions of one image: pairs whose {@link ImageInput#toString()} is equal (for files, the path) are
 * the same image, so a set with five captions per image lists each image five times. Captions are
 * encoded as given (no prompt template), like the paper.
 */
public final class RetrievalEvaluator {
    private RetrievalEvaluator() {
    }

    /**
     * Measures zero-shot image-to-text and text-to-image recall@1/5/10 of a model on image-caption pairs.
     *
     * @param model     the model
     * @param pairs     image-caption pairs, at least one
     * @param chunkSize images decoded and encoded per step, &ge; 1
     * @return the recalls
     * @throws NullPointerException     if {@code model} or a pair is null
     * @throws EvaluationException      if pairs is null or empty, or chunkSize &lt; 1
     * @throws io.clip4j.image.ImageDecodeException naming an image that cannot be decoded
     * @throws io.clip4j.ClipException  if the model is closed or fails, or features are not finite or all zeros
     *                                  ({@link io.clip4j.NonFiniteFeaturesException})
     */
    public static RetrievalResult evaluate(ClipModel model, List<ImageCaption> pairs, int chunkSize) {
        Objects.requireNonNull(model, "model");
        if (pairs == null || pairs.isEmpty()) {
            throw new EvaluationException("retrieval needs at least one image-caption pair");
        }
        Map<String, Integer> index = new LinkedHashMap<>();
        List<ImageInput> images = new ArrayList<>();
        List<String> captions = new ArrayList<>(pairs.size());
        int[] textImage = new int[pairs.size()];
        for (int t = 0; t < pairs.size(); t++) {
            ImageCaption p = pairs.get(t);
            if (p == null) { // named, not the JVM's "Cannot invoke ImageCaption.image()"
                throw new NullPointerException("pairs[" + t + "] is null");
            }
            Integer i = index.get(p.image().toString());
            if (i == null) {
                i = images.size();
                index.put(p.image().toString(), i);
                images.add(p.image());
            }
            textImage[t] = i;
            captions.add(p.caption());
        }
        Features imageFeatures = LabeledFeatures.encodeImages(model, images, chunkSize);
        Features textFeatures = model.encodeTexts(captions);
        return of(imageFeatures, textFeatures, textImage);
    }

    /**
     * Retrieval recall from precomputed features.
     *
     * @param imageFeatures image_features {@code [n_images, embed_dim]}, raw or normalised
     * @param textFeatures  text_features {@code [n_texts, embed_dim]}, raw or normalised
     * @param textImage     the image of each caption, length n_texts
     * @return the recalls
     * @throws NullPointerException if an argument is null
     * @throws EvaluationException  on mismatched shapes, no image or caption, a caption's image index outside
     *                              [0, n_images), an image without a caption, or a row that is not finite or all zeros
     */
    public static RetrievalResult of(Features imageFeatures, Features textFeatures, int[] textImage) {
        if (imageFeatures.dim() != textFeatures.dim()) {
            throw new EvaluationException("embed_dim mismatch: image_features " + imageFeatures.dim()
                    + ", text_features " + textFeatures.dim());
        }
        if (textFeatures.rows() != textImage.length) {
            throw new EvaluationException(textFeatures.rows() + " text_features rows but " + textImage.length
                    + " caption-to-image entries");
        }
        FeatureRows.requireDirections(imageFeatures, "image_features");
        FeatureRows.requireDirections(textFeatures, "text_features");
        float[] cos = Similarity.logits(imageFeatures, textFeatures, 1f);
        return RetrievalResult.of(cos, imageFeatures.rows(), textImage);
    }
}
