package io.clip4j.cuda;

/**
 * Top-k of each row of a probability matrix, like {@code probs.topk(k)} in PyTorch.
 *
 * @param rows    number of rows n
 * @param k       entries per row
 * @param probs   float32 [n, k], each row in decreasing order (equal values by lower column)
 * @param indices [n, k] column of each probability, in [0, m)
 */
public record TopK(int rows, int k, float[] probs, int[] indices) {
}
