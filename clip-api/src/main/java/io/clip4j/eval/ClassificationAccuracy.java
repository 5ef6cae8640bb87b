package io.clip4j.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Accuracy of a classifier on a labelled set (CLIP paper section 3.1 reports top-1 and top-5). Immutable;
 * serialises to JSON with Jackson as an object with the component names.
 *
 * <p>An example counts as correct at k when its true class ranks among the k highest scores. Ties between
 * equal scores are broken towards the lower class index (the order {@link io.clip4j.math.Similarity#topK}
 * uses), so a tie never counts for the true class unless it comes first. With fewer than 5 classes, top-5
 * is top-{@code n_classes}, i.e. 1.0.
 *
 * @param n                    number of examples, &ge; 1
 * @param top1                 fraction with the true class ranked first, in [0, 1]
 * @param top5                 fraction with the true class among the 5 best, in [0, 1]
 * @param meanPerClassAccuracy mean of the top-1 accuracies of the classes that have examples (the
 *                             "mean per class" metric of the paper's Table 9 datasets)
 * @param classNames           class names, index = label
 * @param perClassCount        number of examples of each class
 * @param perClassAccuracy     top-1 accuracy of each class, null for a class without examples
 */
public record ClassificationAccuracy(int n, double top1, double top5, double meanPerClassAccuracy,
                                     List<String> classNames, List<Integer> perClassCount,
                                     List<Double> perClassAccuracy) {
    /**
     * Creates an accuracy report; the lists are copied.
     *
     * @param n                    number of examples, &ge; 1
     * @param top1                 fraction with the true class ranked first, in [0, 1]
     * @param top5                 fraction with the true class among the 5 best, in [0, 1]
     * @param meanPerClassAccuracy mean of the top-1 accuracies of the classes that have examples (the
     *                             "mean per class" metric of the paper's Table 9 datasets)
     * @param classNames           class names, index = label
     * @param perClassCount        number of examples of each class
     * @param perClassAccuracy     top-1 accuracy of each class, null for a class without examples
     * @throws NullPointerException     if a list is null or a class name or count is null
     * @throws IllegalArgumentException if n &lt; 1, top1, top5 or meanPerClassAccuracy is outside [0, 1] (or NaN),
     *                                  or the per-class lists do not match the class count
     */
    public ClassificationAccuracy {
        if (n < 1) {
            throw new IllegalArgumentException("n (number of examples) must be >= 1, got " + n);
        }
        requireFraction("top1", top1);
        requireFraction("top5", top5);
        requireFraction("meanPerClassAccuracy", meanPerClassAccuracy);
        classNames = List.copyOf(classNames);
        perClassCount = List.copyOf(perClassCount);
        perClassAccuracy = Collections.unmodifiableList(new ArrayList<>(perClassAccuracy));
        if (perClassCount.size() != classNames.size() || perClassAccuracy.size() != classNames.size()) {
            throw new IllegalArgumentException("per-class lists must have one entry per class (" + classNames.size()
                    + "), got " + perClassCount.size() + " and " + perClassAccuracy.size());
        }
    }

    private static void requireFraction(String name, double value) {
        if (!(value >= 0 && value <= 1)) { // NaN too
            throw new IllegalArgumentException(name + " must be in [0, 1], got " + value);
        }
    }

    /**
     * Scores every example against its label.
     *
     * @param scores     {@code [n, n_classes]} row-major, larger = more likely (logits, probabilities or
     *                   decision values); finite
     * @param labels     true class of each example, in [0, n_classes), length n &ge; 1
     * @param classNames class names, n_classes of them
     * @return the accuracies
     * @throws EvaluationException if the shapes disagree, a label is out of range, a score is not finite
     *                             or there are no examples
     */
    public static ClassificationAccuracy of(float[] scores, int[] labels, List<String> classNames) {
        Objects.requireNonNull(scores, "scores");
        Objects.requireNonNull(labels, "labels");
        int k = classNames.size();
        int n = labels.length;
        if (n == 0) {
            throw new EvaluationException("accuracy needs at least one example");
        }
        if (k == 0 || (long) n * k != scores.length) {
            throw new EvaluationException("scores have " + scores.length + " values, expected [" + n + ", " + k + "]");
        }
        int[] ranks = new int[n];
        for (int i = 0; i < n; i++) {
            checkLabel(labels[i], i, k);
            ranks[i] = rank(scores, i * k, k, labels[i], i);
        }
        return fromRanks(ranks, labels, classNames);
    }

    /**
     * Scores every example from the k best classes only, as {@link io.clip4j.ClipModel#zeroShotTopK} returns
     * them (ranked by probability, equal probabilities by lower class index): the true class's rank is its
     * position among the picks, or at least k when it is not among them.
     *
     * @param top        the picks of each example; {@code top.k()} &ge; min(5, n_classes) so top-5 is exact
     * @param labels     true class of each example, in [0, n_classes), length {@code top.rows()}
     * @param classNames class names, n_classes of them
     * @return the accuracies
     * @throws EvaluationException if the shapes disagree, k is too small, a label or pick is out of range, or a
     *                             probability is not finite
     */
    public static ClassificationAccuracy ofTopK(io.clip4j.math.TopK top, int[] labels, List<String> classNames) {
        Objects.requireNonNull(top, "top");
        Objects.requireNonNull(labels, "labels");
        int k = classNames.size();
        if (labels.length != top.rows()) {
            throw new EvaluationException(top.rows() + " rows of picks for " + labels.length + " labels");
        }
        if (k == 0 || top.k() < Math.min(5, k) || top.k() > k) {
            throw new EvaluationException("top-k accuracy needs k in [min(5, " + k + "), " + k + "], got " + top.k());
        }
        int[] ranks = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            checkLabel(labels[i], i, k);
            int rank = top.k();
            for (int r = 0; r < top.k(); r++) {
                if (!Float.isFinite(top.prob(i, r))) {
                    throw new EvaluationException("probability " + r + " of example " + i + " is not finite: "
                            + top.prob(i, r));
                }
                int c = top.index(i, r);
                if (c < 0 || c >= k) {
                    throw new EvaluationException("pick " + r + " of example " + i + " is class " + c + ", outside the "
                            + k + " classes");
                }
                if (c == labels[i]) {
                    rank = r;
                    break;
                }
            }
            ranks[i] = rank;
        }
        return fromRanks(ranks, labels, classNames);
    }

    private static void checkLabel(int y, int example, int k) {
        if (y < 0 || y >= k) {
            throw new EvaluationException("label " + y + " of example " + example + " is outside the " + k + " classes");
        }
    }

    // Top-1, top-5 and per-class accuracy from the 0-based rank of each example's true class.
    private static ClassificationAccuracy fromRanks(int[] ranks, int[] labels, List<String> classNames) {
        int k = classNames.size();
        int n = labels.length;
        if (n == 0) {
            throw new EvaluationException("accuracy needs at least one example");
        }
        int[] count = new int[k];
        int[] hit = new int[k];
        int top1 = 0;
        int top5 = 0;
        for (int i = 0; i < n; i++) {
            int y = labels[i];
            int rank = ranks[i];
            count[y]++;
            if (rank == 0) {
                top1++;
                hit[y]++;
            }
            if (rank < 5) {
                top5++;
            }
        }
        List<Integer> counts = new ArrayList<>(k);
        List<Double> perClass = new ArrayList<>(k);
        double sum = 0;
        int present = 0;
        for (int c = 0; c < k; c++) {
            counts.add(count[c]);
            if (count[c] == 0) {
                perClass.add(null);
            } else {
                double a = (double) hit[c] / count[c];
                perClass.add(a);
                sum += a;
                present++;
            }
        }
        return new ClassificationAccuracy(n, (double) top1 / n, (double) top5 / n, sum / present, classNames,
                counts, perClass);
    }

    /** 0-based rank of the true class: higher scores first, ties to the lower class index. */
    private static int rank(float[] scores, int off, int k, int y, int row) {
        float sy = scores[off + y];
        int rank = 0;
        for (int j = 0; j < k; j++) {
            float s = scores[off + j];
            if (!Float.isFinite(s)) {
                throw new EvaluationException("score of example " + row + ", class " + j + " is not finite: " + s);
            }
            if (s > sy || (s == sy && j < y)) {
                rank++;
            }
        }
        return rank;
    }

    /**
     * Formats the accuracies as a table for people to read.
     *
     * @return a human-readable report: n, top-1, top-5, mean per class, and one line per class (its count, its
     *         accuracy, its name)
     */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "n = %d  top-1 = %.2f%%  top-5 = %.2f%%  mean per class = %.2f%%%n",
                n, 100 * top1, 100 * top5, 100 * meanPerClassAccuracy));
        // The class name last: no padding to get wrong for names of CJK or emoji characters (two columns each).
        sb.append(String.format(Locale.ROOT, "  %6s  %8s  %s%n", "n", "top-1", "class"));
        for (int c = 0; c < classNames.size(); c++) {
            Double a = perClassAccuracy.get(c);
            sb.append(String.format(Locale.ROOT, "  %6d  %8s  %s%n", perClassCount.get(c),
                    a == null ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * a), classNames.get(c)));
        }
        return sb.toString();
    }
}
