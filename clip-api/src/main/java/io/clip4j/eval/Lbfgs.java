package io.clip4j.eval;

/**
 * Limited-memory BFGS minimiser (Nocedal &amp; Wright, Numerical Optimization, 2nd ed., algorithms 7.4/7.5)
 * with a line search satisfying the strong Wolfe conditions (algorithms 3.5/3.6, cubic interpolation).
 * Plays the role of scipy's L-BFGS-B (Fortran v3.0, {@code setulb}/{@code mainlb}) that scikit-learn's
 * {@code LogisticRegression(solver="lbfgs")} calls, and stops as it does, in its order: at the start if
 * {@code max|scale * gradient| <= gradientTolerance} (scipy {@code gtol}, sklearn {@code tol}); after each iteration
 * on the iteration limit first (scipy's wrapper checks {@code maxiter} before the Fortran tests), then on the gradient
 * again, then when the relative decrease {@code (F_k - F_k+1) <= valueTolerance * max(|F_k|, |F_k+1|, 1)} with
 * {@code F = scale * f} (scipy {@code ftol}). {@code scale} says how the objective scipy sees relates to f: the tests
 * are not scale-invariant (the tolerance is absolute, the floor 1 of the value rule too). A line search may evaluate
 * f at most {@code maxLineSearch} times (scipy {@code maxls}); when it fails (that limit, or no decrease at the limits
 * of precision) the minimiser stays at the last iterate and, like L-BFGS-B, forgets its correction pairs and retries
 * from steepest descent, or stops if the memory was already empty. Unconstrained, so no projection is needed.
 * The search direction and line search are clip4j's own (two-loop recursion, strong Wolfe with c1 = 1e-4; scipy
 * uses the compact representation, equivalent without bounds, and the Moré-Thuente search with sufficient-decrease
 * constant 1e-3): the path differs, the stopping rules do not. Pure double-precision Java; deterministic.
 */
final class Lbfgs {
    /** Why the minimiser stopped. */
    enum Status {
        /** max|scale * gradient| fell below the tolerance. */
        GRADIENT_TOLERANCE,
        /** the relative decrease of scale * f fell below the value tolerance. */
        VALUE_TOLERANCE,
        /** the iteration limit was reached first. */
        MAX_ITERATIONS,
        /** a line search from steepest descent failed (scipy's ABNORMAL_TERMINATION_IN_LNSRCH). */
        LINE_SEARCH_FAILED
    }

    /**
     * @param x            the last point
     * @param value        the objective there (f, not scale * f)
     * @param gradientMax  max |gradient of f| there
     * @param iterations   L-BFGS iterations done
     * @param evaluations  objective evaluations done
     * @param status       why it stopped
     */
    record Result(double[] x, double value, double gradientMax, int iterations, int evaluations, Status status) {
        /** @return true unless the iteration limit was hit or the line search failed */
        boolean converged() {
            return status == Status.GRADIENT_TOLERANCE || status == Status.VALUE_TOLERANCE;
        }
    }

    private static final double C1 = 1e-4;
    private static final double C2 = 0.9;

    private final int history;
    private final int maxIterations;
    private final double gradientTolerance;
    private final double valueTolerance;
    private final int maxLineSearch;
    private final double scale;

