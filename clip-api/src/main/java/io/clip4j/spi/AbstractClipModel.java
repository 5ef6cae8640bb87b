package io.clip4j.spi;

import io.clip4j.ClipConfig;
import io.clip4j.ClipException;
import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.image.ImageInput;
import io.clip4j.image.ImagePreprocessor;
import io.clip4j.text.ClipTokenizer;

import java.util.List;
import java.util.Objects;

/**
 * Base class for engines: owns the tokenizer and the image preprocessor sized from the model's
 * {@link ClipConfig}, and turns lists of inputs into batches of at most {@code batchSize} for the two
 * primitives an engine implements ({@link #encodePixels} and {@link #encodeTokens}).
 * Thread-safe if the primitives are.
 */
public abstract class AbstractClipModel implements ClipModel {
    private final ClipConfig config;
    private final ClipTokenizer tokenizer;
    private final ImagePreprocessor preprocessor;
    private final int batchSize;

    /**
     * @param config  the model's hyper-parameters (image_resolution and context_length size the
     *                preprocessing and the tokenizer)
     * @param options the caller's choices (vocabulary, EXIF, pixel limit, batch size)
     * @throws ClipException if the tokenizer has more token ids than the model's vocab_size
     */
    protected AbstractClipModel(ClipConfig config, ClipModel.Builder options) {
        this.config = Objects.requireNonNull(config, "config");
        ClipTokenizer t = options.vocabulary() == null ? ClipTokenizer.create()
                : ClipTokenizer.fromVocabulary(options.vocabulary());
        if (t.vocabularySize() > config.vocabSize()) {
            // Otherwise the model loads and every encodeText fails on the first token id past the embedding.
            throw new ClipException("the model's vocab_size " + config.vocabSize() + " is smaller than the "
                    + t.vocabularySize() + " token ids of the tokenizer; pass the checkpoint's own vocabulary with "
                    + "ClipModel.Builder.vocabulary");
        }
        this.tokenizer = t.withContextLength(config.contextLength());
        this.preprocessor = ImagePreprocessor.builder()
                .size(config.imageResolution())
                .applyExifOrientation(options.applyExifOrientation())
                .maxPixels(options.maxPixels())
                .build();
        this.batchSize = options.batchSize();
    }

    @Override
    public final ClipConfig config() {
        return config;
    }

    /** @return the tokenizer (context_length of this model, truncating like {@code truncate=True}) */
    public final ClipTokenizer tokenizer() {
        return tokenizer;
    }

    /** @return the image preprocessor (image_resolution of this model) */
    public final ImagePreprocessor preprocessor() {
        return preprocessor;
    }

    @Override
    public float[] preprocess(List<ImageInput> images) {
        return preprocessor.preprocessBatch(images);
    }

    @Override
    public long[] tokenize(List<String> texts) {
        return tokenizer.tokenize(texts).ids();
    }

    @Override
    public Features encodeImages(List<ImageInput> images) {
        Objects.requireNonNull(images, "images");
        float[] out = new float[images.size() * config.embedDim()];
        for (int start = 0; start < images.size(); start += batchSize) {
            List<ImageInput> chunk = images.subList(start, Math.min(images.size(), start + batchSize));
            Features f = encodeImageBatch(chunk);
            System.arraycopy(f.toArray(), 0, out, start * config.embedDim(), chunk.size() * config.embedDim());
        }
        return new Features(out, images.size(), config.embedDim());
    }

    /**
     * Encodes one batch of {@link #encodeImages}; engines with their own image path override this.
     *
     * @param batch at most {@link #batchSize()} inputs, at least one
     * @return image_features {@code [batch.size(), embed_dim]}, not normalised
     * @throws io.clip4j.image.ImageDecodeException naming the first input that cannot be decoded
     */
    protected Features encodeImageBatch(List<ImageInput> batch) {
        return encodePixels(preprocess(batch), batch.size());
    }

    /** @return the largest number of images or texts per forward pass, &ge; 1 */
    protected final int batchSize() {
        return batchSize;
    }

    @Override
    public Features encodeTexts(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        float[] out = new float[texts.size() * config.embedDim()];
        for (int start = 0; start < texts.size(); start += batchSize) {
            List<String> chunk = texts.subList(start, Math.min(texts.size(), start + batchSize));
            Features f = encodeTokens(tokenize(chunk), chunk.size());
            System.arraycopy(f.toArray(), 0, out, start * config.embedDim(), chunk.size() * config.embedDim());
        }
        return new Features(out, texts.size(), config.embedDim());
    }
}
