package io.clip4j.eval;

import io.clip4j.Features;

/** Checks of precomputed feature rows before they are ranked by cosine similarity. */
final class FeatureRows {
    private FeatureRows() {
    }

    /**
     * Every row must be finite and not all zeros. A zero row has no direction: normalised to zero it ties with every
     * candidate, so its rank would silently be the tie-break order (the reference's normalisation gives NaN).
     *
     * @param f    the rows
     * @param what what they are, for the message (e.g. {@code "image_features"})
     * @throws EvaluationException naming the first bad row
     */
    static void requireDirections(Features f, String what) {
        requireDirections(f.toArray(), f.dim(), what);
    }

    /** {@link #requireDirections(Features, String)} of row-major {@code [v.length / d, d]} values. */
    static void requireDirections(float[] v, int d, String what) {
        for (int r = 0; r * d < v.length; r++) {
            boolean nonZero = false;
            for (int i = r * d; i < (r + 1) * d; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new EvaluationException(what + " row " + r + " is not finite: " + v[i]);
                }
                nonZero |= v[i] != 0f;
            }
            if (!nonZero) {
                throw new EvaluationException(what + " row " + r + " is all zeros: it has no direction to compare");
            }
        }
    }
}