    /**
     * @param history           number of correction pairs kept (scipy default 10)
     * @param maxIterations     iteration limit, &ge; 1
     * @param gradientTolerance stop when max|scale * gradient| &le; this, &ge; 0
     * @param valueTolerance    stop when the relative decrease of scale * f is &le; this, &ge; 0
     * @param maxLineSearch     objective evaluations one line search may make, &ge; 1
     * @param scale             factor from f to the objective the tests see, &gt; 0 and finite
     */
    Lbfgs(int history, int maxIterations, double gradientTolerance, double valueTolerance, int maxLineSearch,
          double scale) {
        if (history < 1 || maxIterations < 1 || !(gradientTolerance >= 0) || !(valueTolerance >= 0)
                || maxLineSearch < 1 || !(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("bad L-BFGS settings: history " + history + ", maxIterations "
                    + maxIterations + ", tolerances " + gradientTolerance + " and " + valueTolerance
                    + ", line search " + maxLineSearch + ", scale " + scale);
        }
        this.history = history;
        this.maxIterations = maxIterations;
        this.gradientTolerance = gradientTolerance;
        this.valueTolerance = valueTolerance;
        this.maxLineSearch = maxLineSearch;
        this.scale = scale;
    }

    /**
     * Minimises f from x0.
     *
     * @param f  the objective
     * @param x0 the start, length {@code f.dimension()}; not modified
     * @return the last point and why the search stopped
     * @throws EvaluationException if the objective returns a non-finite value at the start
     */
    Result minimize(DifferentiableFunction f, double[] x0) {
        int n = f.dimension();
        double[] x = x0.clone();
        double[] g = new double[n];
        double fx = f.evaluate(x, g);
        int evals = 1;
        if (!Double.isFinite(fx)) {
            throw new EvaluationException("objective is not finite at the starting point: " + fx);
        }
        double[][] s = new double[history][];
        double[][] y = new double[history][];
        double[] rho = new double[history];
        double[] alpha = new double[history];
        int stored = 0;
        int newest = -1;
        double[] d = new double[n];
        LineSearch ls = new LineSearch(f, n, maxLineSearch);
        int iter = 0;
        double gmax = maxAbs(g);
        if (scale * gmax <= gradientTolerance) {
            return new Result(x, fx, gmax, iter, evals, Status.GRADIENT_TOLERANCE);
        }
        while (true) {
            // Two-loop recursion: d = -H g with H0 = gamma I, gamma = s'y / y'y of the newest pair.
            for (int i = 0; i < n; i++) {
                d[i] = -g[i];
            }
            for (int j = 0; j < stored; j++) {
                int k = Math.floorMod(newest - j, history);
                alpha[k] = rho[k] * dot(s[k], d);
                axpy(-alpha[k], y[k], d);
            }
            if (stored > 0) {
                double gamma = dot(s[newest], y[newest]) / dot(y[newest], y[newest]);
                for (int i = 0; i < n; i++) {
                    d[i] *= gamma;
                }
            }
            for (int j = stored - 1; j >= 0; j--) {
                int k = Math.floorMod(newest - j, history);
                double beta = rho[k] * dot(y[k], d);
                axpy(alpha[k] - beta, s[k], d);
            }
            double gtd = dot(g, d);
            if (!(gtd < 0)) {
                // Not a descent direction (curvature information went stale): restart from steepest descent.
                stored = 0;
                for (int i = 0; i < n; i++) {
                    d[i] = -g[i];
                }
                gtd = dot(g, d);
            }
            // First step scaled like scipy/PyTorch so the initial trial is not absurdly long.
            double t0 = stored == 0 ? Math.min(1.0, 1.0 / sumAbs(g)) : 1.0;
            boolean ok = ls.search(x, fx, g, d, gtd, t0);
            evals += ls.evaluations;
            if (!ok) {
                if (stored == 0) {
                    return new Result(x, fx, gmax, iter, evals, Status.LINE_SEARCH_FAILED);
                }
                // L-BFGS-B: stay at the last iterate, forget the correction pairs, retry from steepest descent.
                stored = 0;
                continue;
            }
            iter++;
            double[] sNew = new double[n];
            double[] yNew = new double[n];
            for (int i = 0; i < n; i++) {
                sNew[i] = ls.x[i] - x[i];
                yNew[i] = ls.g[i] - g[i];
            }
            double sy = dot(sNew, yNew);
            double fPrev = fx;
            System.arraycopy(ls.x, 0, x, 0, n);
            System.arraycopy(ls.g, 0, g, 0, n);
            fx = ls.f;
            gmax = maxAbs(g);
            if (iter >= maxIterations) {
                return new Result(x, fx, gmax, iter, evals, Status.MAX_ITERATIONS);
            }
            if (scale * gmax <= gradientTolerance) {
                return new Result(x, fx, gmax, iter, evals, Status.GRADIENT_TOLERANCE);
            }
            double sPrev = scale * fPrev;
            double sNow = scale * fx;
            if (sPrev - sNow <= valueTolerance * Math.max(Math.max(Math.abs(sPrev), Math.abs(sNow)), 1.0)) {
                return new Result(x, fx, gmax, iter, evals, Status.VALUE_TOLERANCE);
            }
            // Skip pairs without positive curvature: they would make H indefinite.
            if (sy > 1e-10 * dot(yNew, yNew)) {
                newest = (newest + 1) % history;
                s[newest] = sNew;
                y[newest] = yNew;
                rho[newest] = 1.0 / sy;
                stored = Math.min(stored + 1, history);
            }
        }
    }

    /**
     * Strong Wolfe line search of at most {@code maxEvaluations} evaluations; on success holds the accepted point in
     * x, f, g. Using them all without meeting the conditions is a failure, even after a decrease (as in L-BFGS-B,
     * which then restores the last iterate).
     */
    private static final class LineSearch {
        private final DifferentiableFunction fn;
        private final int maxEvaluations;
        final double[] x;
        final double[] g;
        double f0;
        double f;
        int evaluations;
        private final double[] tryX;
        private final double[] tryG;
        private double[] x0;
        private double[] d;

        LineSearch(DifferentiableFunction f, int n, int maxEvaluations) {
            this.fn = f;
            this.maxEvaluations = maxEvaluations;
            this.x = new double[n];
            this.g = new double[n];
            this.tryX = new double[n];
            this.tryG = new double[n];
        }

        /** Evaluates at x0 + t d into tryX/tryG; returns the value and its directional derivative. */
        private double[] eval(double t) {
            for (int i = 0; i < tryX.length; i++) {
                tryX[i] = x0[i] + t * d[i];
            }
            double v = fn.evaluate(tryX, tryG);
            evaluations++;
            return new double[]{v, dot(tryG, d)};
        }

        private void accept(double v) {
            System.arraycopy(tryX, 0, x, 0, x.length);
            System.arraycopy(tryG, 0, g, 0, g.length);
            f = v;
        }

        boolean search(double[] start, double fStart, double[] gStart, double[] dir, double gtd0, double t) {
            this.x0 = start;
            this.d = dir;
            this.f0 = fStart;
            this.evaluations = 0;
            double tPrev = 0;
            double fPrev = fStart;
            double gtdPrev = gtd0;
            boolean haveDecrease = false;
            for (int i = 0; evaluations < maxEvaluations; i++) {
                double[] e = eval(t);
                double ft = e[0];
                double gtd = e[1];
                if (!Double.isFinite(ft) || ft > fStart + C1 * t * gtd0 || (i > 0 && ft >= fPrev)) {
                    if (!Double.isFinite(ft)) {
                        // Overshot into overflow: treat as a too-long step, bracket with a finite stand-in.
                        ft = Double.MAX_VALUE;
                        gtd = Double.MAX_VALUE;
                    }
                    return zoom(tPrev, t, fPrev, ft, gtdPrev, gtd, gtd0, haveDecrease);
                }
                accept(ft);
                haveDecrease = true;
                if (Math.abs(gtd) <= -C2 * gtd0) {
                    return true;
                }
                if (gtd >= 0) {
                    return zoom(t, tPrev, ft, fPrev, gtd, gtdPrev, gtd0, true);
                }
                double next = cubicMin(tPrev, fPrev, gtdPrev, t, ft, gtd, t + 0.01 * (t - tPrev), 10 * t);
                tPrev = t;
                fPrev = ft;
                gtdPrev = gtd;
                t = next;
            }
            return false;
        }

        /**
         * Shrinks [lo, hi] (lo has the lower value satisfying sufficient decrease) until a point meets the
         * strong Wolfe conditions. When precision runs out first, settles for lo if it decreased the value (like
         * a rounding warning of scipy's line search, which L-BFGS-B accepts); when the evaluations run out, fails.
         */
        private boolean zoom(double lo, double hi, double fLo, double fHi, double gLo, double gHi, double gtd0,
                             boolean loAccepted) {
            boolean accepted = loAccepted && lo > 0;
            while (true) {
                double width = Math.abs(hi - lo);
                // The bracket no longer moves x by more than rounding noise: give up refining.
                if (width * maxAbs(d) <= 1e-14 * Math.max(1.0, maxAbs(x0))) {
                    break;
                }
                if (evaluations >= maxEvaluations) {
                    return false;
                }
                double a = Math.min(lo, hi);
                double b = Math.max(lo, hi);
                double t = cubicMin(lo, fLo, gLo, hi, fHi, gHi, a + 0.1 * width, b - 0.1 * width);
                double[] e = eval(t);
                double ft = e[0];
                double gtd = e[1];
                if (!Double.isFinite(ft) || ft > f0 + C1 * t * gtd0 || ft >= fLo) {
                    hi = t;
                    fHi = Double.isFinite(ft) ? ft : Double.MAX_VALUE;
                    gHi = Double.isFinite(gtd) ? gtd : Double.MAX_VALUE;
                } else {
                    accept(ft);
                    accepted = true;
                    if (Math.abs(gtd) <= -C2 * gtd0) {
                        return true;
                    }
                    if (gtd * (hi - lo) >= 0) {
                        hi = lo;
                        fHi = fLo;
                        gHi = gLo;
                    }
                    lo = t;
                    fLo = ft;
                    gLo = gtd;
                }
            }
            // The accepted point (if any) is the best one seen with sufficient decrease.
            return accepted && f < f0;
        }
    }

    /**
     * Minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2) (Nocedal &amp; Wright eq. 3.59), clamped
     * to [lo, hi]; the midpoint when the cubic has no minimiser.
     */
    static double cubicMin(double x1, double f1, double g1, double x2, double f2, double g2, double lo, double hi) {
        double a = Math.min(lo, hi);
        double b = Math.max(lo, hi);
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double disc = d1 * d1 - g1 * g2;
        if (disc >= 0 && Double.isFinite(disc)) {
            double d2 = Math.sqrt(disc);
            double m = x1 <= x2
                    ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                    : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            if (Double.isFinite(m)) {
                return Math.min(Math.max(m, a), b);
            }
        }
        return (a + b) / 2;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static double sumAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m += Math.abs(v);
        }
        return m;
    }
}
