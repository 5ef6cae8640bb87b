package io.clip4j.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Few-shot linear probes (CLIP paper section 3.1.5, Figures 6 and 7): logistic regression fitted on k
 * examples per class drawn from the training features, scored on the test features, averaged over several
 * seeded draws.
 *
 * <p>Choice (documented): with k examples per class there is no data for a validation sweep, so every fit
 * uses one fixed C, by default {@link #DEFAULT_C} = 0.316, the value of the CLIP README's linear-probe
 * example. The draw for seed s uses {@code java.util.Random(s)} (a specified generator, so draws are the
 * same on every JVM): classes in label order, each by a partial Fisher-Yates shuffle of its rows.
 */
public final class FewShotProbe {
    /** C of the CLIP README's linear-probe example ({@code LogisticRegression(C=0.316, max_iter=1000)}). */
    public static final double DEFAULT_C = 0.316;
    /** The paper's shots per class. */
    public static final List<Integer> PAPER_SHOTS = List.of(1, 2, 4, 8, 16);

    private FewShotProbe() {
    }

    /**
     * Draws exactly k rows of every class.
     *
     * @param train the rows to draw from
     * @param k     examples per class, &ge; 1
     * @param seed  seed of the draw
     * @return row indices, grouped by class in label order
     * @throws NullPointerException if {@code train} is null
     * @throws EvaluationException  if k &lt; 1 or a class has fewer than k rows
     */
    public static int[] sample(LabeledFeatures train, int k, long seed) {
        Objects.requireNonNull(train, "train");
        List<List<Integer>> byClass = Splits.byClass(train.labelArray(), train.classCount());
        requireShots(train.classNames(), byClass.stream().mapToInt(List::size).toArray(), k);
        Random rnd = new Random(seed);
        int[] out = new int[k * train.classCount()];
        int at = 0;
        for (int c = 0; c < byClass.size(); c++) {
            List<Integer> rows = byClass.get(c);
            for (int r : Splits.pick(rows, k, rnd)) {
                out[at++] = r;
            }
        }
        return out;
    }

    /**
     * Runs the few-shot probes.
     *
     * @param train        training features to draw shots from
     * @param test         test features (same classes and dimension)
     * @param shots        k values, each &ge; 1 (e.g. {@link #PAPER_SHOTS})
     * @param seeds        draws per k, &ge; 1; draw s uses seed s
     * @param regression   C, iteration limit, tolerance and stopping rules of every fit
     * @param normalize    L2-normalise feature rows first
     * @param zeroShotTop1 zero-shot top-1 on the same test set to report alongside, or null
     * @return mean/std accuracy per k (std is the population standard deviation over the seeds)
     * @throws NullPointerException if {@code train}, {@code test}, {@code shots} or {@code regression} is null
     * @throws EvaluationException  if the sets are incompatible (dimension, class names) or empty, seeds &lt; 1,
     *                              shots is empty or holds a null or a k &lt; 1, a class has fewer than k rows, there
     *                              are fewer than 2 classes, or a feature value is not finite
     */
    public static FewShotResult evaluate(LabeledFeatures train, LabeledFeatures test, List<Integer> shots, int seeds,
                                         LogisticRegression regression, boolean normalize, Double zeroShotTop1) {
        LinearProbe.check(train, test);
        Objects.requireNonNull(shots, "shots");
        Objects.requireNonNull(regression, "regression");
        check(train.classNames(), train.labelArray(), shots, seeds);
        LabeledFeatures tr = normalize ? train.normalized() : train;
        LabeledFeatures te = normalize ? test.normalized() : test;
        List<FewShotResult.Point> points = new ArrayList<>();
        for (int k : shots) {
            List<Double> top1 = new ArrayList<>();
            double top5 = 0;
            for (int s = 0; s < seeds; s++) {
                ClassificationAccuracy a = regression.fit(tr.subset(sample(tr, k, s))).evaluate(te);
                top1.add(a.top1());
                top5 += a.top5();
            }
            double mean = top1.stream().mapToDouble(Double::doubleValue).average().getAsDouble();
            double var = top1.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum() / seeds;
            points.add(new FewShotResult.Point(k, mean, Math.sqrt(var), top5 / seeds, top1));
        }
        return new FewShotResult(regression.c(), seeds, test.size(), zeroShotTop1, points);
    }

    /**
     * The checks {@link #evaluate} makes of its shots and seeds, for a caller that wants them before it encodes the
     * training images (which may take hours) rather than on their features afterwards.
     *
     * @param classNames the training set's class names, index = label
     * @param labels     its labels, one per example, each in [0, classNames.size())
     * @param shots      k values
     * @param seeds      draws per k
     * @throws NullPointerException if {@code classNames}, {@code labels} or {@code shots} is null
     * @throws EvaluationException  if seeds &lt; 1, shots is empty, a k is null or &lt; 1, a label is outside the
     *                              classes or a class has fewer than k examples
     */
    public static void check(List<String> classNames, int[] labels, List<Integer> shots, int seeds) {
        Objects.requireNonNull(classNames, "classNames");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(shots, "shots");
        if (seeds < 1) {
            throw new EvaluationException("seeds must be >= 1, got " + seeds);
        }
        if (shots.isEmpty()) {
            throw new EvaluationException("no shot counts given");
        }
        int[] perClass = new int[classNames.size()];
        for (int i = 0; i < labels.length; i++) {
            // Counted before any encoding, so a bad label must not surface as an array index error.
            if (labels[i] < 0 || labels[i] >= perClass.length) {
                throw new EvaluationException("label " + labels[i] + " of example " + i + " is outside the "
                        + perClass.length + " classes");
            }
            perClass[labels[i]]++;
        }
        for (Integer k : shots) {
            if (k == null) { // unboxing would throw a bare NullPointerException
                throw new EvaluationException("a shot count is null: " + shots);
            }
            requireShots(classNames, perClass, k);
        }
    }

    private static void requireShots(List<String> classNames, int[] perClass, int k) {
        if (k < 1) {
            throw new EvaluationException("shots per class must be >= 1, got " + k);
        }
        for (int c = 0; c < perClass.length; c++) {
            if (perClass[c] < k) {
                throw new EvaluationException("class '" + classNames.get(c) + "' has " + perClass[c]
                        + " training examples, fewer than " + k + " shots");
            }
        }
    }
}
