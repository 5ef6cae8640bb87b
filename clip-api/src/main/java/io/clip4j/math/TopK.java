package io.clip4j.math;

import java.util.Arrays;
import java.util.Objects;

/**
 * The k best columns of every row of a {@code logits_per_image} matrix after a row softmax, like
 * {@code logits.softmax(dim=-1).topk(k)} in PyTorch, plus the logit of each pick. Entry {@code (i, r)} is
 * row {@code i}'s r-th best column (r = 0 is the most probable); equal probabilities rank the lower column
 * first. Arrays are row-major {@code [rows, k]}; the record does not copy them, so treat them as read-only.
 * {@code equals}/{@code hashCode} compare the array contents.
 *
 * @param rows    number of rows n (images), &ge; 1
 * @param k       picks per row, &ge; 1
 * @param probs   float32 {@code [rows, k]} probabilities in [0, 1], each row non-increasing
 * @param indices {@code [rows, k]} column of each pick, in [0, m)
 * @param logits  float32 {@code [rows, k]} the logit (scaled cosine similarity) of each pick
 */
public record TopK(int rows, int k, float[] probs, int[] indices, float[] logits) {

    /**
     * Creates a top-k result from arrays it keeps (no copy).
     *
     * @param rows    number of rows n (images), &ge; 1
     * @param k       picks per row, &ge; 1
     * @param probs   float32 {@code [rows, k]} probabilities
     * @param indices {@code [rows, k]} column of each pick
     * @param logits  float32 {@code [rows, k]} logit of each pick
     * @throws NullPointerException     if an array is null
     * @throws IllegalArgumentException if rows or k is below 1 or an array is not {@code rows * k} long (values and
     *                                  indices are not checked)
     */
    public TopK {
        Objects.requireNonNull(probs, "probs");
        Objects.requireNonNull(indices, "indices");
        Objects.requireNonNull(logits, "logits");
        if (rows < 1 || k < 1) {
            throw new IllegalArgumentException("rows and k must be >= 1, got " + rows + " and " + k);
        }
        long n = (long) rows * k;
        if (probs.length != n || indices.length != n || logits.length != n) {
            throw new IllegalArgumentException("probs, indices and logits need rows*k = " + n + " entries, got "
                    + probs.length + ", " + indices.length + ", " + logits.length);
        }
    }

    /**
     * Returns the column (class index) picked at a rank of a row.
     *
     * @param row  row index in [0, rows)
     * @param rank rank in [0, k)
     * @return the column picked at that rank
     * @throws IndexOutOfBoundsException if row or rank is out of range
     */
    public int index(int row, int rank) {
        return indices[at(row, rank)];
    }

    /**
     * Returns the softmax probability picked at a rank of a row.
     *
     * @param row  row index in [0, rows)
     * @param rank rank in [0, k)
     * @return the probability of that pick
     * @throws IndexOutOfBoundsException if row or rank is out of range
     */
    public float prob(int row, int rank) {
        return probs[at(row, rank)];
    }

    /**
     * Returns the logit picked at a rank of a row.
     *
     * @param row  row index in [0, rows)
     * @param rank rank in [0, k)
     * @return the logit of that pick
     * @throws IndexOutOfBoundsException if row or rank is out of range
     */
    public float logit(int row, int rank) {
        return logits[at(row, rank)];
    }

    /** Equal when the shapes and every array element are equal (records compare arrays by reference). */
    @Override
    public boolean equals(Object o) {
        return o instanceof TopK t && rows == t.rows && k == t.k && Arrays.equals(probs, t.probs)
                && Arrays.equals(indices, t.indices) && Arrays.equals(logits, t.logits);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * Integer.hashCode(rows) + k) + Arrays.hashCode(indices)) + Arrays.hashCode(probs);
    }

    /** {@return the shape and the picks, e.g. {@code TopK[rows=1, k=2, indices=[1, 0], probs=[0.7, 0.3], ...]}} */
    @Override
    public String toString() {
        return "TopK[rows=" + rows + ", k=" + k + ", indices=" + Arrays.toString(indices) + ", probs="
                + Arrays.toString(probs) + ", logits=" + Arrays.toString(logits) + "]";
    }

    private int at(int row, int rank) {
        Objects.checkIndex(row, rows);
        Objects.checkIndex(rank, k);
        return row * k + rank;
    }
}
