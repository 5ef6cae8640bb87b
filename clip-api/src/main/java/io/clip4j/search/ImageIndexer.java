package io.clip4j.search;

import io.clip4j.ClipModel;
import io.clip4j.data.ImageBatches;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Encodes image files into an {@link EmbeddingIndex}, batch by batch, with the files' absolute paths as ids. A
 * file that cannot be read or decoded is skipped and reported, not fatal: one broken photo must not cost a whole
 * collection.
 *
 * <pre>{@code
 * ImageIndexer.Result r = new ImageIndexer(model, "ViT-B-32.pt").index(paths, null);
 * r.index().save(Path.of("photos.npz"));
 * }</pre>
 *
 * <p>The setters are not synchronised: configure an indexer before sharing it. {@link #index} keeps no state
 * between calls, so calls from several threads are safe when the model is thread-safe (clip4j's are).
 */
public final class ImageIndexer {
    private final ClipModel model;
    private final String modelDescription;
    private int batchSize = 32;
    private IntConsumer progress = done -> { };

    /**
     * Creates an indexer that encodes images with {@code model}.
     *
     * @param model            the model to encode with; not closed by the indexer
     * @param modelDescription recorded in the index (e.g. the checkpoint path) to name the model in messages
     * @throws NullPointerException if either argument is null
     */
    public ImageIndexer(ClipModel model, String modelDescription) {
        this.model = Objects.requireNonNull(model, "model");
        this.modelDescription = Objects.requireNonNull(modelDescription, "modelDescription");
    }

    /**
     * Sets how many images are encoded per forward pass.
     *
     * @param n images encoded per forward pass, &ge; 1 (default 32); larger batches are faster and use more memory
     * @return this indexer
     * @throws IllegalArgumentException if n &lt; 1
     */
    public ImageIndexer batchSize(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + n);
        }
        this.batchSize = n;
        return this;
    }

    /**
     * Sets a listener told of progress after each batch.
     *
     * @param listener called after each batch with the number of files handled so far (added, skipped or
     *                 already indexed), from the calling thread
     * @return this indexer
     * @throws NullPointerException if {@code listener} is null
     */
    public ImageIndexer onProgress(IntConsumer listener) {
        this.progress = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * The id a file gets in an index: its absolute, normalised path, so that the same file given as
     * {@code photos/a.jpg} from one folder and {@code ../x/photos/a.jpg} from another is one row, and the id
     * still names the file wherever the index is searched from.
     *
     * @param file a path
     * @return {@code file.toAbsolutePath().normalize().toString()}
     * @throws NullPointerException if {@code file} is null
     */
    public static String idOf(Path file) {
        return file.toAbsolutePath().normalize().toString();
    }

    /**
     * Encodes the files that are not yet in {@code existing} and adds them to it. A file that cannot be read
     * or decoded (missing, a directory, damaged, of an unknown format), whose name is not valid in the platform's
     * encoding (no id could name it), or whose image_features come out non-finite
     * or all zeros ({@link io.clip4j.NonFiniteFeaturesException}, e.g. a float16 overflow), is skipped and reported in
     * the result; a batch in which no file gives finite features is the model's fault ({@link ImageBatches#compute})
     * and throws.
     *
     * @param files    image files; each one's id is {@link #idOf}
     * @param existing an index to extend (built by the same model, see {@link SemanticSearch}), or null for a
     *                 new one
     * @return the index and what was added and skipped
     * @throws NullPointerException    if {@code files} or an element is null
     * @throws IndexException          if {@code existing} was built by another model, or by this one running another
     *                                 activation
     * @throws io.clip4j.ClipException if the model fails for a reason other than an undecodable file, or gives no
     *                                 finite image_features for a whole batch
     */
    public Result index(List<Path> files, EmbeddingIndex existing) {
        // Before the fingerprint's two forward passes, and naming the element rather than failing inside idOf.
        Objects.requireNonNull(files, "files");
        for (int i = 0; i < files.size(); i++) {
            if (files.get(i) == null) {
                throw new NullPointerException("files[" + i + "] is null");
            }
        }
        EmbeddingIndex.Builder builder;
        if (existing == null) {
            builder = EmbeddingIndex.builder(model.config().embedDim()).model(modelDescription)
                    .activation(model.config().activation().name()).fingerprint(ModelFingerprint.of(model));
        } else {
            SemanticSearch.requireSameModel(model, existing);
            builder = existing.toBuilder();
        }
        List<Path> todo = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Path f : files) {
            String id = idOf(f);
            if (!builder.contains(id) && seen.add(id)) {
                todo.add(f);
            }
        }
        int done = files.size() - todo.size();
        progress.accept(done);
        List<Skipped> skipped = new ArrayList<>();
        int added = 0;
        for (int start = 0; start < todo.size(); start += batchSize) {
            List<Path> batch = todo.subList(start, Math.min(todo.size(), start + batchSize));
            added += encode(batch, builder, skipped);
            done += batch.size();
            progress.accept(done);
        }
        return new Result(builder.build(), added, skipped);
    }

    /**
     * Encodes a batch; a file that cannot be decoded is skipped ({@link ImageBatches}), and so is one whose id would
     * not name it, which every {@code --update} would drop as gone and encode again.
     */
    private int encode(List<Path> batch, EmbeddingIndex.Builder builder, List<Skipped> skipped) {
        boolean[] nameable = new boolean[batch.size()];
        List<Path> named = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            nameable[i] = idNames(batch.get(i));
            if (nameable[i]) {
                named.add(batch.get(i));
            }
        }
        List<ImageBatches.Skipped> left = new ArrayList<>();
        List<float[]> rows = named.isEmpty() ? List.of()
                : ImageBatches.compute(named, inputs -> model.encodeImages(inputs).rowList(), left);
        Map<Path, String> reasons = new HashMap<>();
        left.forEach(s -> reasons.put(s.file(), s.reason()));
        int added = 0;
        int row = 0;
        for (int i = 0; i < batch.size(); i++) { // in file order, as Result promises
            Path f = batch.get(i);
            String id = idOf(f);
            if (!nameable[i]) {
                skipped.add(new Skipped(id, id + ": the file name is not valid in the platform's encoding ("
                        + System.getProperty("sun.jnu.encoding", "unknown") + "), so no id can name it; rename it"));
            } else if (rows.get(row++) != null) {
                builder.add(id, rows.get(row - 1));
                added++;
            } else {
                skipped.add(new Skipped(id, reasons.get(f)));
            }
        }
        return added;
    }

    /**
     * Whether {@link #idOf} names the file: not so for a name whose bytes are not valid in the platform's charset.
     * Where the bytes differ but name the same file (macOS with JDK 17 to 19 prints names as NFC and makes them as
     * NFD), it does; a file that does not exist is left to the decoder to report.
     */
    private static boolean idNames(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path named;
        try {
            named = abs.getFileSystem().getPath(abs.toString());
        } catch (InvalidPathException e) {
            return false;
        }
        if (named.equals(abs)) {
            return true;
        }
        try {
            return Files.isSameFile(named, abs);
        } catch (IOException | SecurityException e) {
            return !Files.exists(abs);
        }
    }

    /**
     * A file left out of the index.
     *
     * @param id     its id ({@link #idOf})
     * @param reason the decoder's or engine's message, which names the file
     */
    public record Skipped(String id, String reason) {
    }

    /**
     * What {@link #index} produced.
     *
     * @param index   the index: the existing rows, then the new ones in file order
     * @param added   how many files were encoded and added
     * @param skipped the files that could not be read or decoded, or whose image_features came out non-finite, in
     *                file order
     */
    public record Result(EmbeddingIndex index, int added, List<Skipped> skipped) {
        /**
         * Creates a result; the skipped list is copied.
         *
         * @param index   the index
         * @param added   files added
         * @param skipped files skipped; copied into an unmodifiable list
         */
        public Result {
            skipped = List.copyOf(skipped);
        }
    }
}
