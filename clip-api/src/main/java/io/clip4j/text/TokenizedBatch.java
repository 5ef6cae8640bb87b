package io.clip4j.text;

import java.util.Arrays;

/**
 * Token ids of a batch of texts, as returned by {@link ClipTokenizer#tokenize}: the equivalent
 * of the int64 tensor of shape {@code [n, context_length]} that the reference
 * {@code clip.tokenize} returns, plus per-text truncation information. Immutable.
 */
public final class TokenizedBatch {
    private final long[] ids;
    private final int size;
    private final int contextLength;
    private final int[] tokenCounts;

    TokenizedBatch(long[] ids, int size, int contextLength, int[] tokenCounts) {
        this.ids = ids;
        this.size = size;
        this.contextLength = contextLength;
        this.tokenCounts = tokenCounts;
    }

    /** {@return the number of texts {@code n} (rows)} */
    public int size() {
        return size;
    }

    /** {@return {@code context_length}, the length of every row} */
    public int contextLength() {
        return contextLength;
    }

    /**
     * All ids, row-major, shape {@code [n, context_length]}: row i = {@code [49406, tokens...,
     * 49407, 0, 0, ...]} (ids of the bundled vocabulary), or, for a truncated text, its first
     * {@code context_length - 1} ids followed by 49407.
     *
     * @return a new array of {@code n * context_length} ids in {@code [0, vocabularySize)}
     */
    public long[] ids() {
        return ids.clone();
    }

    /**
     * Returns the token ids of one text (a copy).
     *
     * @param i row index in {@code [0, n)}
     * @return a new array with the {@code context_length} ids of row i
     * @throws IndexOutOfBoundsException if i is out of range
     */
    public long[] row(int i) {
        checkRow(i);
        return Arrays.copyOfRange(ids, i * contextLength, (i + 1) * contextLength);
    }

    /**
     * Returns how many tokens one text had before truncation.
     *
     * @param i row index in {@code [0, n)}
     * @return the number of tokens text i had before truncation, start-of-text and end-of-text
     *     included (always at least 2; greater than {@link #contextLength()} iff truncated)
     * @throws IndexOutOfBoundsException if i is out of range
     */
    public int tokenCount(int i) {
        checkRow(i);
        return tokenCounts[i];
    }

    /**
     * Returns whether one text was truncated to fit the context_length.
     *
     * @param i row index in {@code [0, n)}
     * @return true if text i did not fit and row i was cut (its last id replaced by end-of-text)
     * @throws IndexOutOfBoundsException if i is out of range
     */
    public boolean truncated(int i) {
        checkRow(i);
        return tokenCounts[i] > contextLength;
    }

    /** {@return true if at least one text was truncated} */
    public boolean anyTruncated() {
        for (int c : tokenCounts) {
            if (c > contextLength) {
                return true;
            }
        }
        return false;
    }

    private void checkRow(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("row " + i + " out of range [0, " + size + ")");
        }
    }
}
