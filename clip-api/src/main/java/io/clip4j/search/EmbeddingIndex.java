package io.clip4j.search;

import io.clip4j.Features;
import io.clip4j.math.ArraySizes;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable collection of L2-normalised embeddings {@code [size, embed_dim]} (float32, row-major), one id
 * per row, searched by cosine similarity: the retrieval step of the CLIP paper (appendix E.1),
 * exhaustive and exact.
 *
 * <p>It also records which model made the embeddings: a free-form {@link #model()} description (the
 * checkpoint path for indexes built by {@link ImageIndexer}), the transformer activation it ran with
 * ({@link #activation()}: one checkpoint runs with either) and that model's {@link ModelFingerprint}, so
 * that {@link SemanticSearch} refuses queries from another model instead of ranking meaningless scores.
 *
 * <p>Build one with {@link #builder(int)}, save it with {@link #save(Path)} (a NumPy {@code .npz} file:
 * {@code np.load(path)["features"]} is the matrix) and read it back with {@link #load(Path)}. Thread-safe.
 */
public final class EmbeddingIndex {
    /** Rows per block of a batch search: 256 rows of embed_dim 512 are 512 KiB, within a core's L2 cache. */
    static final int SCAN_ROWS = 256;

    private final List<String> ids;
    private final Map<String, Integer> rowOf;
    private final float[] vectors;
    private final int embedDim;
    private final String model;
    private final String activation;
    private final float[] fingerprint;

    private EmbeddingIndex(List<String> ids, Map<String, Integer> rowOf, float[] vectors, int embedDim,
                           String model, String activation, float[] fingerprint) {
        this.ids = ids;
        this.rowOf = rowOf;
        this.vectors = vectors;
        this.embedDim = embedDim;
        this.model = model;
        this.activation = activation;
        this.fingerprint = fingerprint;
    }

    /**
     * An index over rows that are already unit vectors, taken without a copy (the file reader's path: one
     * {@code float[]} for the whole matrix, not one per row).
     *
     * @throws IllegalArgumentException on a duplicate id
     */
    static EmbeddingIndex ofUnitRows(List<String> ids, float[] vectors, int embedDim, String model,
                                     String activation, float[] fingerprint) {
        Map<String, Integer> rowOf = new HashMap<>(ids.size() * 2);
        for (int r = 0; r < ids.size(); r++) {
            if (rowOf.put(Objects.requireNonNull(ids.get(r), "id"), r) != null) {
                throw duplicateId(ids.get(r));
            }
        }
        return new EmbeddingIndex(Collections.unmodifiableList(new ArrayList<>(ids)), Collections.unmodifiableMap(rowOf),
                vectors, embedDim, model, activation, fingerprint.clone());
    }

    /**
     * Starts an empty index of embeddings with {@code embedDim} columns.
     *
     * @param embedDim embed_dim of the embeddings to come, &ge; 1
     * @return an empty builder
     * @throws IllegalArgumentException if embedDim &lt; 1
     */
    public static Builder builder(int embedDim) {
        return new Builder(embedDim);
    }

    /**
     * Reads an index written by {@link #save(Path)}.
     *
     * @param file the {@code .npz} file
     * @return the index
     * @throws NullPointerException if {@code file} is null
     * @throws IndexException if the file cannot be read, is not a clip4j index, is damaged (an entry whose CRC-32
     *                        differs from the archive's), or its parts disagree (counts, embed_dim, non-unit or
     *                        non-finite rows, duplicate ids)
     */
    public static EmbeddingIndex load(Path file) {
        return IndexFile.read(Objects.requireNonNull(file, "file"));
    }

    /**
     * Writes the index as a NumPy {@code .npz} archive ({@code features.npy} float32 {@code [size, embed_dim]},
     * {@code fingerprint.npy} when known, {@code index.json} with the ids and the model). The file is written
     * next to its destination first and then moved in place, so a crash never leaves half an index.
     *
     * @param file destination; replaced if it exists (through a symbolic link, the file the link names is written,
     *             created if it does not exist yet, and the link kept)
     * @throws NullPointerException if {@code file} is null
     * @throws IndexException if it cannot be written (its folder is missing, it names a folder, or it exists and is
     *                        not a regular file: a device, pipe or socket is never replaced), or the features
     *                        exceed the 2 GiB one file holds (about one million embeddings of embed_dim 512), or
     *                        it is a loop of symbolic links
     */
    public void save(Path file) {
        IndexFile.write(this, Objects.requireNonNull(file, "file"));
    }

    /**
     * Checks, before a long indexing run, that {@link #save} could write there: the folder exists and the path
     * is not a folder, nor an existing file that is not a regular file (a device, pipe or socket).
     *
     * @param file a destination for {@link #save}
     * @throws NullPointerException if {@code file} is null
     * @throws IndexException naming what is wrong
     */
    public static void checkDestination(Path file) {
        IndexFile.requireWritable(Objects.requireNonNull(file, "file"));
    }

    /** {@return the number of rows} */
    public int size() {
        return ids.size();
    }

    /** {@return embed_dim, the length of every row} */
    public int embedDim() {
        return embedDim;
    }

    /** {@return the ids in row order (unmodifiable)} */
    public List<String> ids() {
        return ids;
    }

    /**
     * Returns whether the index has a row with this id.
     *
     * @param id an id
     * @return whether the index has a row with that id
     */
    public boolean contains(String id) {
        return rowOf.containsKey(id);
    }

    /** {@return a description of the model that made the embeddings, {@code ""} if none was given} */
    public String model() {
        return model;
    }

    /**
     * {@return the transformer activation the model ran with ({@code "QUICK_GELU"} or {@code "GELU"}, an
     * {@link io.clip4j.Activation} name), {@code ""} if not recorded} A checkpoint that does not record its activation
     * runs with either, and the embeddings differ.
     */
    public String activation() {
        return activation;
    }

    /** Whether {@code name} is an {@link io.clip4j.Activation} constant's name, as the index records it. */
    static boolean isActivationName(String name) {
        for (io.clip4j.Activation a : io.clip4j.Activation.values()) {
            if (a.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** {@return a copy of that model's {@link ModelFingerprint} values, empty if unknown} */
    public float[] fingerprint() {
        return fingerprint.clone();
    }

    /** @return the rows without a copy, for the file writer; never modified */
    float[] vectors() {
        return vectors;
    }

    /** {@return a copy of all rows as Features {@code [size, embed_dim]}, each of unit L2 norm} */
    public Features features() {
        return new Features(vectors, ids.size(), embedDim);
    }

    /**
     * The k rows most similar to a query: cosine similarity (dot products of unit vectors in float32),
     * best first; equal scores keep the lower row first. Exhaustive, O(size * embed_dim).
     *
     * @param query an embedding of length embed_dim, raw or normalised (it is normalised here)
     * @param k     how many hits, &ge; 1; fewer come back when the index is smaller
     * @return up to k hits, best first; scores are cosine similarities in [-1, 1] (see {@link SearchHit#score})
     * @throws NullPointerException     if {@code query} is null
     * @throws IndexException           if the query's length is not this index's embed_dim (another model)
     * @throws IllegalArgumentException if k &lt; 1, or the query is all zeros or not finite
     */
    public List<SearchHit> search(float[] query, int k) {
        Objects.requireNonNull(query, "query");
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        requireEmbedDim(query.length);
        float[] q = Vectors.unit(query, 0, embedDim, "query");
        TopScores top = new TopScores(Math.min(k, size()));
        scan(q, 0, size(), top, new float[4]);
        return hits(q, top);
    }

    /** Offers rows {@code [from, to)} scored against the unit query q to top, in row order. */
    private void scan(float[] q, int from, int to, TopScores top, float[] four) {
        int r = from;
        for (; r < to - 3; r += 4) { // "r + 3 < to" overflows within 3 rows of Integer.MAX_VALUE
            Vectors.dot4(vectors, r * embedDim, q, embedDim, four);
            top.offer(r, four[0]);
            top.offer(r + 1, four[1]);
            top.offer(r + 2, four[2]);
            top.offer(r + 3, four[3]);
        }
        for (; r < to; r++) {
            top.offer(r, Vectors.dot(vectors, r * embedDim, q, embedDim));
        }
    }

    private List<SearchHit> hits(float[] q, TopScores top) {
        int[] rows = top.rowsBestFirst();
        List<SearchHit> hits = new ArrayList<>(rows.length);
        for (int row : rows) {
            hits.add(new SearchHit(ids.get(row), row, Vectors.dot(vectors, row * embedDim, q, embedDim)));
        }
        return hits;
    }

    /**
     * {@link #search(float[], int)} for every row of a batch of queries, with the same hits; the queries share each
     * pass over the index (blocks of rows scored against every query while they are in cache).
     *
     * @param queries embeddings {@code [n, embed_dim]}
     * @param k       hits per query, &ge; 1
     * @return n lists of up to k hits, in query order
     * @throws NullPointerException     if {@code queries} is null
     * @throws IndexException           if the queries' embed_dim differs from the index's
     * @throws IllegalArgumentException if k &lt; 1, or a query is all zeros or not finite
     */
    public List<List<SearchHit>> search(Features queries, int k) {
        Objects.requireNonNull(queries, "queries");
        if (k < 1) { // also for a batch of no queries, which never reaches search(float[], int)
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        requireEmbedDim(queries.dim());
        int n = queries.rows();
        float[][] units = new float[n][];
        TopScores[] tops = new TopScores[n];
        for (int i = 0; i < n; i++) {
            try {
                units[i] = Vectors.unit(queries.row(i), 0, embedDim, "query");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("query " + i + " of " + n + ": " + e.getMessage(), e);
            }
            tops[i] = new TopScores(Math.min(k, size()));
        }
        // Every query scans one block of rows while it is in cache, instead of each reading the whole matrix; the
        // rows still reach each query's top-k in row order, so the hits are those of one search per query.
        float[] four = new float[4];
        for (int from = 0, to; from < size(); from = to) { // "from += SCAN_ROWS" would overflow near 2^31 rows
            to = from + Math.min(SCAN_ROWS, size() - from);
            for (int i = 0; i < n; i++) {
                scan(units[i], from, to, tops[i], four);
            }
        }
        List<List<SearchHit>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(hits(units[i], tops[i]));
        }
        return out;
    }

    private static IllegalArgumentException duplicateId(String id) {
        return new IllegalArgumentException("duplicate id in index: " + id);
    }

    private void requireEmbedDim(int dim) {
        if (dim != embedDim) {
            throw new IndexException("query has embed_dim " + dim + " but the index has " + embedDim
                    + (model.isEmpty() ? "" : " (built with " + model + ")") + ": use the model that built it");
        }
    }

    /** {@return a builder holding this index's rows, model, activation and fingerprint, to add to or remove from} */
    public Builder toBuilder() {
        Builder b = new Builder(embedDim).model(model).activation(activation).fingerprint(fingerprint);
        for (int r = 0; r < size(); r++) {
            b.addUnit(ids.get(r), Arrays.copyOfRange(vectors, r * embedDim, (r + 1) * embedDim));
        }
        return b;
    }

    @Override
    public String toString() {
        return "EmbeddingIndex[" + size() + " x " + embedDim + (model.isEmpty() ? "" : ", model=" + model) + "]";
    }

    /** Collects rows for an {@link EmbeddingIndex}; not thread-safe. */
    public static final class Builder {
        private final int embedDim;
        /** Insertion-ordered, so that removing is O(1) and rows keep the order they were added in. */
        private final Map<String, float[]> rows = new LinkedHashMap<>();
        private String model = "";
        private String activation = "";
        private float[] fingerprint = new float[0];

        private Builder(int embedDim) {
            if (embedDim < 1) {
                throw new IllegalArgumentException("embed_dim must be >= 1, got " + embedDim);
            }
            this.embedDim = embedDim;
        }

        /**
         * Records which model made the embeddings.
         *
         * @param description the model that made the embeddings (e.g. its checkpoint path), not null
         * @return this builder
         * @throws NullPointerException if {@code description} is null
         */
        public Builder model(String description) {
            this.model = Objects.requireNonNull(description, "model");
            return this;
        }

        /**
         * Records the transformer activation the model that made the embeddings ran with.
         *
         * @param name an {@link io.clip4j.Activation} name ({@code "QUICK_GELU"}, {@code "GELU"}), or {@code ""} for
         *             unknown
         * @return this builder
         * @throws NullPointerException     if {@code name} is null
         * @throws IllegalArgumentException if {@code name} is neither {@code ""} nor an {@link io.clip4j.Activation}
         *                                  name (spelled as the constant, e.g. not {@code "gelu"}): {@link #load}
         *                                  refuses such an index, so it is not built
         */
        public Builder activation(String name) {
            Objects.requireNonNull(name, "activation");
            if (!name.isEmpty() && !isActivationName(name)) {
                throw new IllegalArgumentException("activation must be QUICK_GELU, GELU or \"\" (unknown), got \""
                        + name + "\"");
            }
            this.activation = name;
            return this;
        }

        /**
         * Records the {@link ModelFingerprint} of the model that made the embeddings.
         *
         * @param values that model's {@link ModelFingerprint#of} values ({@code 2 * embed_dim}), or an empty array
         *               for unknown
         * @return this builder
         * @throws NullPointerException     if {@code values} is null
         * @throws IllegalArgumentException if the length is neither 0 nor {@code 2 * embed_dim}
         */
        public Builder fingerprint(float[] values) {
            Objects.requireNonNull(values, "fingerprint");
            if (values.length != 0 && values.length != 2 * embedDim) {
                throw new IllegalArgumentException("a fingerprint has 2 x embed_dim = " + 2 * embedDim
                        + " values, got " + values.length);
            }
            this.fingerprint = values.clone();
            return this;
        }

        /**
         * Adds one row.
         *
         * @param id        a unique id, not null
         * @param embedding length embed_dim, raw or normalised (stored normalised)
         * @return this builder
         * @throws NullPointerException     if {@code id} or {@code embedding} is null
         * @throws IllegalArgumentException if the id is already present, the length is wrong, or the embedding
         *                                  is all zeros or not finite
         */
        public Builder add(String id, float[] embedding) {
            return addUnit(id, unit(id, embedding));
        }

        private float[] unit(String id, float[] embedding) {
            Objects.requireNonNull(embedding, "embedding");
            if (embedding.length != embedDim) {
                throw new IllegalArgumentException("embedding of " + id + " has length " + embedding.length
                        + ", the index embed_dim " + embedDim);
            }
            return Vectors.unit(embedding, 0, embedDim, id);
        }

        /**
         * Adds one row per id: row i of {@code features} under {@code ids.get(i)}. All or nothing: when one row is
         * refused, none of them is added.
         *
         * @param ids      unique ids, as many as features rows
         * @param features embeddings {@code [ids.size(), embed_dim]}, raw or normalised
         * @return this builder
         * @throws IllegalArgumentException as {@link #add} (an id repeated within {@code ids} too), or if the counts
         *                                  or the embed_dims differ
         * @throws NullPointerException     if {@code ids}, {@code features} or an id is null
         */
        public Builder addAll(List<String> ids, Features features) {
            Objects.requireNonNull(ids, "ids");
            Objects.requireNonNull(features, "features");
            if (ids.size() != features.rows() || features.dim() != embedDim) {
                throw new IllegalArgumentException(ids.size() + " ids for features [" + features.rows() + ", "
                        + features.dim() + "], index embed_dim " + embedDim);
            }
            Map<String, float[]> batch = new LinkedHashMap<>();
            for (int i = 0; i < ids.size(); i++) {
                String id = ids.get(i);
                float[] unit = unit(id, features.row(i));
                if (rows.containsKey(Objects.requireNonNull(id, "id")) || batch.putIfAbsent(id, unit) != null) {
                    throw duplicateId(id);
                }
            }
            rows.putAll(batch);
            return this;
        }

        /**
         * Removes the row with this id, if any.
         *
         * @param id an id
         * @return this builder, without that row if it had one
         */
        public Builder remove(String id) {
            rows.remove(id);
            return this;
        }

        /**
         * Returns whether a row with this id has been added.
         *
         * @param id an id
         * @return whether a row with that id has been added
         */
        public boolean contains(String id) {
            return rows.containsKey(id);
        }

        /** {@return the number of rows so far} */
        public int size() {
            return rows.size();
        }

        /**
         * Builds the index from the rows added so far; the builder stays usable.
         *
         * @return the index, rows in the order they were added
         * @throws IllegalArgumentException if {@code size() * embed_dim} exceeds the largest Java array
         */
        public EmbeddingIndex build() {
            float[] all = new float[ArraySizes.product("index embeddings", rows.size(), embedDim)];
            int r = 0;
            for (float[] row : rows.values()) {
                System.arraycopy(row, 0, all, r++ * embedDim, embedDim);
            }
            return ofUnitRows(new ArrayList<>(rows.keySet()), all, embedDim, model, activation, fingerprint);
        }

        Builder addUnit(String id, float[] unit) {
            Objects.requireNonNull(id, "id");
            if (rows.putIfAbsent(id, unit) != null) {
                throw duplicateId(id);
            }
            return this;
        }
    }
}
