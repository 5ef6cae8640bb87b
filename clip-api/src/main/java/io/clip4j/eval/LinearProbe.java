package io.clip4j.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The CLIP paper's linear-probe protocol (Appendix A.3) on frozen features: multinomial logistic
 * regression ({@link LogisticRegression}, L-BFGS, at most 1,000 iterations), C chosen by the paper's
 * parametric binary search over [1e-6, 1e6] ({@code ParametricSearch}) maximising top-1 accuracy on a
 * validation split, then refitted on train + validation and scored on the test set.
 *
 * <p>Choices (documented differences): the validation split is held out from the training set, stratified
 * per class with a seeded shuffle (the paper uses the dataset's own validation split where one exists;
 * pass it to {@link #evaluate(LabeledFeatures, LabeledFeatures, LabeledFeatures, Options)}). Features are
 * the projected image_features that {@code encode_image} returns (the paper uses the representation before
 * the projection for ViT models, which ClipModel does not expose), used raw unless
 * {@link Options#normalize()} asks for L2 normalisation; like the CLIP README's linear-probe example and
 * sklearn, nothing is centred or scaled. Every fit stops by the paper-era scikit-learn's rules by default
 * ({@link LogisticRegression.Stopping#SKLEARN_BEFORE_1_4}: {@code tol} bounds the gradient of the sum-scaled
 * objective); {@link LogisticRegression.Stopping#SKLEARN_1_4} gives scikit-learn 1.4 and later's, under which the
 * fits at large C stop earlier and the sweep can choose differently (testdata/linear-probe/README.md).
 */
public final class LinearProbe {
    /**
     * Settings of the linear probe: validation split, L-BFGS limits and feature normalisation.
     *
     * @param validationFraction share of each class held out for the C sweep, in (0, 1) (default 0.2)
     * @param seed               seed of the validation split
     * @param maxIterations      L-BFGS iteration limit per fit (the paper: 1000)
     * @param tolerance          L-BFGS gradient tolerance (sklearn default 1e-4)
     * @param normalize          L2-normalise every feature row first (default false: raw, as the paper)
     * @param stopping           whose stopping rules every fit follows (default
     *                           {@link LogisticRegression.Stopping#SKLEARN_BEFORE_1_4}, the paper's)
     */
    public record Options(double validationFraction, long seed, int maxIterations, double tolerance,
                          boolean normalize, LogisticRegression.Stopping stopping) {
        /**
         * Checks and creates the settings.
         *
         * @param validationFraction share of each class held out for the C sweep, in (0, 1) (default 0.2)
         * @param seed               seed of the validation split
         * @param maxIterations      L-BFGS iteration limit per fit (the paper: 1000)
         * @param tolerance          L-BFGS gradient tolerance (sklearn default 1e-4)
         * @param normalize          L2-normalise every feature row first (default false: raw, as the paper)
         * @param stopping           whose stopping rules every fit follows
         * @throws EvaluationException for a fraction outside (0, 1), maxIterations &lt; 1, a negative or non-finite
         *                             tolerance or a null stopping
         */
        public Options {
            if (!(validationFraction > 0 && validationFraction < 1)) {
                throw new EvaluationException("validation fraction must be in (0, 1), got " + validationFraction);
            }
            new LogisticRegression(1, maxIterations, tolerance, stopping);
        }

        /**
         * Checks and creates the settings with the paper era's stopping rules
         * ({@link LogisticRegression.Stopping#SKLEARN_BEFORE_1_4}).
         *
         * @param validationFraction share of each class held out for the C sweep, in (0, 1) (default 0.2)
         * @param seed               seed of the validation split
         * @param maxIterations      L-BFGS iteration limit per fit (the paper: 1000)
         * @param tolerance          L-BFGS gradient tolerance (sklearn default 1e-4)
         * @param normalize          L2-normalise every feature row first (default false: raw, as the paper)
         * @throws EvaluationException for a fraction outside (0, 1), maxIterations &lt; 1 or a negative or non-finite
         *                             tolerance
         */
        public Options(double validationFraction, long seed, int maxIterations, double tolerance, boolean normalize) {
            this(validationFraction, seed, maxIterations, tolerance, normalize,
                    LogisticRegression.Stopping.SKLEARN_BEFORE_1_4);
        }

        /**
         * {@return the default options: validation 20%, seed 0, 1000 iterations, tolerance 1e-4, raw features, the
         * paper era's stopping rules}
         */
        public static Options defaults() {
            return new Options(0.2, 0, LogisticRegression.PAPER_MAX_ITERATIONS, LogisticRegression.SKLEARN_TOLERANCE,
                    false);
        }

        /** The settings of one fit with C. */
        LogisticRegression regression(double c) {
            return new LogisticRegression(c, maxIterations, tolerance, stopping);
        }
    }

    private LinearProbe() {
    }

    /**
     * Sweeps C on a validation split held out from {@code train}, refits on all of {@code train}, scores
     * {@code test}.
     *
     * @param train   training features (at least 2 rows in some class, so a validation split exists)
     * @param test    test features with the same class names and dimension
     * @param options protocol options
     * @return the chosen C, the sweep and the test accuracy
     * @throws NullPointerException if an argument is null
     * @throws EvaluationException  if the sets are incompatible (dimension, class names) or empty, train is too
     *                              small to hold out a validation split, there are fewer than 2 classes, or a
     *                              feature value is not finite
     */
    public static LinearProbeResult evaluate(LabeledFeatures train, LabeledFeatures test, Options options) {
        check(train, test);
        LabeledFeatures tr = options.normalize() ? train.normalized() : train;
        int[][] split = Splits.stratified(tr.labelArray(), tr.classCount(), options.validationFraction(),
                options.seed());
        return sweepAndRefit(tr.subset(split[0]), tr.subset(split[1]), tr, prepare(test, options), options);
    }

    /**
     * The paper's protocol for datasets with their own validation split: sweep C fitting on {@code train}
     * and scoring {@code validation}, refit on train + validation, score {@code test}.
     *
     * @param train      training features
     * @param validation validation features (same classes and dimension)
     * @param test       test features (same classes and dimension)
     * @param options    protocol options ({@code validationFraction} and {@code seed} are unused)
     * @return the chosen C, the sweep and the test accuracy
     * @throws NullPointerException if an argument is null
     * @throws EvaluationException  if the sets are incompatible (dimension, class names) or empty, there are fewer
     *                              than 2 classes, or a feature value is not finite
     */
    public static LinearProbeResult evaluate(LabeledFeatures train, LabeledFeatures validation,
                                             LabeledFeatures test, Options options) {
        check(train, test);
        check(train, validation, "validation");
        LabeledFeatures tr = prepare(train, options);
        LabeledFeatures va = prepare(validation, options);
        return sweepAndRefit(tr, va, concat(tr, va), prepare(test, options), options);
    }

    /**
     * Fits once with a given C on all of {@code train} (no sweep), e.g. the CLIP README's {@code C=0.316}.
     *
     * @param train   training features
     * @param test    test features
     * @param c       inverse regularisation strength
     * @param options iteration limit, tolerance and normalisation
     * @return the test accuracy (validationSize 0, empty sweep)
     * @throws NullPointerException if an argument is null
     * @throws EvaluationException  if the sets are incompatible or empty, C or 1/C is not positive and finite, there
     *                              are fewer than 2 classes, or a feature value is not finite
     */
    public static LinearProbeResult evaluateFixedC(LabeledFeatures train, LabeledFeatures test, double c,
                                                   Options options) {
        check(train, test);
        LabeledFeatures tr = prepare(train, options);
        LogisticRegressionModel m = options.regression(c).fit(tr);
        return new LinearProbeResult(tr.size(), 0, test.size(), c, List.of(), options.normalize(), m.iterations(),
                m.converged(), m.evaluate(prepare(test, options)));
    }

    private static LinearProbeResult sweepAndRefit(LabeledFeatures fitSet, LabeledFeatures valSet,
                                                   LabeledFeatures full, LabeledFeatures test, Options o) {
        java.util.Map<Double, Boolean> converged = new java.util.HashMap<>();
        ParametricSearch.Result r = ParametricSearch.maximize(e -> {
            LogisticRegressionModel fit = o.regression(Math.pow(10, e)).fit(fitSet);
            converged.put(e, fit.converged());
            return fit.evaluate(valSet).top1();
        });
        List<LinearProbeResult.SweepPoint> sweep = new ArrayList<>();
        for (ParametricSearch.Point p : r.evaluated()) {
            sweep.add(new LinearProbeResult.SweepPoint(Math.pow(10, p.log10C()), p.score(),
                    converged.get(p.log10C())));
        }
        double c = Math.pow(10, r.best().log10C());
        LogisticRegressionModel m = o.regression(c).fit(full);
        return new LinearProbeResult(full.size(), valSet.size(), test.size(), c, sweep, o.normalize(), m.iterations(),
                m.converged(), m.evaluate(test));
    }

    private static LabeledFeatures prepare(LabeledFeatures f, Options o) {
        return o.normalize() ? f.normalized() : f;
    }

    static void check(LabeledFeatures a, LabeledFeatures b) {
        check(a, b, "test");
    }

    /** {@code b} is named {@code bName} ("test" or "validation") in the null message. */
    private static void check(LabeledFeatures a, LabeledFeatures b, String bName) {
        Objects.requireNonNull(a, "train");
        Objects.requireNonNull(b, bName);
        if (a.dim() != b.dim()) {
            throw new EvaluationException("feature dimensions differ: " + a.dim() + " vs " + b.dim());
        }
        if (!a.classNames().equals(b.classNames())) {
            throw new EvaluationException("class names differ: " + a.classNames() + " vs " + b.classNames());
        }
        if (a.size() == 0 || b.size() == 0) {
            throw new EvaluationException("empty feature set (" + a.size() + " and " + b.size() + " rows)");
        }
    }

    /** The rows of {@code a} then those of {@code b} (same classes and dimension). */
    static LabeledFeatures concat(LabeledFeatures a, LabeledFeatures b) {
        // Each fits one array; together they may not (then an IllegalArgumentException, not a negative size).
        float[] d = new float[io.clip4j.math.ArraySizes.product("train+validation features",
                a.size() + b.size(), a.dim())];
        System.arraycopy(a.data(), 0, d, 0, a.data().length);
        System.arraycopy(b.data(), 0, d, a.data().length, b.data().length);
        int[] l = new int[a.size() + b.size()];
        System.arraycopy(a.labelArray(), 0, l, 0, a.size());
        System.arraycopy(b.labelArray(), 0, l, a.size(), b.size());
        return new LabeledFeatures(new io.clip4j.Features(d, l.length, a.dim()), l, a.classNames());
    }
}
