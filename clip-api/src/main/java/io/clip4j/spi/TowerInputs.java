package io.clip4j.spi;

import io.clip4j.ClipException;

/**
 * The checks shared by every engine's {@link io.clip4j.ClipModel#encodePixels} and
 * {@link io.clip4j.ClipModel#encodeTokens}, so that a loaded model and a model in training accept and refuse the
 * same tower inputs, with the same messages, before any native work.
 */
public final class TowerInputs {
    private TowerInputs() {
    }

    /**
     * Checks pixel_values for the image tower.
     *
     * @param pixelValues     {@code [n, 3, S, S]} float32 in C order, S = {@code imageResolution}; every value finite
     *                        (a NaN pixel would come back as NaN image_features, blamed on the weights)
     * @param n               number of images, &ge; 1
     * @param imageResolution the model's image_resolution S, in pixels
     * @throws ClipException if {@code pixelValues} is null, {@code n < 1}, the length is not {@code n * 3 * S * S},
     *                       or a value is NaN or infinite
     */
    public static void checkPixelValues(float[] pixelValues, int n, int imageResolution) {
        long s = imageResolution;
        checkCount("pixelValues", pixelValues == null ? -1 : pixelValues.length, n, 3 * s * s, "3*" + s + "*" + s);
        for (int i = 0; i < pixelValues.length; i++) {
            if (!Float.isFinite(pixelValues[i])) {
                throw new ClipException("pixelValues[" + i + "] is " + pixelValues[i] + ": pixel values must be"
                        + " finite");
            }
        }
    }

    /**
     * Checks token ids for the text tower.
     *
     * @param ids           {@code [n, context_length]} token ids in C order, each in {@code [0, vocab_size)}
     * @param n             number of texts, &ge; 1
     * @param contextLength the model's context_length
     * @param vocabSize     the model's vocab_size (an id outside it would read past the token embedding)
     * @throws ClipException if {@code ids} is null, {@code n < 1}, the length is not {@code n * context_length}, or
     *                       an id is out of range
     */
    public static void checkTokenIds(long[] ids, int n, int contextLength, int vocabSize) {
        long ctx = contextLength;
        checkCount("ids", ids == null ? -1 : ids.length, n, ctx, "context_length " + ctx);
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new ClipException("ids[" + i + "] (text " + i / ctx + ", position " + i % ctx + ") = " + ids[i]
                        + " is outside [0, vocab_size " + vocabSize + ")");
            }
        }
    }

    /**
     * Checks that an array holds {@code n} items of {@code perItem} values.
     *
     * @param what        the array's name, for the message
     * @param length      its length, or -1 for a null array
     * @param n           number of items, &ge; 1
     * @param perItem     values per item
     * @param perItemText how the message names {@code perItem} (e.g. {@code "embed_dim 512"})
     * @throws ClipException if the array is null, {@code n < 1} or the length is not {@code n * perItem}
     */
    public static void checkCount(String what, long length, int n, long perItem, String perItemText) {
        if (length < 0) {
            throw new ClipException(what + " is null");
        }
        if (n < 1) {
            throw new ClipException("the number of items for " + what + " must be >= 1, got " + n);
        }
        if (length != n * perItem) {
            throw new ClipException(what + " has " + length + " values, expected n=" + n + " x " + perItemText + " = "
                    + n * perItem);
        }
    }
}
