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

    @Test
    void minimisesRosenbrock() {
        Lbfgs.Result r = new Lbfgs(10, 500, 1e-9).minimize(ROSENBROCK, new double[]{-1.2, 1});
        assertTrue(r.converged(), r.status().toString());
        assertEquals(1, r.x()[0], 1e-6);
        assertEquals(1, r.x()[1], 1e-6);
        assertTrue(r.value() < 1e-12, "value " + r.value());
    }

    @Test
    void quadraticInFewIterations() {
        // f = sum_i (i+1) (x_i - i)^2, condition number 20: L-BFGS converges within a few dozen steps.
        int n = 20;
        DifferentiableFunction q = new DifferentiableFunction() {
            @Override
            public int dimension() {
                return n;
            }

            @Override
            public double evaluate(double[] x, double[] g) {
                double f = 0;
                for (int i = 0; i < n; i++) {
                    double d = x[i] - i;
                    f += (i + 1) * d * d;
                    g[i] = 2 * (i + 1) * d;
                }
                return f;
            }
        };
        Lbfgs.Result r = new Lbfgs(10, 100, 1e-8).minimize(q, new double[n]);
        assertTrue(r.converged(), r.status().toString());
        assertTrue(r.iterations() < 60, "iterations " + r.iterations());
        for (int i = 0; i < n; i++) {
            assertEquals(i, r.x()[i], 1e-6);
        }
    }

    @Test
    void iterationLimitIsReported() {
        Lbfgs.Result r = new Lbfgs(10, 3, 0).minimize(ROSENBROCK, new double[]{-1.2, 1});
        assertEquals(Lbfgs.Status.MAX_ITERATIONS, r.status());
        assertEquals(3, r.iterations());
    }

    @Test
    void cubicInterpolationFindsParabolaMinimum() {
        // f(t) = (t - 2)^2: f(0) = 4, f'(0) = -4, f(3) = 1, f'(3) = 2 -> the interpolating cubic is the parabola
        assertEquals(2.0, Lbfgs.cubicMin(0, 4, -4, 3, 1, 2, 0, 3), 1e-12);
        assertEquals(1.5, Lbfgs.cubicMin(0, 4, -4, 3, 1, 2, 0, 1.5), 1e-12);
    }
}
