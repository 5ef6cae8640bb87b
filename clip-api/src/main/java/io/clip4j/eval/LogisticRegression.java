package io.clip4j.eval;

import java.util.Objects;

/**
 * L2-regularised multinomial logistic regression, the classifier of the CLIP paper's linear probes
 * (Appendix A.3: scikit-learn's {@code LogisticRegression} with the L-BFGS solver, at most 1,000
 * iterations). Minimises the objective of sklearn's {@code LogisticRegression(C=c, solver="lbfgs",
 * max_iter=maxIterations, tol=tolerance)}: mean cross-entropy of {@code softmax(W x + b)} plus
 * {@code ||W||^2 / (2 C n)}, intercept not penalised, with a pure-Java L-BFGS in double precision
 * (10 correction pairs, strong Wolfe line search) that stops on sklearn's rules
 * ({@code max|gradient| <= tol}, a relative decrease below 64 machine epsilons, or the iteration limit).
 * With exactly two classes in the training labels it minimises sklearn's binary objective (one weight vector,
 * {@code W[1] - W[0]} here; see {@code LogisticObjective}), so C means what it means to sklearn.
 * Features are used as given (no centring or scaling, like sklearn's estimator itself). This is the
 * objective scaling and the stopping rules of scikit-learn 1.4 and later. Earlier versions (1.2.1 and the
 * paper's era) minimise {@code sum CE + ||W||^2 / (2 C)} (n times this objective: the same minimiser) and stop
 * on its gradient, a criterion that a tolerance of {@code tol / n} here reproduces, but also on scipy's default
 * relative decrease of 2.2e-9 (not 64 machine epsilons), so their fits may stop earlier. The optimum itself
 * is checked against scikit-learn's in {@code SklearnReferenceTest} (testdata/linear-probe).
 *
 * @param c             inverse regularisation strength C = 1/lambda, &gt; 0 and finite
 * @param maxIterations L-BFGS iteration limit, &ge; 1 (the paper: 1000)
 * @param tolerance     gradient tolerance, &ge; 0 and finite (sklearn default 1e-4)
 */
public record LogisticRegression(double c, int maxIterations, double tolerance) {
    /** The paper's iteration limit. */
    public static final int PAPER_MAX_ITERATIONS = 1000;
    /** scikit-learn's default {@code tol}. */
    public static final double SKLEARN_TOLERANCE = 1e-4;

    /**
     * Creates the settings of a multinomial logistic regression (L2-regularised, fitted with L-BFGS).
     *
     * @param c             inverse regularisation strength C = 1/lambda, &gt; 0 and finite, as is 1/C
     * @param maxIterations L-BFGS iteration limit, &ge; 1 (the paper: 1000)
     * @param tolerance     gradient tolerance, &ge; 0 and finite (sklearn default 1e-4)
     * @throws EvaluationException for a non-positive or non-finite C or 1/C, maxIterations &lt; 1 or a negative or
     *                             non-finite tolerance
     */
    public LogisticRegression {
        // A subnormal C has lambda = 1/C = infinity: the penalty at W = 0 would be infinity * 0 = NaN.
        if (!(c > 0) || !Double.isFinite(c) || !Double.isFinite(1 / c)) {
            throw new EvaluationException("regularisation C must be positive and finite, with a finite 1/C, got " + c);
        }
        if (maxIterations < 1) {
            throw new EvaluationException("maxIterations must be >= 1, got " + maxIterations);
        }
        // An infinite tolerance is met at the start: W = 0 would be reported as converged.
        if (!(tolerance >= 0) || tolerance == Double.POSITIVE_INFINITY) {
            throw new EvaluationException("tolerance must be >= 0 and finite, got " + tolerance);
        }
    }

    /**
     * Returns the settings for one C with the linear probe's iteration limit and tolerance (CLIP paper Appendix A.3).
     *
     * @param c inverse regularisation strength
     * @return C with the paper's 1000 iterations and sklearn's tolerance 1e-4
     */
    public static LogisticRegression withC(double c) {
        return new LogisticRegression(c, PAPER_MAX_ITERATIONS, SKLEARN_TOLERANCE);
    }

    /**
     * Fits W {@code [n_classes, dim]} and b {@code [n_classes]} from zero. Classes without examples get
     * pushed below the others by their bias, as in sklearn's multinomial formulation.
     *
     * @param train features with labels, at least one row
     * @return the fitted model
     * @throws EvaluationException if train is empty, has fewer than 2 classes, or holds non-finite values
     */
    public LogisticRegressionModel fit(LabeledFeatures train) {
        Objects.requireNonNull(train, "train");
        if (train.size() == 0) {
            throw new EvaluationException("logistic regression needs at least one training example");
        }
        if (train.classCount() < 2) {
            throw new EvaluationException("logistic regression needs at least 2 classes, got " + train.classCount());
        }
        for (float v : train.data()) {
            if (!Float.isFinite(v)) {
                throw new EvaluationException("training features hold a non-finite value: " + v);
            }
        }
        int k = train.classCount();
        int d = train.dim();
        LogisticObjective f = new LogisticObjective(train.data(), train.labelArray(), d, k, c);
        Lbfgs.Result r = new Lbfgs(10, maxIterations, tolerance).minimize(f, new double[f.dimension()]);
        double[] w = new double[k * d];
        double[] b = new double[k];
        System.arraycopy(r.x(), 0, w, 0, k * d);
        System.arraycopy(r.x(), k * d, b, 0, k);
        return new LogisticRegressionModel(this, train.classNames(), d, w, b, r.value(), r.gradientMax(),
                r.iterations(), r.converged());
    }
}
