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
 * find which.
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
        List<ImageInput> inputs = new ArrayList<>(files.size());
        files.forEach(f -> inputs.add(ImageInput.of(f)));
        try {
            List<R> results = compute.apply(inputs);
            if (results.size() != files.size()) {
                throw new IllegalArgumentException(results.size() + " results for " + files.size() + " images");
            }
            return results;
        } catch (ImageDecodeException | NonFiniteFeaturesException e) { // one input's fault: find it, skip it
            if (files.size() == 1) {
                String file = files.get(0).toString();
                String why = String.valueOf(e.getMessage());
                skipped.add(new Skipped(files.get(0), why.contains(file) ? why : file + ": " + why));
                return Collections.singletonList(null);
            }
            List<R> results = new ArrayList<>(files.size());
            for (Path f : files) {
                results.addAll(compute(List.of(f), compute, skipped));
            }
            return results;
        }
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
