package io.clip4j.spi;

import io.clip4j.ClipConfig;
import io.clip4j.ClipException;
import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.NonFiniteFeaturesException;
import io.clip4j.Precision;
import io.clip4j.image.ImageInput;
import io.clip4j.image.ImagePreprocessor;
import io.clip4j.math.ArraySizes;
import io.clip4j.math.RowDirections;
import io.clip4j.text.ClipTokenizer;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

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
    /** Why features may come out non-finite, for the message: a float16 overflow is possible only below float32. */
    private final String nonFiniteCause;

    /**
     * Creates the engine's common part with CLIP's normalisation mean/std and resize + center crop.
     *
     * @param config  the model's hyper-parameters (image_resolution and context_length size the
     *                preprocessing and the tokenizer)
     * @param options the caller's choices (vocabulary, EXIF, pixel limit, batch size)
     * @throws NullPointerException if {@code config} or {@code options} is null
     * @throws ClipException        if the tokenizer has more token ids than the model's vocab_size, or the custom
     *                              vocabulary cannot be read ({@link io.clip4j.text.VocabularyException})
     */
    protected AbstractClipModel(ClipConfig config, ClipModel.Builder options) {
        this(config, options, ImagePreprocessor.clipMean(), ImagePreprocessor.clipStd(), false);
    }

    /**
     * Creates the engine's common part with a checkpoint's own normalisation and resize mode.
     *
     * @param config  the model's hyper-parameters (image_resolution and context_length size the
     *                preprocessing and the tokenizer)
     * @param options the caller's choices (vocabulary, EXIF, pixel limit, batch size)
     * @param mean    the checkpoint's normalisation mean (R, G, B), as
     *                {@link io.clip4j.checkpoint.ImageTransformConfig#of} gives it
     * @param std     the checkpoint's normalisation standard deviation (R, G, B), each above 0
     * @param squash  resize images straight to image_resolution (open_clip's {@code resize_mode='squash'}, a Hugging
     *                Face square {@code size}) instead of CLIP's resize and center crop
     * @throws NullPointerException     if an argument is null
     * @throws ClipException            if the tokenizer has more token ids than the model's vocab_size, or the
     *                                  custom vocabulary cannot be read ({@link io.clip4j.text.VocabularyException})
     * @throws IllegalArgumentException if mean or std is not three values, a value is not finite, or a std is not
     *                                  above 0 (see {@link ImagePreprocessor.Builder#std})
     */
    protected AbstractClipModel(ClipConfig config, ClipModel.Builder options, double[] mean, double[] std,
                                boolean squash) {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values (R, G, B)");
        }
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
                .mean(mean[0], mean[1], mean[2])
                .std(std[0], std[1], std[2])
                .squash(squash)
                .applyExifOrientation(options.applyExifOrientation())
                .maxPixels(options.maxPixels())
                .maxFileBytes(options.maxFileBytes())
                .build();
        this.batchSize = options.batchSize();
        this.nonFiniteCause = options.precision() == Precision.FLOAT32
                ? "the checkpoint's weights are probably not finite"
                : "the checkpoint's weights are probably not finite, or a " + options.precision()
                        + " activation overflowed (try Precision.FLOAT32)";
    }

    @Override
    public final ClipConfig config() {
        return config;
    }

    /** {@return the tokenizer (context_length of this model, truncating like {@code truncate=True})} */
    public final ClipTokenizer tokenizer() {
        return tokenizer;
    }

    /** {@return the image preprocessor (image_resolution, normalisation and resize mode of this model)} */
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
        return encodeInBatches(images, "image", this::encodeImageBatch);
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

    /** {@return the largest number of images or texts per forward pass, &ge; 1} */
    protected final int batchSize() {
        return batchSize;
    }

    @Override
    public Features encodeTexts(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        return encodeInBatches(texts, "text", chunk -> encodeTokens(tokenize(chunk), chunk.size()));
    }

    /**
     * Runs {@code encoder} on batches of at most {@link #batchSize()} inputs and stacks the rows. The size is
     * checked before anything runs, and every batch's features must be finite: a NaN row would otherwise travel on
     * and surface later as an argument error of whatever uses it (e.g. a similarity's non-finite logit).
     */
    private <T> Features encodeInBatches(List<T> inputs, String what, Function<List<T>, Features> encoder) {
        int dim = config.embedDim();
        float[] out = new float[ArraySizes.product(what + "_features", inputs.size(), dim)];
        InputBatches.requireNoNulls(inputs, what + "s"); // not only when its batch comes
        for (int start = 0, end; start < inputs.size(); start = end) {
            end = start + Math.min(batchSize, inputs.size() - start); // no int overflow for any batch size
            List<T> chunk = inputs.subList(start, end);
            // (texts raise no ImageDecodeException, so for them this only runs the batch)
            float[] f = InputBatches.images(inputs.size(), start, end, () -> encoder.apply(chunk)).toArray();
            requireDirection(f, start, dim, what);
            System.arraycopy(f, 0, out, start * dim, chunk.size() * dim);
        }
        return new Features(out, inputs.size(), dim);
    }

    /**
     * Every row must be finite and not all zeros: the reference's {@code x / x.norm()} gives NaN for either, and
     * a zero row would otherwise normalise to zero here and make every probability equal, silently.
     */
    private void requireDirection(float[] f, int start, int dim, String what) {
        RowDirections.Problem p = RowDirections.firstProblem(f, dim);
        if (p == null) {
            return;
        }
        if (p.allZeros()) {
            throw allZeros(what, start + p.row());
        }
        throw new NonFiniteFeaturesException(what + "_features of " + what + " " + (start + p.row()) + " contain "
                + p.value() + ": " + nonFiniteCause);
    }

    /**
     * The refusal of an all-zero features row, for an engine that checks its rows where they were computed (e.g. on
     * a GPU) rather than through {@link #encodeImages}.
     *
     * @param what  {@code "image"} or {@code "text"}
     * @param index the input's index in the caller's list
     * @return the exception to throw (the same message as the checks of {@link #encodeImages})
     */
    protected static NonFiniteFeaturesException allZeros(String what, int index) {
        return new NonFiniteFeaturesException(what + "_features of " + what + " " + index + " are all zeros, which"
                + " have no direction to compare (the reference's normalisation gives NaN): the checkpoint's weights"
                + " are probably damaged");
    }
}
