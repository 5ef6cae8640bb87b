package io.clip4j.eval;

import java.util.Objects;

/**
 * L2-regularised multinomial logistic regression, the classifier of the CLIP paper's linear probes
 * (Appendix A.3: scikit-learn's {@code LogisticRegression(random_state=0, C=C, max_iter=1000)}, the L-BFGS solver,
 * default {@code tol} 1e-4). Minimises the objective of sklearn's {@code LogisticRegression(C=c, solver="lbfgs",
 * max_iter=maxIterations, tol=tolerance)}: mean cross-entropy of {@code softmax(W x + b)} plus
 * {@code ||W||^2 / (2 C n)}, intercept not penalised, with a pure-Java L-BFGS in double precision
 * (10 correction pairs, strong Wolfe line search), and stops where that call's L-BFGS-B would: see {@link Stopping}.
 * With exactly two classes in the training labels it minimises sklearn's binary objective (one weight vector,
 * {@code W[1] - W[0]} here; see {@code LogisticObjective}), so C means what it means to sklearn.
 * Features are used as given (no centring or scaling, like sklearn's estimator itself). The optimum itself
 * is checked against scikit-learn's in {@code SklearnReferenceTest} (testdata/linear-probe), and the default
 * stopping rules against the paper call's fits and C sweeps under scikit-learn 1.2.1.
 *
 * @param c             inverse regularisation strength C = 1/lambda, &gt; 0 and finite
 * @param maxIterations L-BFGS iteration limit, &ge; 1 (the paper: 1000)
 * @param tolerance     gradient tolerance, &ge; 0 and finite (sklearn's {@code tol}, default 1e-4; what it bounds
 *                      depends on {@code stopping})
 * @param stopping      whose stopping rules the fit follows (default {@link Stopping#SKLEARN_BEFORE_1_4}, the
 *                      paper's)
 */
public record LogisticRegression(double c, int maxIterations, double tolerance, Stopping stopping) {
    /** The paper's iteration limit. */
    public static final int PAPER_MAX_ITERATIONS = 1000;
    /** scikit-learn's default {@code tol}. */
    public static final double SKLEARN_TOLERANCE = 1e-4;

    /**
     * When an L-BFGS fit stops: the rules of scikit-learn's lbfgs solver, which changed in scikit-learn 1.4. Both
     * versions minimise the same function up to a factor n (n training rows), so they have the same minimiser, but
     * they hand scipy's L-BFGS-B a differently scaled objective and different options, and its stopping tests are
     * not scale-invariant. The paper's linear probes (2021, scikit-learn 0.24) stopped by the earlier rules; at the
     * default {@code tol} 1e-4 they are n times stricter on the gradient, and fits at large C (the ones that need many
     * iterations) end much closer to the optimum, which changes the C a sweep picks (testdata/linear-probe: 10^0.25
     * with the earlier rules and at the optimum, 10^6 with the later ones, on its "multiclass" problem).
     */
    public enum Stopping {
        /**
         * scikit-learn before 1.4 (the CLIP paper's era, 0.24 in 2021; checked against 1.2.1), the default: sklearn
         * minimises {@code F = n f = sum CE + ||W||^2 / (2 C)} with scipy's {@code minimize(method="L-BFGS-B",
         * options={"gtol": tol, "maxiter": max_iter})}, scipy's defaults otherwise. A fit stops when
         * {@code max|grad F| <= tol} (i.e. {@code max|grad f| <= tol / n}), when
         * {@code F_k - F_k+1 <= 2.2e-9 max(|F_k|, |F_k+1|, 1)} (scipy's default {@code ftol}, factr 1e7 times machine
         * epsilon, on F: the floor 1 applies to F, not to f), or after {@code maxIterations} iterations; a line
         * search may evaluate f 20 times (scipy's default {@code maxls}).
         */
        SKLEARN_BEFORE_1_4(true, 2.2204460492503131e-9, 20),
        /**
         * scikit-learn 1.4 and later: sklearn minimises f itself (mean cross-entropy + {@code ||W||^2 / (2 C n)})
         * with {@code options={"gtol": tol, "ftol": 64 * eps, "maxls": 50, "maxiter": max_iter}}. A fit stops when
         * {@code max|grad f| <= tol}, when {@code f_k - f_k+1 <= 64 eps max(|f_k|, |f_k+1|, 1)} or after
         * {@code maxIterations} iterations; a line search may evaluate f 50 times. With a tight {@code tol} this is
         * the rule that runs a fit to the optimum (the value rule at 64 eps ends it at the limits of precision).
         */
        SKLEARN_1_4(false, 64 * Math.ulp(1.0), 50);

