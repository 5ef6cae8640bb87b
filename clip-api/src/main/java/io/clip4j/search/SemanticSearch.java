package io.clip4j.search;

import io.clip4j.ClipModel;
import io.clip4j.image.ImageInput;

import java.util.List;
import java.util.Objects;

/**
 * Text-to-image and image-to-image search: queries are encoded with a model and ranked against an
 * {@link EmbeddingIndex} by cosine similarity (CLIP paper appendix E.1, zero-shot retrieval).
 *
 * <pre>{@code
 * EmbeddingIndex index = EmbeddingIndex.load(Path.of("photos.npz"));
 * try (ClipModel model = ClipModel.load(Path.of("ViT-B-32.pt"))) {
 *     for (SearchHit hit : new SemanticSearch(model, index).byText("a dog on a beach", 5)) {
 *         System.out.println(hit.id() + " " + hit.score());
 *     }
 * }
 * }</pre>
 *
 * <p>Thread-safe when the model is (clip4j's are). Does not own the model: closing it is the caller's job.
 */
public final class SemanticSearch {
    private final ClipModel model;
    private final EmbeddingIndex index;

    /**
     * Binds a model to an index after checking that the model is the one that built it: the same embed_dim, when the
     * index records one ({@link EmbeddingIndex#activation()}), the same activation, and, when the index records a
     * {@link ModelFingerprint}, a matching one (costs one text and one image forward pass).
     *
     * @param model a loaded model, not closed
     * @param index an index of embeddings made by that model
     * @throws NullPointerException    if {@code model} or {@code index} is null
     * @throws IndexException          if the model's embed_dim, activation or fingerprint differs from the index's
     * @throws io.clip4j.ClipException if the fingerprint's forward passes fail (e.g. the model is closed)
     */
    public SemanticSearch(ClipModel model, EmbeddingIndex index) {
        this.model = Objects.requireNonNull(model, "model");
        this.index = Objects.requireNonNull(index, "index");
        requireSameModel(model, index);
    }

    /**
     * @param model a loaded model
     * @param index an index
     * @throws IndexException if the model's embed_dim or (when the index records them) activation or fingerprint
     *                        differs
     */
    static void requireSameModel(ClipModel model, EmbeddingIndex index) {
        String built = index.model().isEmpty() ? "another model" : index.model();
        String runs = model.config().activation().name();
        if (model.config().embedDim() != index.embedDim()) {
            throw new IndexException("the index was built with " + built + " (embed_dim " + index.embedDim()
                    + "); this model has embed_dim " + model.config().embedDim() + ": load the model that built it");
        }
        // After embed_dim, which tells another model whatever its activation (the advice below would mislead), and
        // before the fingerprint: the same weights with GELU instead of QuickGELU can come within its tolerance.
        if (!index.activation().isEmpty() && !index.activation().equals(runs)) {
            throw new IndexException("the index was built with " + built + " running " + index.activation()
                    + "; this model runs " + runs + ": load the model that built it with activation "
                    + index.activation() + " (--activation " + index.activation() + ")");
        }
        float[] recorded = index.fingerprint();
        if (recorded.length > 0 && !ModelFingerprint.matches(recorded, ModelFingerprint.of(model))) {
            throw new IndexException("the index was built with " + built + ", whose embeddings differ from this "
                    + "model's (another checkpoint with the same embed_dim " + index.embedDim()
                    + "): load the model that built it");
        }
    }

    /** {@return the index searched} */
    public EmbeddingIndex index() {
        return index;
    }

    /**
     * Finds the k indexed items closest to a text query (cosine similarity of L2-normalised text_features and
     * image_features).
     *
     * @param text a query, tokenized like {@code clip.tokenize(..., truncate=True)}
     * @param k    hits wanted, &ge; 1
     * @return up to k hits, best first
     * @throws NullPointerException     if text is null
     * @throws IllegalArgumentException if k &lt; 1
     * @throws io.clip4j.ClipException  if the model is closed or fails (see {@link ClipModel#encodeTexts})
     */
    public List<SearchHit> byText(String text, int k) {
        Objects.requireNonNull(text, "text");
        return byTexts(List.of(text), k).get(0);
    }

    /**
     * Finds the k indexed items closest to each of several text queries (cosine similarity of L2-normalised
     * text_features and image_features).
     *
     * @param texts queries, encoded by one {@link ClipModel#encodeTexts} call (in batches of the model's batch size)
     * @param k     hits wanted per query, &ge; 1
     * @return one list of up to k hits per query, best first
     * @throws NullPointerException     if {@code texts} is null
     * @throws IllegalArgumentException if k &lt; 1 or an element is null
     * @throws io.clip4j.ClipException  if the model is closed or fails (see {@link ClipModel#encodeTexts})
     */
    public List<List<SearchHit>> byTexts(List<String> texts, int k) {
        requireK(k);
        return index.search(model.encodeTexts(texts), k);
    }

    /**
     * Finds the k indexed items closest to a query image (cosine similarity of L2-normalised image_features).
     *
     * @param image a query image, preprocessed like the reference
     * @param k     hits wanted, &ge; 1
     * @return up to k hits, best first (an indexed copy of the image itself scores about 1)
     * @throws NullPointerException                 if {@code image} is null
     * @throws io.clip4j.image.ImageDecodeException if the image cannot be decoded
     * @throws IllegalArgumentException             if k &lt; 1
     * @throws io.clip4j.ClipException              if the model is closed or fails (see
     *                                              {@link ClipModel#encodeImages})
     */
    public List<SearchHit> byImage(ImageInput image, int k) {
        requireK(k);
        return index.search(model.encodeImage(image), k).get(0);
    }

    private static void requireK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
    }
}
