package io.clip4j.eval;

import java.util.List;
import java.util.Locale;

/**
 * Few-shot linear-probe accuracies next to zero-shot accuracy (the comparison of the CLIP paper's Figures 6
 * and 7). Immutable; serialises to JSON with Jackson.
 *
 * @param c            regularisation strength of every few-shot fit
 * @param seeds        number of random draws averaged per k
 * @param testSize     rows of the test set
 * @param zeroShotTop1 zero-shot top-1 on the same test set, or null when not computed
 * @param points       one entry per k, in the order requested
 */
public record FewShotResult(double c, int seeds, int testSize, Double zeroShotTop1, List<Point> points) {
    /**
     * Accuracy with k training examples per class.
     *
     * @param k           examples per class
     * @param meanTop1    mean test top-1 over the seeds
     * @param stdTop1     population standard deviation of the top-1 over the seeds
     * @param meanTop5    mean test top-5 over the seeds
     * @param top1PerSeed test top-1 of each draw, in seed order
     */
    public record Point(int k, double meanTop1, double stdTop1, double meanTop5, List<Double> top1PerSeed) {
        /**
         * Copies the list.
         *
         * @param k           examples per class
         * @param meanTop1    mean test top-1 over the seeds
         * @param stdTop1     population standard deviation of the top-1 over the seeds
         * @param meanTop5    mean test top-5 over the seeds
         * @param top1PerSeed test top-1 of each draw, in seed order
         */
        public Point {
            top1PerSeed = List.copyOf(top1PerSeed);
        }
    }

    /**
     * Copies the list.
     *
     * @param c            regularisation strength of every few-shot fit
     * @param seeds        number of random draws averaged per k
     * @param testSize     rows of the test set
     * @param zeroShotTop1 zero-shot top-1 on the same test set, or null when not computed
     * @param points       one entry per k, in the order requested
     */
    public FewShotResult {
        points = List.copyOf(points);
    }

    /** {@return a human-readable table: k, mean top-1 +- std, mean top-5, and the zero-shot line} */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "few-shot linear probe: C = %.4g, %d seed(s), test %d%n", c, seeds,
                testSize));
        sb.append(String.format(Locale.ROOT, "  %-10s  %-17s  %s%n", "shots", "top-1", "top-5"));
        if (zeroShotTop1 != null) {
            sb.append(String.format(Locale.ROOT, "  %-10s  %6.2f%%%n", "zero-shot", 100 * zeroShotTop1));
        }
        for (Point p : points) {
            sb.append(String.format(Locale.ROOT, "  %-10d  %6.2f%% +- %5.2f  %6.2f%%%n", p.k(), 100 * p.meanTop1(),
                    100 * p.stdTop1(), 100 * p.meanTop5()));
        }
        return sb.toString();
    }
}
