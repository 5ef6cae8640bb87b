package io.clip4j.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LbfgsTest {

    /** Rosenbrock: minimum 0 at (1, 1), a curved valley that defeats plain gradient descent. */
    private static final DifferentiableFunction ROSENBROCK = new DifferentiableFunction() {
        @Override
        public int dimension() {
            return 2;
        }

        @Override
        public double evaluate(double[] x, double[] g) {
            double a = 1 - x[0];
            double b = x[1] - x[0] * x[0];
            g[0] = -2 * a - 400 * x[0] * b;
            g[1] = 200 * b;
            return a * a + 100 * b * b;
        }
    };

    /** scikit-learn 1.4's settings on an objective taken as it is: value rule 64 eps, 50 evaluations a line search. */
    private static Lbfgs lbfgs(int maxIterations, double gradientTolerance) {
        return new Lbfgs(10, maxIterations, gradientTolerance, 64 * Math.ulp(1.0), 50, 1);
    }

    /** f(x) = sum_i weight_i (x_i - centre_i)^2. */
    private static DifferentiableFunction quadratic(double[] weight, double[] centre) {
        return new DifferentiableFunction() {
            @Override
            public int dimension() {
                return weight.length;
            }

            @Override
            public double evaluate(double[] x, double[] g) {
                double f = 0;
                for (int i = 0; i < weight.length; i++) {
                    double d = x[i] - centre[i];
                    f += weight[i] * d * d;
                    g[i] = 2 * weight[i] * d;
                }
                return f;
            }
        };
    }

    /** (x - centre)^2 in one dimension. */
    private static DifferentiableFunction bowl(double centre) {
        return quadratic(new double[]{1}, new double[]{centre});
    }

    @Test
    void minimisesRosenbrock() {
        Lbfgs.Result r = lbfgs(500, 1e-9).minimize(ROSENBROCK, new double[]{-1.2, 1});
        assertTrue(r.converged(), r.status().toString());
        assertEquals(1, r.x()[0], 1e-6);
        assertEquals(1, r.x()[1], 1e-6);
        assertTrue(r.value() < 1e-12, "value " + r.value());
    }

    @Test
    void quadraticInFewIterations() {
        // f = sum_i (i+1) (x_i - i)^2, condition number 20: L-BFGS converges within a few dozen steps.
        int n = 20;
        double[] weight = new double[n];
        double[] centre = new double[n];
        for (int i = 0; i < n; i++) {
            weight[i] = i + 1;
            centre[i] = i;
        }
        DifferentiableFunction q = quadratic(weight, centre);
        Lbfgs.Result r = lbfgs(100, 1e-8).minimize(q, new double[n]);
        assertTrue(r.converged(), r.status().toString());
        assertTrue(r.iterations() < 60, "iterations " + r.iterations());
        for (int i = 0; i < n; i++) {
            assertEquals(i, r.x()[i], 1e-6);
        }
    }

    @Test
    void iterationLimitIsReported() {
        Lbfgs.Result r = lbfgs(3, 0).minimize(ROSENBROCK, new double[]{-1.2, 1});
        assertEquals(Lbfgs.Status.MAX_ITERATIONS, r.status());
        assertEquals(3, r.iterations());
    }

    /**
     * The tests see scale * f: the gradient rule bounds max|scale * gradient|, and the value rule's floor of 1 applies
     * to scale * f (scipy's L-BFGS-B on scikit-learn's sum-scaled objective, n times clip4j's mean-scaled one).
     */
    @Test
    void stoppingTestsSeeTheScaledObjective() {
        DifferentiableFunction tiny = new DifferentiableFunction() {
            @Override
            public int dimension() {
                return 2;
            }

            @Override
            public double evaluate(double[] x, double[] g) {
                double v = ROSENBROCK.evaluate(x, g);
                g[0] *= 1e-6;
                g[1] *= 1e-6;
                return 1e-6 * v;
            }
        };
        double[] start = {-1.2, 1};
        // Unscaled, f <= 2.5e-5: every decrease is below 1e-4 * max(|f|, 1) = 1e-4, so the value rule ends the first
        // step.
        Lbfgs.Result loose = new Lbfgs(10, 500, 0, 1e-4, 20, 1).minimize(tiny, start);
        assertEquals(Lbfgs.Status.VALUE_TOLERANCE, loose.status());
        assertEquals(1, loose.iterations());
        // Scaled by 1e6 the rule sees Rosenbrock itself: relative decreases, and the fit runs on down the valley.
        Lbfgs.Result scaled = new Lbfgs(10, 500, 0, 1e-4, 20, 1e6).minimize(tiny, start);
        assertTrue(scaled.iterations() > 10, scaled.toString());
        assertTrue(scaled.value() < loose.value() / 100, scaled.value() + " vs " + loose.value());
        // The gradient rule on 1e6 * gradient: max|gradient of f| <= 1e-9 / 1e6.
        Lbfgs.Result strict = new Lbfgs(10, 500, 1e-9, 0, 20, 1e6).minimize(tiny, start);
        assertEquals(Lbfgs.Status.GRADIENT_TOLERANCE, strict.status());
        assertTrue(strict.gradientMax() <= 1e-15, "max|g| " + strict.gradientMax());
        assertTrue(lbfgs(500, 1e-9).minimize(tiny, start).gradientMax() > 1e-15, "unscaled, 1e-9 is met earlier");
    }

    /** Like scipy's wrapper, the iteration limit is checked after a step before the convergence tests. */
    @Test
    void iterationLimitComesBeforeConvergenceTests() {
        // From 0 the first trial step, min(1, 1 / |g|) along -g = 2, lands on the minimum 1 of (x - 1)^2 exactly.
        Lbfgs.Result r = lbfgs(1, 1e-4).minimize(bowl(1), new double[1]);
        assertEquals(1, r.x()[0]);
        assertEquals(0, r.gradientMax());
        assertEquals(Lbfgs.Status.MAX_ITERATIONS, r.status());
        assertEquals(Lbfgs.Status.GRADIENT_TOLERANCE, lbfgs(2, 1e-4).minimize(bowl(1), new double[1]).status());
    }

    /**
     * A line search may evaluate f maxLineSearch times (scipy's maxls); using them up without meeting the Wolfe
     * conditions fails, and from steepest descent (no correction pairs to forget) ends the minimisation at the last
     * iterate (scipy's ABNORMAL_TERMINATION_IN_LNSRCH).
     */
    @Test
    void lineSearchEvaluationLimit() {
        // (x - 0.05)^2 from 0: the first trial, t = 1 along -g = 0.1, lands at 0.1 with no decrease; the second
        // evaluation (the cubic's minimiser, 0.05) is the minimum.
        DifferentiableFunction f = bowl(0.05);
        Lbfgs.Result one = new Lbfgs(10, 100, 1e-12, 0, 1, 1).minimize(f, new double[1]);
        assertEquals(Lbfgs.Status.LINE_SEARCH_FAILED, one.status());
        assertEquals(0, one.iterations());
        assertEquals(0, one.x()[0]);
        assertEquals(2, one.evaluations());
        Lbfgs.Result two = new Lbfgs(10, 100, 1e-12, 0, 2, 1).minimize(f, new double[1]);
        assertTrue(two.converged(), two.status().toString());
        assertEquals(0.05, two.x()[0], 1e-12);
    }

    /**
     * A failed line search with correction pairs in memory does not end the minimisation: L-BFGS-B forgets them and
     * retries from steepest descent. On Rosenbrock with 2 evaluations a line search, the search along the L-BFGS
     * direction fails at iteration 12 (f = 1.82); stopping there instead, the minimiser never reaches the valley's end.
     */
    @Test
    void failedLineSearchWithMemoryRestartsFromSteepestDescent() {
        Lbfgs.Result r = new Lbfgs(10, 1000, 1e-9, 64 * Math.ulp(1.0), 2, 1).minimize(ROSENBROCK, new double[]{-1.2, 1});
        assertTrue(r.converged(), r.toString());
        assertTrue(r.value() < 1e-12, r.toString());
    }

    @Test
    void cubicInterpolationFindsParabolaMinimum() {
        // f(t) = (t - 2)^2: f(0) = 4, f'(0) = -4, f(3) = 1, f'(3) = 2 -> the interpolating cubic is the parabola
        assertEquals(2.0, Lbfgs.cubicMin(0, 4, -4, 3, 1, 2, 0, 3), 1e-12);
        assertEquals(1.5, Lbfgs.cubicMin(0, 4, -4, 3, 1, 2, 0, 1.5), 1e-12);
    }
}
