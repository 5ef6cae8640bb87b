package io.clip4j.eval;

import io.clip4j.ClipModel;
import io.clip4j.image.ImageDecodeException;
import io.clip4j.image.ImageInput;

import java.util.List;

/**
 * Names an image an evaluation cannot decode by its place among all the images evaluated. The model names it by its
 * place in the chunk it was given, or in one of its own batches of that chunk ("images 1 to 32 of 64: batch input 30
 * of 32: FILE: ..."), which read as if the set held 64 images and said nothing about where in the set the file is.
 */
final class DecodeFailures {
    private DecodeFailures() {
    }

    /**
     * Preprocesses the chunk's images one at a time (decoding only: no forward pass) to find the one that failed: the
     * first whose failure alone is the one the chunk's message ends with. Another failure is passed over: an
     * {@code ImageInput.of(InputStream, ...)} the chunk's call already read fails again as "already read", and is not
     * the image that broke the chunk.
     *
     * @param model   the model whose {@code encodeImages} or {@code zeroShotTopK} failed on {@code chunk}
     * @param chunk   the images of that call
     * @param start   the chunk's first index among all the images (0-based)
     * @param total   the number of images evaluated
     * @param failure the chunk's failure
     * @return {@code "image 287 of 806: FILE: why"}, or {@code failure} itself when no single image fails as the
     *         chunk did
     */
    static ImageDecodeException locate(ClipModel model, List<ImageInput> chunk, int start, int total,
                                       ImageDecodeException failure) {
        String whole = String.valueOf(failure.getMessage());
        for (int i = 0; i < chunk.size(); i++) {
            try {
                model.preprocess(List.of(chunk.get(i)));
            } catch (ImageDecodeException one) { // a batch of one: the message names the input, no position
                if (sameFailure(whole, one)) {
                    return new ImageDecodeException("image " + (start + i + 1) + " of " + total + ": "
                            + one.getMessage(), one);
                }
            } catch (RuntimeException other) {
                failure.addSuppressed(other);
                return failure;
            }
        }
        return failure;
    }

    /**
     * Whether one image's failure is the chunk's: the chunk's message is the image's with positions in front
     * ("images 1 to 32 of 64: batch input 30 of 32: FILE: why"), or, for an error other than a decode failure, ends
     * with that error ("batch input 30 of 32 (FILE): java.lang...", alone "batch input 1 of 1 (FILE): java.lang...").
     */
    private static boolean sameFailure(String whole, ImageDecodeException one) {
        Throwable cause = one.getCause();
        return whole.endsWith(String.valueOf(one.getMessage()))
                || cause != null && !(cause instanceof ImageDecodeException) && whole.endsWith("): " + cause);
    }
}
