package io.clip4j.data;

import io.clip4j.NonFiniteFeaturesException;
import io.clip4j.image.ImageDecodeException;
import io.clip4j.image.ImageInput;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Runs a batched image computation (an encoder, a classifier) over files so that one file that cannot be
 * decoded, or whose features come out non-finite, costs only that file, not its batch or the whole run. The
 * batch is computed in one call; only when it fails for one input's fault is it computed again file by file to
 * find which. When no file of the batch then gives a result and several give non-finite features, the model is
 * at fault (non-finite weights), and that is one error, not a skipped file each.
 *
 * <pre>{@code
 * List<ImageBatches.Skipped> skipped = new ArrayList<>();
 * List<float[]> rows = ImageBatches.compute(batch, in -> model.encodeImages(in).rowList(), skipped);
 * }</pre>
 */
public final class ImageBatches {
    private ImageBatches() {
    }

    /**
     * Computes one batch.
     *
     * @param files   the batch's image files, at least one
     * @param compute maps the files' {@link ImageInput}s to one result per input, in order (e.g. a row of
     *                image_features or a {@link io.clip4j.zeroshot.ZeroShotResult} each)
     * @param skipped receives the files left out, in file order
     * @param <R>     the result type
     * @return one entry per file, in order: its result, or null where the file was skipped
     * @throws IllegalArgumentException if {@code files} is empty or {@code compute} returns another number of
     *                                  results than it was given inputs
     * @throws NonFiniteFeaturesException if no file of a batch of several gives a result and at least two give
     *                                  non-finite features: the model's weights, not the files, are at fault
     * @throws io.clip4j.ClipException  if {@code compute} fails for another reason than an undecodable file or
     *                                  non-finite features ({@link ImageDecodeException},
     *                                  {@link NonFiniteFeaturesException})
     */
    public static <R> List<R> compute(List<Path> files, Function<List<ImageInput>, List<R>> compute,
                                      List<Skipped> skipped) {
        Objects.requireNonNull(compute, "compute");
        Objects.requireNonNull(skipped, "skipped");
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no files in the batch");
        }
        try {
            return apply(files, compute);
        } catch (ImageDecodeException | NonFiniteFeaturesException e) { // one input's fault: find it, skip it
            if (files.size() == 1) {
                skipped.add(skippedFile(files.get(0), e));
                return Collections.singletonList(null);
            }
            return oneByOne(files, compute, skipped);
        }
    }

    /**
     * The batch computed again file by file. When no file gives a result and several give non-finite features, the
     * model is at fault (non-finite weights reach every image), not the files: skipping each of them, as files
     * that cannot be decoded are skipped, hid that one error in a line per file, after encoding every file twice.
     */
    private static <R> List<R> oneByOne(List<Path> files, Function<List<ImageInput>, List<R>> compute,
                                        List<Skipped> skipped) {
        List<R> results = new ArrayList<>(files.size());
        List<Skipped> left = new ArrayList<>();
        Skipped firstNonFinite = null;
        int nonFinite = 0;
        for (Path f : files) {
            try {
                results.add(apply(List.of(f), compute).get(0));
            } catch (ImageDecodeException | NonFiniteFeaturesException e) {
                left.add(skippedFile(f, e));
                if (e instanceof NonFiniteFeaturesException && nonFinite++ == 0) {
                    firstNonFinite = left.get(left.size() - 1);
                }
                results.add(null);
            }
        }
        if (nonFinite >= 2 && left.size() == files.size()) {
            throw new NonFiniteFeaturesException("none of " + files.size() + " images gave finite features ("
                    + nonFinite + " non-finite), so the model is at fault, not the images; the first: "
                    + firstNonFinite.reason());
        }
        skipped.addAll(left);
        return results;
    }

    private static <R> List<R> apply(List<Path> files, Function<List<ImageInput>, List<R>> compute) {
        List<ImageInput> inputs = new ArrayList<>(files.size());
        files.forEach(f -> inputs.add(ImageInput.of(f)));
        List<R> results = compute.apply(inputs);
        if (results.size() != files.size()) {
            throw new IllegalArgumentException(results.size() + " results for " + files.size() + " images");
        }
        return results;
    }

    /** The record of {@code file} left out because of {@code e}; the reason names the file. */
    private static Skipped skippedFile(Path file, RuntimeException e) {
        String name = file.toString();
        String why = String.valueOf(e.getMessage());
        return new Skipped(file, why.contains(name) ? why : name + ": " + why);
    }

    /**
     * A file left out of a computation.
     *
     * @param file   the file as given
     * @param reason the decoder's or engine's message, naming the file
     */
    public record Skipped(Path file, String reason) {
        /**
         * Creates a record of a skipped file.
         *
         * @param file   the file
         * @param reason why it was left out
         */
        public Skipped {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
