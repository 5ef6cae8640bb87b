package io.clip4j.eval;

import java.util.List;
import java.util.Locale;

/**
 * Outcome of a linear probe (CLIP paper section 3.2 / Appendix A.3). Immutable; serialises to JSON with
 * Jackson.
 *
 * @param trainSize       rows the final classifier was fitted on
 * @param validationSize  rows held out for choosing C (0 when C was fixed)
 * @param testSize        rows of the test set
 * @param c               the regularisation strength used for the final fit (C = 1/lambda)
 * @param sweep           every C tried with its validation top-1, in evaluation order (empty when fixed)
 * @param normalized      whether features were L2-normalised before fitting
 * @param iterations      L-BFGS iterations of the final fit
 * @param converged       whether the final fit stopped on a tolerance (false: it reached the iteration limit or a
 *                        line search failed, where scikit-learn would warn)
 * @param test            accuracy on the test set
 */
public record LinearProbeResult(int trainSize, int validationSize, int testSize, double c, List<SweepPoint> sweep,
                                boolean normalized, int iterations, boolean converged,
                                ClassificationAccuracy test) {
    /**
     * One C of the sweep.
     *
     * @param c              inverse regularisation strength
     * @param validationTop1 top-1 accuracy on the validation split of the classifier fitted on the rest
     * @param converged      whether that fit stopped on a tolerance (false: it reached the iteration limit or a
     *                       line search failed, where scikit-learn would warn)
     */
    public record SweepPoint(double c, double validationTop1, boolean converged) {
    }

    /**
     * Copies the sweep.
     *
     * @param trainSize      rows the final classifier was fitted on
     * @param validationSize rows held out for choosing C (0 when C was fixed)
     * @param testSize       rows of the test set
     * @param c              the regularisation strength used for the final fit (C = 1/lambda)
     * @param sweep          every C tried with its validation top-1, in evaluation order (empty when fixed)
     * @param normalized     whether features were L2-normalised before fitting
     * @param iterations     L-BFGS iterations of the final fit
     * @param converged      whether the final fit stopped on a tolerance (false: it reached the iteration limit or
     *                       a line search failed)
     * @param test           accuracy on the test set
     */
    public LinearProbeResult {
        sweep = List.copyOf(sweep);
    }

    /** {@return a human-readable report} */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        // trainSize counts the validation rows too: the classifier is refitted on both once C is chosen
        String fit = validationSize == 0 ? String.format(Locale.ROOT, "fitted on %d examples", trainSize)
                : String.format(Locale.ROOT, "C chosen on %d validation examples, then fitted on %d (training and"
                + " validation)", validationSize, trainSize);
        sb.append(String.format(Locale.ROOT, "linear probe: %s, test %d, C = %.4g%s%s%n",
                fit, testSize, c, normalized ? ", L2-normalised features" : "",
                converged ? "" : " (L-BFGS stopped before meeting its tolerance)"));
        if (!sweep.isEmpty()) {
            sb.append("  C sweep (validation top-1):");
            sweep.stream().sorted((a, b) -> Double.compare(a.c(), b.c())).forEach(p -> sb.append(
                    String.format(Locale.ROOT, " %.3g:%.1f%%", p.c(), 100 * p.validationTop1())));
            sb.append(System.lineSeparator());
            long stopped = sweep.stream().filter(p -> !p.converged()).count();
            if (stopped > 0) {
                sb.append(String.format(Locale.ROOT, "  %d of %d sweep fits stopped before meeting the"
                        + " tolerance (iteration limit or failed line search)%n", stopped, sweep.size()));
            }
        }
        sb.append(test.summary());
        return sb.toString();
    }
}
