package io.clip4j.math;

/**
 * The length of a row-major {@code [rows, cols]} array, checked before it is allocated: an unchecked
 * {@code rows * cols} wraps around past {@link Integer#MAX_VALUE} and surfaces as a negative array size, an index
 * out of bounds or, worse, a smaller array than the caller asked for.
 */
public final class ArraySizes {
    /** The longest array HotSpot allocates (it reserves a few header words below {@link Integer#MAX_VALUE}). */
    public static final int MAX_LENGTH = Integer.MAX_VALUE - 8;

    private ArraySizes() {
    }

    /**
     * Returns the length of a {@code [rows, cols]} array, checking that it fits a Java array.
     *
     * @param what what the array holds, for the message (e.g. {@code "text_features"})
     * @param rows rows, &ge; 0
     * @param cols columns, &ge; 0
     * @return {@code rows * cols}
     * @throws IllegalArgumentException if a size is negative or the product exceeds {@link #MAX_LENGTH}, with the
     *                                  sizes in the message
     */
    public static int product(String what, int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException(what + " [" + rows + ", " + cols + "]: sizes must be >= 0");
        }
        long n = (long) rows * cols;
        if (n > MAX_LENGTH) {
            throw new IllegalArgumentException(what + " [" + rows + ", " + cols + "] would hold " + n
                    + " elements, more than the largest Java array (" + MAX_LENGTH + ")");
        }
        return (int) n;
    }
}
