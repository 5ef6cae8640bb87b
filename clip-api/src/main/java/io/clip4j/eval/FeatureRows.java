package io.clip4j.eval;

import io.clip4j.Features;
import io.clip4j.math.RowDirections;

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
        RowDirections.Problem p = RowDirections.firstProblem(v, d);
        if (p != null) {
            throw new EvaluationException(what + " row " + p.row() + (p.allZeros()
                    ? " is all zeros: it has no direction to compare" : " is not finite: " + p.value()));
        }
    }
}
