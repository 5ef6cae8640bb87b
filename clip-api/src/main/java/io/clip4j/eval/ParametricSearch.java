package io.clip4j.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * The CLIP paper's "parametric binary search" for the regularisation strength (Appendix A.3): evaluate
 * log10 C on the coarse grid -6, -4, ..., 6, then repeatedly halve the step around the best value, trying
 * its two neighbours, until the step is 1/8 of a decade (the resolution of a 96-step log-spaced sweep).
 * Ties keep the value found first (on the coarse grid: the smaller C, i.e. the stronger regularisation).
 */
final class ParametricSearch {
    /** Smallest and largest log10 C of the paper's range [1e-6, 1e6]. */
    static final double LOG10_LO = -6;
    static final double LOG10_HI = 6;
    private static final double COARSE_STEP = 2;
    private static final double FINAL_STEP = 0.125;

    /**
     * @param log10C exponent evaluated
     * @param score  its score (higher is better)
     */
    record Point(double log10C, double score) {
    }

    /**
     * @param evaluated every point, in evaluation order
     * @param best      the highest-scoring one
     */
    record Result(List<Point> evaluated, Point best) {
    }

    private ParametricSearch() {
    }

    /**
     * @param score score of a log10 C value (e.g. validation accuracy of the classifier fitted with it)
     * @return all evaluated points and the best
     */
    static Result maximize(DoubleUnaryOperator score) {
        List<Point> seen = new ArrayList<>();
        Point best = null;
        for (double e = LOG10_LO; e <= LOG10_HI; e += COARSE_STEP) {
            Point p = new Point(e, score.applyAsDouble(e));
            seen.add(p);
            if (best == null || p.score() > best.score()) {
                best = p;
            }
        }
        for (double step = COARSE_STEP / 2; step >= FINAL_STEP; step /= 2) {
            double centre = best.log10C();
            for (double e : new double[]{centre - step, centre + step}) {
                if (e < LOG10_LO || e > LOG10_HI || contains(seen, e)) {
                    continue;
                }
                Point p = new Point(e, score.applyAsDouble(e));
                seen.add(p);
                if (p.score() > best.score()) {
                    best = p;
                }
            }
        }
        return new Result(List.copyOf(seen), best);
    }

    private static boolean contains(List<Point> seen, double e) {
        for (Point p : seen) {
            if (p.log10C() == e) {
                return true;
            }
        }
        return false;
    }
}
