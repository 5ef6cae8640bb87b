package io.clip4j.cli;

import io.clip4j.data.ImageBatches;
import io.clip4j.data.ImageFolders;
import io.clip4j.image.ImageInput;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Checks image arguments before a model is loaded, so a typo fails fast with one clear line, and runs a batched
 * computation over them that skips undecodable files.
 */
final class ImageFiles {
    /** Images per forward pass in {@link #forEachBatch}. */
    static final int BATCH_SIZE = 32;

    private ImageFiles() {
    }

    /** Receives one image's result. */
    interface Sink<R> {
        /**
         * @param file   the image file
         * @param result its result
         * @throws IOException if writing the result fails
         */
        void accept(Path file, R result) throws IOException;
    }

    /**
     * Computes the files' results batch by batch and hands each to {@code sink} as soon as its batch is done,
     * in file order. A file that cannot be decoded, or whose features are not finite, is reported on
     * {@code err} ({@code clip: skipped ...}) and left out; the rest go on. A batch without any finite features is
     * the model's fault: {@link ImageBatches#compute} throws, and the run ends with that one error.
     *
     * @param files   image files
     * @param compute one result per input (see {@link ImageBatches#compute})
     * @param sink    receives each file's result
     * @param err     where skipped files are reported
     * @param <R>     the result type
     * @return how many files were skipped
     * @throws IOException if the sink fails
     * @throws io.clip4j.NonFiniteFeaturesException if no file of a batch gives finite features (the model's weights)
     */
    static <R> int forEachBatch(List<Path> files, Function<List<ImageInput>, List<R>> compute, Sink<R> sink,
                                PrintWriter err) throws IOException {
        int skipped = 0;
        for (int start = 0; start < files.size(); start += BATCH_SIZE) {
            List<Path> batch = files.subList(start, Math.min(files.size(), start + BATCH_SIZE));
            List<ImageBatches.Skipped> left = new ArrayList<>();
            List<R> results = ImageBatches.compute(batch, compute, left);
            for (int i = 0; i < batch.size(); i++) {
                if (results.get(i) != null) {
                    sink.accept(batch.get(i), results.get(i));
                }
            }
            for (ImageBatches.Skipped s : left) {
                err.println("clip: skipped " + s.reason());
            }
            err.flush();
            skipped += left.size();
        }
        return skipped;
    }

    /**
     * Expands folders into the image files under them (recursively, sorted; see {@link ImageFolders}) and checks
     * the other paths with {@link #requireFiles}.
     *
     * @param paths files and folders given on the command line
     * @return the image files, folders' contents in place of each folder
     * @throws IllegalArgumentException if a path is missing or not a regular file, or a folder holds no image file
     */
    static List<Path> expand(List<Path> paths) {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                List<Path> found = ImageFolders.list(p);
                if (found.isEmpty()) {
                    throw new IllegalArgumentException("no image files (" + ImageFolders.extensions() + ") in " + p);
                }
                files.addAll(found);
            } else {
                requireFiles(List.of(p));
                files.add(p);
            }
        }
        return files;
    }

    /**
     * Refuses an output file that is one of the input images: writing it would replace the image (e.g.
     * {@code index --images a.png --out a.png}, or {@code preprocess --out} given the image's name).
     *
     * @param option the output's option, for the message
     * @param out    the output file (nothing is checked when it does not exist yet)
     * @param inputs the input image files
     * @throws IllegalArgumentException if {@code out} is one of them
     */
    static void requireNotAnInput(String option, Path out, List<Path> inputs) {
        if (out == null || !Files.isRegularFile(out)) {
            return;
        }
        for (Path in : inputs) {
            try {
                // Same name first: isSameFile costs two file look-ups, and an index may have many inputs.
                if (Objects.equals(in.getFileName(), out.getFileName()) && Files.isSameFile(in, out)) {
                    throw new IllegalArgumentException(option + " " + out + " is an input image; writing it would"
                            + " replace the image (give another file name)");
                }
            } catch (IOException e) {
                // one of them cannot be looked up: not known to be the same file
            }
        }
    }

    /**
     * @param images paths given on the command line
     * @throws IllegalArgumentException naming the first path that is missing, a directory or a device/pipe
     */
    static void requireFiles(List<Path> images) {
        for (Path p : images) {
            if (!Files.isRegularFile(p)) {
                String why = Files.isDirectory(p) ? "not an image file (a directory): "
                        : Files.exists(p) ? "not an image file (not a regular file): " : "image not found: ";
                throw new IllegalArgumentException(why + p);
            }
        }
    }
}
