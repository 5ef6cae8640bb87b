package io.clip4j.search;

import java.util.Objects;

/**
 * One result of a search: an indexed item and its cosine similarity with the query.
 *
 * @param id    the item's id (for image indexes built by {@link ImageIndexer}, the file's path)
 * @param row   the item's row in the index, in [0, size)
 * @param score cosine similarity of the L2-normalised query and item embeddings, in [-1, 1] up to float32
 *              rounding (a dot product of unit vectors can exceed 1 by about 1e-6); multiply by
 *              {@link io.clip4j.ClipModel#logitScale()} for the reference's logits
 */
public record SearchHit(String id, int row, float score) {
    /**
     * Creates a hit.
     *
     * @param id    the item's id, not null
     * @param row   the item's row, &ge; 0
     * @param score the cosine similarity
     * @throws NullPointerException     if id is null
     * @throws IllegalArgumentException if row is negative
     */
    public SearchHit {
        Objects.requireNonNull(id, "id");
        if (row < 0) {
            throw new IllegalArgumentException("row must be >= 0, got " + row);
        }
    }
}