        private final boolean sumScaled;
        private final double relativeDecrease;
        private final int lineSearchEvaluations;

        Stopping(boolean sumScaled, double relativeDecrease, int lineSearchEvaluations) {
            this.sumScaled = sumScaled;
            this.relativeDecrease = relativeDecrease;
            this.lineSearchEvaluations = lineSearchEvaluations;
        }

        /** {@return the relative-decrease tolerance of the value rule (scipy's {@code ftol})} */
        public double relativeDecrease() {
            return relativeDecrease;
        }

        /** {@return the evaluations one line search may make (scipy's {@code maxls})} */
        public int lineSearchEvaluations() {
            return lineSearchEvaluations;
        }

        /**
         * {@return the factor from clip4j's mean-scaled objective f to the objective these rules test: n, or 1}
         *
         * @param rows training rows n
         */
        public double objectiveScale(int rows) {
            return sumScaled ? rows : 1;
        }

        /** The minimiser that stops by these rules on an objective of {@code rows} training rows. */
        Lbfgs minimizer(int maxIterations, double tolerance, int rows) {
            return new Lbfgs(10, maxIterations, tolerance, relativeDecrease, lineSearchEvaluations,
                    objectiveScale(rows));
        }
    }

    /**
     * Creates the settings of a multinomial logistic regression (L2-regularised, fitted with L-BFGS).
     *
     * @param c             inverse regularisation strength C = 1/lambda, &gt; 0 and finite, as is 1/C
     * @param maxIterations L-BFGS iteration limit, &ge; 1 (the paper: 1000)
     * @param tolerance     gradient tolerance, &ge; 0 and finite (sklearn default 1e-4)
     * @param stopping      whose stopping rules the fit follows
     * @throws EvaluationException for a non-positive or non-finite C or 1/C, maxIterations &lt; 1, a negative or
     *                             non-finite tolerance or a null stopping
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
        if (stopping == null) {
            throw new EvaluationException("stopping rules must be given");
        }
    }

    /**
     * Creates the settings with the default stopping rules, {@link Stopping#SKLEARN_BEFORE_1_4} (the paper's).
     *
     * @param c             inverse regularisation strength C = 1/lambda, &gt; 0 and finite, as is 1/C
     * @param maxIterations L-BFGS iteration limit, &ge; 1 (the paper: 1000)
     * @param tolerance     gradient tolerance, &ge; 0 and finite (sklearn default 1e-4)
     * @throws EvaluationException for a non-positive or non-finite C or 1/C, maxIterations &lt; 1 or a negative or
     *                             non-finite tolerance
     */
    public LogisticRegression(double c, int maxIterations, double tolerance) {
        this(c, maxIterations, tolerance, Stopping.SKLEARN_BEFORE_1_4);
    }

    /**
     * Returns the settings for one C with the linear probe's iteration limit and tolerance (CLIP paper Appendix A.3).
     *
     * @param c inverse regularisation strength
     * @return C with the paper's 1000 iterations, sklearn's tolerance 1e-4 and the paper era's stopping rules
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
     * @throws NullPointerException if {@code train} is null
     * @throws EvaluationException  if train is empty, has fewer than 2 classes, or holds non-finite values
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
        Lbfgs.Result r = stopping.minimizer(maxIterations, tolerance, train.size()).minimize(f,
                new double[f.dimension()]);
        double[] w = new double[k * d];
        double[] b = new double[k];
        System.arraycopy(r.x(), 0, w, 0, k * d);
        System.arraycopy(r.x(), k * d, b, 0, k);
        return new LogisticRegressionModel(this, train.classNames(), d, w, b, r.value(), r.gradientMax(),
                r.iterations(), r.converged());
    }
}
