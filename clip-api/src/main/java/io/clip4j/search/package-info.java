/**
 * Semantic search over a collection of embeddings: text-to-image and image-to-image retrieval, the
 * application the CLIP paper measures in appendix E.1 (zero-shot image and text retrieval, Table 13).
 *
 * <p>{@link io.clip4j.search.EmbeddingIndex} holds L2-normalised embeddings (usually image_features) with an
 * id per row, ranks them by cosine similarity and is saved as a NumPy-readable {@code .npz} file;
 * {@link io.clip4j.search.ImageIndexer} encodes a collection of image files into one, batch by batch, skipping
 * files that cannot be decoded; {@link io.clip4j.search.SemanticSearch} answers text and image queries with
 * the model that built the index, which {@link io.clip4j.search.ModelFingerprint} checks.
 */
package io.clip4j.search;
