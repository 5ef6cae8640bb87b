package io.clip4j.data;

import io.clip4j.ClipException;
import io.clip4j.image.ImageInput;
import io.clip4j.image.ImagePreprocessor;
import io.clip4j.text.ClipTokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Cuts a {@link CaptionedImages} set into training batches, deterministically: epoch {@code e} visits the
 * examples in the order {@link Shuffle#permutation Shuffle.permutation(size, seed, e)}, in consecutive batches of
 * {@code batchSize} (the incomplete last batch of an epoch is dropped); global step {@code s} is batch
 * {@code s % batchesPerEpoch} of epoch {@code s / batchesPerEpoch}. Each batch holds the preprocessed images
 * (CLIP's reference preprocessing, decoded and resized in parallel; optionally a {@link RandomResizedCrop}
 * seeded by the seed, epoch and example index first) and the tokenized captions. Any step can be produced in any
 * order or thread with the same result, which is what makes resuming exact. Thread-safe.
 */
public final class ContrastiveBatches {
    private final CaptionedImages data;
    private final int batchSize;
    private final long seed;
    private final ImagePreprocessor preprocessor;
    private final ClipTokenizer tokenizer;
    private final RandomResizedCrop augment;
    private final java.util.function.Consumer<String> onBadImage;
    private final java.util.Set<Integer> knownBad = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private long cachedEpoch = -1;
    private int[] cachedOrder;

    /**
     * One batch.
     *
     * @param step        global step it belongs to
     * @param epoch       epoch number
     * @param pixelValues float32 {@code [size, 3, S, S]}
     * @param ids         int64 {@code [size, context_length]}
     * @param size        number of pairs
     */
    public record Batch(long step, long epoch, float[] pixelValues, long[] ids, int size) {
    }

    /**
     * Creates the batches of a training set, without skipping images that fail to decode.
     *
     * @param data         the examples
     * @param batchSize    pairs per batch, &ge; 2 and at most {@code data.size()}
     * @param seed         seed of shuffling and augmentation
     * @param preprocessor CLIP preprocessing at the model's image_resolution
     * @param tokenizer    tokenizer at the model's context_length (it truncates long captions)
     * @param augment      random crop, or null for none
     * @throws NullPointerException if {@code data}, {@code preprocessor} or {@code tokenizer} is null
     * @throws ClipException        if the set has fewer examples than one batch or the batch size is below 2
     */
    public ContrastiveBatches(CaptionedImages data, int batchSize, long seed, ImagePreprocessor preprocessor,
                              ClipTokenizer tokenizer, RandomResizedCrop augment) {
        this(data, batchSize, seed, preprocessor, tokenizer, augment, null);
    }

    private ContrastiveBatches(CaptionedImages data, int batchSize, long seed, ImagePreprocessor preprocessor,
                               ClipTokenizer tokenizer, RandomResizedCrop augment,
                               java.util.function.Consumer<String> onBadImage) {
        this.onBadImage = onBadImage;
        this.data = Objects.requireNonNull(data, "data");
        this.preprocessor = Objects.requireNonNull(preprocessor, "preprocessor");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        if (batchSize < 2) {
            throw new ClipException("batch size must be >= 2 (a contrastive batch needs negatives), got " + batchSize);
        }
        if (data.size() < batchSize) {
            throw new ClipException("the training set has " + data.size() + " examples, fewer than one batch of "
                    + batchSize);
        }
        this.batchSize = batchSize;
        this.seed = seed;
        this.augment = augment;
    }

    /**
     * Real image collections hold files that cannot be used (corrupt, beyond the preprocessor's pixel limit, or too
     * elongated to resize). With this option such an example is replaced, in every batch, by the next example (in
     * index order) that decodes and preprocesses, image and caption together, so pairs stay matched and batches stay
     * deterministic.
     *
     * @param onSkip told once per unusable example (its index and the decoder's message)
     * @return batches over the same data that skip unusable images
     * @throws NullPointerException if {@code onSkip} is null
     */
    public ContrastiveBatches skippingBadImages(java.util.function.Consumer<String> onSkip) {
        return new ContrastiveBatches(data, batchSize, seed, preprocessor, tokenizer, augment,
                Objects.requireNonNull(onSkip, "onSkip"));
    }

    /** {@return complete batches per epoch ({@code size / batchSize})} */
    public int batchesPerEpoch() {
        return data.size() / batchSize;
    }

    /** {@return the number of pairs per batch} */
    public int batchSize() {
        return batchSize;
    }

    /** {@return the examples} */
    public CaptionedImages data() {
        return data;
    }

    /**
     * Returns the batch of a global training step: preprocessed pixel_values and token ids of its pairs.
     *
     * @param step global step, &ge; 0
     * @return the batch of that step
     * @throws IllegalArgumentException if step &lt; 0
     * @throws io.clip4j.image.ImageDecodeException naming the image that cannot be decoded (not thrown after
     *                                              {@link #skippingBadImages}, which replaces it)
     * @throws ClipException if {@link #skippingBadImages} finds no example with a usable image
     */
    public Batch batch(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        long epoch = step / batchesPerEpoch();
        int first = (int) (step % batchesPerEpoch()) * batchSize;
        int[] order = order(epoch);
        int[] idx = new int[batchSize];
        System.arraycopy(order, first, idx, 0, batchSize);
        if (onBadImage == null) {
            return assemble(step, epoch, idx);
        }
        // Replaced before the first try: a known-bad example would cost a failed decode and a second assembly in
        // every later epoch. The result is the same, since usable() would skip it again.
        for (int k = 0; k < idx.length; k++) {
            if (knownBad.contains(idx[k])) {
                idx[k] = usable(idx[k]);
            }
        }
        try {
            return assemble(step, epoch, idx);
        } catch (io.clip4j.image.ImageDecodeException e) {
            for (int k = 0; k < idx.length; k++) {
                idx[k] = usable(idx[k]);
            }
            return assemble(step, epoch, idx);
        }
    }

    private Batch assemble(long step, long epoch, int[] idx) {
        List<ImageInput> images = new ArrayList<>(batchSize);
        List<String> captions = new ArrayList<>(batchSize);
        for (int i : idx) {
            images.add(data.image(i));
            captions.add(data.caption(i, epoch));
        }
        float[] pixels = preprocessor.preprocessBatch(augment == null ? images : cropped(images, idx, epoch));
        long[] ids = tokenizer.tokenize(captions).ids();
        return new Batch(step, epoch, pixels, ids, batchSize);
    }

    /** @return {@code index}, or the next index (wrapping) whose image decodes and preprocesses */
    private int usable(int index) {
        for (int k = 0; k < data.size(); k++) {
            int i = (index + k) % data.size();
            if (knownBad.contains(i)) {
                continue;
            }
            try {
                // Preprocessed, not only decoded: an image may decode and still be too elongated to resize.
                preprocessor.preprocess(data.image(i));
                return i;
            } catch (io.clip4j.image.ImageDecodeException e) {
                if (knownBad.add(i)) {
                    onBadImage.accept("skipping example " + i + ": " + e.getMessage());
                }
            }
        }
        throw new ClipException("no example of the training set has a usable image");
    }

    private List<ImageInput> cropped(List<ImageInput> images, int[] idx, long epoch) {
        ImageInput[] out = new ImageInput[images.size()];
        // Each crop depends only on (seed, epoch, example), never on the thread that computes it.
        IntStream.range(0, out.length).parallel().forEach(k -> out[k] = ImageInput.of(augment.apply(
                preprocessor.decode(images.get(k)), Shuffle.random(seed, 0x43524f50L, epoch, idx[k]))));
        return List.of(out);
    }

    private synchronized int[] order(long epoch) {
        if (epoch != cachedEpoch) {
            cachedOrder = Shuffle.permutation(data.size(), seed, epoch);
            cachedEpoch = epoch;
        }
        return cachedOrder;
    }
}
