package io.clip4j.math;

/**
 * Finds the first row of a feature matrix that cannot be compared by cosine similarity: one holding NaN or an
 * infinity, or one that is all zeros (no direction: the reference's {@code x / x.norm()} gives NaN for it, while
 * normalising it to zero would tie it with every candidate). Callers raise their own exception type from it.
 */
public final class RowDirections {
    private RowDirections() {
    }

    /**
     * A row that has no direction.
     *
     * @param row    the row, 0-based
     * @param column the first non-finite column, or -1 when the row is finite and all zeros
     * @param value  the non-finite value, or 0 when the row is all zeros
     */
    public record Problem(int row, int column, float value) {
        /** {@return whether the row is finite and all zeros (else it holds {@link #value()})} */
        public boolean allZeros() {
            return column < 0;
        }
    }

    /**
     * Returns the first row that is not finite or is all zeros.
     *
     * @param values row-major {@code [values.length / dim, dim]}
     * @param dim    the row length, &ge; 1
     * @return the first such row, or null when every row has a direction
     * @throws IllegalArgumentException if dim &lt; 1 or does not divide values.length
     */
    public static Problem firstProblem(float[] values, int dim) {
        if (dim < 1 || values.length % dim != 0) {
            throw new IllegalArgumentException("rows of " + dim + " do not divide " + values.length + " values");
        }
        for (int r = 0; r * dim < values.length; r++) {
            boolean nonZero = false;
            for (int i = r * dim; i < (r + 1) * dim; i++) {
                if (!Float.isFinite(values[i])) {
                    return new Problem(r, i - r * dim, values[i]);
                }
                nonZero |= values[i] != 0f;
            }
            if (!nonZero) {
                return new Problem(r, -1, 0f);
            }
        }
        return null;
    }
}
