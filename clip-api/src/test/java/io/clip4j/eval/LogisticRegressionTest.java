package io.clip4j.eval;

import io.clip4j.Features;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogisticRegressionTest {

    /**
     * A fit run to the optimum: scikit-learn 1.4's rules, max|gradient of the mean objective| &lt;= tol, the value rule
     * at 64 machine epsilons (the default, paper-era rules also stop on a relative decrease of 2.2e-9, earlier).
     */
    private static LogisticRegression toOptimum(double c, double tol) {
        return new LogisticRegression(c, 1000, tol, LogisticRegression.Stopping.SKLEARN_1_4);
    }

    @Test
    void separableBlobsAreLearnedPerfectly() {
        LabeledFeatures train = Synthetic.blobs(3, 30, 4, 5, 0.5, 1);
        LabeledFeatures test = Synthetic.blobs(3, 50, 4, 5, 0.5, 2);
        LogisticRegressionModel m = LogisticRegression.withC(10).fit(train);
        assertTrue(m.converged());
        assertEquals(1.0, m.evaluate(train).top1());
        assertEquals(1.0, m.evaluate(test).top1());
        assertEquals(test.size(), m.predict(test.features()).length);
    }

    /**
     * Two points x = +1 (class 1) and x = -1 (class 0): sklearn's binary model, decision value u x + b with
     * objective mean CE + u^2 / (2 C n), n = 2. By symmetry b = 0 and u minimises f(u) = log(1 + e^-u) + u^2 / (4 C),
     * i.e. u = 2 C / (1 + e^u); clip4j's two rows are w1 = -w0 = u/2. (The multinomial penalty on both rows,
     * ||W||^2 / (2 C n) = u^2 / (8 C), would give u = 4 C / (1 + e^u): sklearn's binary optimum at 2 C.)
     */
    @Test
    void twoPointProblemMatchesClosedForm() {
        double c = 1;
        LabeledFeatures data = new LabeledFeatures(new Features(new float[]{1, -1}, 2, 1), new int[]{1, 0},
                List.of("neg", "pos"));
        LogisticRegressionModel m = toOptimum(c, 1e-12).fit(data);
        double lo = 0;
        double hi = 2 * c;
        for (int i = 0; i < 200; i++) {
            double mid = (lo + hi) / 2;
            if (mid - 2 * c / (1 + Math.exp(mid)) < 0) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        double u = (lo + hi) / 2;
        double[] w = m.weights();
        assertEquals(-u / 2, w[0], 1e-9);
        assertEquals(u / 2, w[1], 1e-9);
        assertEquals(0, m.bias()[0], 1e-9);
        assertEquals(0, m.bias()[1], 1e-9);
        assertEquals(Math.log(1 + Math.exp(-u)) + u * u / (4 * c), m.loss(), 1e-12);
    }

    /**
     * sklearn only knows the classes in y: with two of three named classes present it fits its binary model. So
     * does clip4j (the penalty follows the classes present), and the third class is pushed below the others.
     */
    @Test
    void twoClassesPresentOfThreeFitTheBinaryModel() {
        LabeledFeatures two = Synthetic.blobs(2, 20, 3, 1, 1, 8);
        LabeledFeatures three = new LabeledFeatures(two.features(), two.labelArray(), List.of("a", "b", "absent"));
        double c = 0.5;
        LogisticRegressionModel m2 = toOptimum(c, 1e-10).fit(two);
        LogisticRegressionModel m3 = toOptimum(c, 1e-10).fit(three);
        double[] w2 = m2.weights();
        double[] w3 = m3.weights();
        for (int j = 0; j < 3; j++) {
            assertEquals(w2[3 + j] - w2[j], w3[3 + j] - w3[j], 1e-6, "w = W[1] - W[0], component " + j);
        }
        assertEquals(m2.bias()[1] - m2.bias()[0], m3.bias()[1] - m3.bias()[0], 1e-6);
        assertEquals(m2.loss(), m3.loss(), 1e-9);
        assertTrue(m3.bias()[2] < Math.min(m3.bias()[0], m3.bias()[1]) - 10, "the absent class: " + m3.bias()[2]);
    }

    /** An independent evaluation of sklearn's objective gradient: it vanishes at the returned optimum. */
    @Test
    void gradientVanishesAtOptimumOfNoisyProblem() {
        LabeledFeatures data = Synthetic.blobs(4, 40, 6, 1, 1.5, 3);
        double c = 0.5;
        LogisticRegressionModel m = toOptimum(c, 1e-6).fit(data);
        assertTrue(m.converged());
        assertTrue(m.evaluate(data).top1() < 1.0, "overlapping classes, not separable");
        int k = 4;
        int d = 6;
        int n = data.size();
        double[] w = m.weights();
        double[] b = m.bias();
        float[] x = data.features().toArray();
        double[] gw = new double[k * d];
        double[] gb = new double[k];
        double loss = 0;
        for (int i = 0; i < n; i++) {
            double[] p = new double[k];
            double z = 0;
            for (int a = 0; a < k; a++) {
                double s = b[a];
                for (int j = 0; j < d; j++) {
                    s += w[a * d + j] * x[i * d + j];
                }
                p[a] = Math.exp(s);
                z += p[a];
            }
            loss -= Math.log(p[data.label(i)] / z);
            for (int a = 0; a < k; a++) {
                double delta = p[a] / z - (a == data.label(i) ? 1 : 0);
                gb[a] += delta / n;
                for (int j = 0; j < d; j++) {
                    gw[a * d + j] += delta * x[i * d + j] / n;
                }
            }
        }
        double penalty = 0;
        double max = 0;
        for (int i = 0; i < k * d; i++) {
            penalty += w[i] * w[i];
            max = Math.max(max, Math.abs(gw[i] + w[i] / (c * n)));
        }
        for (double g : gb) {
            max = Math.max(max, Math.abs(g));
        }
        assertTrue(max < 1e-6, "max |gradient| " + max);
        assertEquals(loss / n + penalty / (2 * c * n), m.loss(), 1e-10);
    }

    @Test
    void objectiveGradientMatchesFiniteDifferences() {
        LabeledFeatures data = Synthetic.blobs(3, 10, 5, 1, 1, 4);
        LogisticObjective f = new LogisticObjective(data.data(), data.labelArray(), 5, 3, 0.7);
        Random rnd = new Random(5);
        double[] w = new double[f.dimension()];
        for (int i = 0; i < w.length; i++) {
            w[i] = rnd.nextGaussian();
        }
        double[] g = new double[w.length];
        f.evaluate(w, g);
        double h = 1e-6;
        for (int i = 0; i < w.length; i++) {
            double[] wp = w.clone();
            double[] wm = w.clone();
            wp[i] += h;
            wm[i] -= h;
            double fd = (f.evaluate(wp, new double[w.length]) - f.evaluate(wm, new double[w.length])) / (2 * h);
            assertEquals(fd, g[i], 1e-7, "component " + i);
        }
    }

    /** scikit-learn's settings, by version (see LogisticRegression.Stopping); the paper era's are the default. */
    @Test
    void stoppingRulesAreScikitLearns() {
        LogisticRegression.Stopping paper = LogisticRegression.Stopping.SKLEARN_BEFORE_1_4;
        LogisticRegression.Stopping later = LogisticRegression.Stopping.SKLEARN_1_4;
        assertEquals(paper, LogisticRegression.withC(1).stopping());
        assertEquals(paper, new LogisticRegression(1, 10, 1e-4).stopping());
        assertEquals(paper, LinearProbe.Options.defaults().stopping());
        assertEquals(paper, new LinearProbe.Options(0.2, 0, 10, 1e-4, false).stopping());
        assertEquals(1e7 * Math.ulp(1.0), paper.relativeDecrease(), 1e-24); // scipy: ftol = factr 1e7 * eps
        assertEquals(20, paper.lineSearchEvaluations());
        assertEquals(300, paper.objectiveScale(300));
        assertEquals(64 * Math.ulp(1.0), later.relativeDecrease());
        assertEquals(50, later.lineSearchEvaluations());
        assertEquals(1, later.objectiveScale(300));
        assertThrows(EvaluationException.class, () -> new LogisticRegression(1, 10, 1e-4, null));
        assertThrows(EvaluationException.class, () -> new LinearProbe.Options(0.2, 0, 10, 1e-4, false, null));
    }

    @Test
    void badSettingsAndDataAreTyped() {
        assertThrows(EvaluationException.class, () -> LogisticRegression.withC(0));
        assertThrows(EvaluationException.class, () -> LogisticRegression.withC(Double.NaN));
        assertThrows(EvaluationException.class, () -> new LogisticRegression(1, 0, 1e-4));
        LabeledFeatures one = new LabeledFeatures(new Features(new float[]{1, 2}, 1, 2), new int[]{0}, List.of("a"));
        assertThrows(EvaluationException.class, () -> LogisticRegression.withC(1).fit(one));
        LabeledFeatures nan = new LabeledFeatures(new Features(new float[]{Float.NaN, 2}, 1, 2), new int[]{0},
                List.of("a", "b"));
        assertThrows(EvaluationException.class, () -> LogisticRegression.withC(1).fit(nan));
        LogisticRegressionModel m = LogisticRegression.withC(1).fit(Synthetic.blobs(2, 5, 3, 3, 1, 1));
        assertThrows(EvaluationException.class, () -> m.scores(new Features(new float[4], 1, 4)));
    }

    @Test
    void nonFiniteFeaturesToScoreAreRefusedNotPredictedAsClassZero() {
        LogisticRegressionModel m = LogisticRegression.withC(1).fit(Synthetic.blobs(2, 5, 3, 3, 1, 1));
        // NaN decision values compared false everywhere, so predict answered class 0 without a word.
        for (float bad : new float[]{Float.NaN, Float.POSITIVE_INFINITY}) {
            Features x = new Features(new float[]{1, 2, 3, 4, bad, 6}, 2, 3);
            EvaluationException e = assertThrows(EvaluationException.class, () -> m.predict(x));
            assertTrue(e.getMessage().contains("row 1"), e.getMessage());
        }
    }

    @Test
    void anInfiniteToleranceIsRefusedRatherThanMetByTheZeroStart() {
        // Met before the first step, it left W = 0 (every prediction class 0) reported as converged.
        EvaluationException e = assertThrows(EvaluationException.class,
                () -> new LogisticRegression(1, 100, Double.POSITIVE_INFINITY));
        assertTrue(e.getMessage().contains("tolerance"), e.getMessage());
        assertThrows(EvaluationException.class,
                () -> new LinearProbe.Options(0.2, 0, 100, Double.POSITIVE_INFINITY, false));
        assertThrows(EvaluationException.class, () -> new LogisticRegression(1, 100, Double.NaN));
    }

    @Test
    void aCWhoseReciprocalOverflowsIsRefusedUpFront() {
        // It failed at fit time as "objective is not finite at the starting point: NaN" (infinity * 0).
        EvaluationException e = assertThrows(EvaluationException.class,
                () -> LogisticRegression.withC(Double.MIN_VALUE));
        assertTrue(e.getMessage().startsWith("regularisation C"), e.getMessage());
        // a tiny C with a finite 1/C still fits (W about 0)
        assertEquals(2 * 3, LogisticRegression.withC(1e-300).fit(Synthetic.blobs(2, 5, 3, 3, 1, 1)).weights().length);
    }
}
