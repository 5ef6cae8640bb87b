package io.clip4j.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.Features;
import io.clip4j.io.Npy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * clip4j's logistic regression and linear probe against scikit-learn: testdata/linear-probe (its README.md says
 * what the problems are and how {@code gen.py} made every value). For each problem and C, sklearn's exact optimum
 * (coefficients, intercepts, objective, predict_proba of the test rows); the validation and test accuracy of the optimum
 * at every C the paper's search can try, and that search run on them. The objective is strictly convex in W and, for K &gt; 2, flat only along "add one constant to every
 * intercept" (both sides keep sum(b) = 0): the optimum is unique, so clip4j's fit, run to a tight tolerance, must land
 * on it.
 */
class SklearnReferenceTest {
    private static final Path DIR = Path.of(System.getProperty("clip4j.testdata"), "linear-probe");
    private static final JsonNode CASES = readJson();
    /**
     * Gradient tolerance of the tight fits (max |gradient| of the mean-scaled objective: scikit-learn 1.4's rules,
     * {@link LogisticRegression.Stopping#SKLEARN_1_4}, whose value rule is 64 machine epsilons). The fits stop
     * earlier, on that value rule, at max |gradient| 1e-9..4e-8; the bounds below use the gradient each fit reports.
     */
    private static final double TIGHT = 1e-13;
    private static final int TIGHT_ITERATIONS = 100_000;

    static Stream<String> problems() {
        List<String> names = new ArrayList<>();
        CASES.get("problems").forEach(p -> names.add(p.get("name").asText()));
        return names.stream();
    }

    /** sklearn's optimum is a stationary point of clip4j's objective, with sklearn's objective value there. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("problems")
    void sklearnsOptimumIsTheMinimumOfClip4jsObjective(String name) {
        Problem p = Problem.load(name);
        for (int i = 0; i < p.fits().size(); i++) {
            JsonNode fit = p.fits().get(i);
            double c = fit.get("c").asDouble();
            double[] theta = p.clip4jParameters(i);
            LogisticObjective f = new LogisticObjective(p.train().data(), p.train().labelArray(), p.dim(),
                    p.classes(), c);
            double[] g = new double[f.dimension()];
            double value = f.evaluate(theta, g);
            double fStar = fit.get("optimum").get("objective").asDouble();
            System.out.printf(Locale.ROOT, "%s C=%g objective at sklearn optimum: rel %.2e, max|g| %.2e%n", name, c,
                    Math.abs(value - fStar) / fStar, Lbfgs.maxAbs(g));
            // Both sides add a few hundred float64 terms of order 1: rounding leaves ~1e-15 (measured <= 8e-16); the
            // reference's own max|gradient| is below 1e-16 (gen.py's Newton steps).
            assertEquals(fStar, value, 1e-14 * fStar, name + " C=" + c + ": objective at sklearn's optimum");
            assertTrue(Lbfgs.maxAbs(g) < 1e-13, name + " C=" + c + ": max|gradient| " + Lbfgs.maxAbs(g));
        }
    }

    /**
     * Fitted to a tight tolerance, clip4j reaches sklearn's optimum: objective, coefficients and probabilities within
     * what the gradient at clip4j's stopping point allows, and the same test predictions.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("problems")
    void tightFitsReachSklearnsOptimum(String name) {
        Problem p = Problem.load(name);
        for (int i = 0; i < p.fits().size(); i++) {
            JsonNode fit = p.fits().get(i);
            JsonNode opt = fit.get("optimum");
            double c = fit.get("c").asDouble();
            String at = name + " C=" + c;
            LogisticRegressionModel m = tight(c).fit(p.train());
            assertTrue(m.converged(), at);
            double fStar = opt.get("objective").asDouble();
            double mu = opt.get("hessian_min_eigenvalue").asDouble();
            double[] ref = p.sklearnParameters(i);
            double[] got = sklearnLayout(m, p.classes(), p.dim());
            double dist = norm(minus(got, ref));
            double bound = parameterErrorBound(m, ref.length, mu) + 1e-12 * (1 + maxAbs(ref));
            double[] proba = p.proba(i);
            double dp = maxAbs(minus(probabilities(m, p.test()), proba));
            double excess = m.loss() - fStar;
            System.out.printf(Locale.ROOT, "%s: %d it, max|g| %.1e, objective excess %.1e, |dtheta| %.1e (bound %.1e,"
                            + " max|theta*| %.1f), max|dp| %.1e%n", at, m.iterations(), m.gradientMax(), excess,
                    dist, bound, maxAbs(ref), dp);
            // f - f* <= |g|^2 / (2 mu) for a mu-strongly convex f (doubled, as the bound below); minus rounding.
            double gradient = Math.sqrt(ref.length) * m.gradientMax();
            assertTrue(excess >= -1e-14 * fStar && excess <= gradient * gradient / mu + 1e-14 * fStar,
                    at + ": objective " + m.loss() + ", sklearn's optimum " + fStar);
            assertTrue(dist <= bound, at + ": |theta - theta*| = " + dist + " > " + bound);
            // |dp_k| <= max_l |dz_l| / 2 (the rows of softmax's Jacobian sum to 2 p_k (1 - p_k) <= 1/2 in absolute
            // value) and |dz| <= |dtheta| |(x, 1)| = sqrt(2) |dtheta| for unit-norm rows: |dp| <= |dtheta|.
            assertTrue(dp <= bound, at + ": max |p - p*| = " + dp + " > " + bound);
            assertArrayEquals(argmax(proba, p.classes()), m.predict(p.test().features()), at + ": predictions");
            assertEquals(opt.get("test_top1").asDouble(), m.evaluate(p.test()).top1(), at + ": test top-1");
        }
    }

    /**
     * clip4j's ParametricSearch, given the validation accuracies of sklearn's optima on the 1/8-decade grid, takes
     * the path and makes the choice of gen.py's sweep: the search and its tie rule (a C replaces the best only with
     * a strictly higher validation accuracy, so ties keep the earlier point: the coarse grid from the smallest C up,
     * then centre - step before centre + step) are the same on both sides.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("problems")
    void searchOnSklearnsScoresTakesSklearnsPath(String name) {
        Problem p = Problem.load(name);
        JsonNode grid = p.json().get("grid");
        ParametricSearch.Result r = ParametricSearch.maximize(e -> grid.get("validation_correct")
                .get(gridIndex(Math.pow(10, e))).asInt());
        List<String> got = new ArrayList<>();
        r.evaluated().forEach(q -> got.add(point(q.log10C(), (int) q.score(), p.validation().size())));
        JsonNode sweep = p.json().get("sweep_optimum");
        assertEquals(expectedPath(p, sweep), got, name);
        assertEquals(sweep.get("chosen_log10_c").asDouble(), r.best().log10C(), name);
    }

    /**
     * The C sweep of LinearProbe with tight fits against sklearn's exact optima.
     *
     * <p>Rule: a validation accuracy is compared where the optimum decides it: where the smallest top-1 margin of
     * the validation rows at sklearn's optimum exceeds the resolution of a fit stopped by the value rule
     * ({@link #resolution}); there the counts must be equal. Where it does not (balanced classes at C of 1e-4 and
     * below: W is about C n times the class-mean differences, margins of 1e-8..1e-6, while the objective is too flat
     * along the intercepts for double precision to place them closer than about 1e-7; sklearn's lbfgs stops there too,
     * its paper call scores 62 instead of the optimum's 68 on "multiclass" at C = 1e-6), nothing is compared. When
     * every point of both paths is decided, the paths and the chosen C must be identical. The test accuracy of the
     * final refit (train + validation) must be the optimum's at the C clip4j chose, where the optimum decides it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("problems")
    void tightSweepAgreesWithSklearnWhereTheOptimumDecides(String name) {
        Problem p = Problem.load(name);
        LinearProbe.Options tight = new LinearProbe.Options(0.2, 0, TIGHT_ITERATIONS, TIGHT, false,
                LogisticRegression.Stopping.SKLEARN_1_4);
        LinearProbeResult r = LinearProbe.evaluate(p.train(), p.validation(), p.test(), tight);
        JsonNode grid = p.json().get("grid");
        JsonNode sweep = p.json().get("sweep_optimum");
        int nVal = p.validation().size();
        List<String> got = new ArrayList<>();
        List<String> undecided = new ArrayList<>();
        for (LinearProbeResult.SweepPoint q : r.sweep()) {
            int correct = (int) Math.round(q.validationTop1() * nVal);
            got.add(point(Math.log10(q.c()), correct, nVal));
            int j = gridIndex(q.c());
            LogisticRegressionModel m = tight(q.c()).fit(p.train()); // the sweep's fit: deterministic
            assertEquals(q.validationTop1(), m.evaluate(p.validation()).top1(), name + ": refit of the sweep point");
            if (decided(grid, j, m, false)) {
                assertEquals(grid.get("validation_correct").get(j).asInt(), correct,
                        name + ": validation correct at log10 C = " + Math.log10(q.c()));
            } else {
                undecided.add(got.get(got.size() - 1) + " (optimum " + grid.get("validation_correct").get(j).asInt()
                        + ")");
            }
        }
        List<String> expected = expectedPath(p, sweep);
        for (JsonNode q : sweep.get("points")) {
            double c = Math.pow(10, q.get("log10_c").asDouble());
            if (!decided(grid, gridIndex(c), tight(c).fit(p.train()), false)) {
                undecided.add("sklearn's path: " + point(q.get("log10_c").asDouble(),
                        q.get("validation_correct").asInt(), nVal));
            }
        }
        double chosen = Math.pow(10, sweep.get("chosen_log10_c").asDouble());
        System.out.println(name + ": clip4j " + got + " C " + r.c() + ", sklearn " + expected + " C " + chosen
                + ", undecided " + undecided);
        if (undecided.isEmpty()) {
            assertEquals(expected, got, name + ": sweep points (log10 C: validation correct)");
        }
        if (cs(expected).equals(cs(got))) {
            assertEquals(chosen, r.c(), name + ": same path, same choice");
        } else {
            assertFalse(undecided.isEmpty(), name + ": the paths part only at a point the optimum does not decide");
        }
        int j = gridIndex(r.c());
        LogisticRegressionModel refit = tight(r.c()).fit(LinearProbe.concat(p.train(), p.validation()));
        assertEquals(refit.evaluate(p.test()), r.test(), name + ": the final model is the refit on train + validation");
        assertTrue(decided(grid, j, refit, true), name + ": the refit's test predictions are decided");
        assertEquals(grid.get("test_correct").get(j).asInt() / (double) p.test().size(), r.test().top1(),
                name + ": test top-1 of the refit at the chosen C");
    }

    /** The log10 C values of a path written by {@link #point}. */
    private static List<String> cs(List<String> path) {
        return path.stream().map(q -> q.substring(0, q.indexOf(':'))).toList();
    }

    static List<String> expectedPath(Problem p, JsonNode sweep) {
        List<String> expected = new ArrayList<>();
        sweep.get("points").forEach(q -> expected.add(point(q.get("log10_c").asDouble(),
                q.get("validation_correct").asInt(), p.validation().size())));
        return expected;
    }

    private static LogisticRegression tight(double c) {
        return new LogisticRegression(c, TIGHT_ITERATIONS, TIGHT, LogisticRegression.Stopping.SKLEARN_1_4);
    }

    /** Index of C in the grid of gen.py: log10 C = -6 + i / 8. */
    private static int gridIndex(double c) {
        double i = (Math.log10(c) + 6) * 8;
        assertEquals(Math.rint(i), i, 1e-9, "C = " + c + " is on the 1/8-decade grid");
        return (int) Math.rint(i);
    }

    /**
     * Whether the optimum's smallest top-1 margin (validation rows of the fit on train, or test rows of the refit)
     * exceeds the {@link #resolution} of m's fit.
     */
    private static boolean decided(JsonNode grid, int j, LogisticRegressionModel m, boolean refit) {
        double mu = grid.get(refit ? "refit_hessian_min_eigenvalue" : "hessian_min_eigenvalue").get(j).asDouble();
        double margin = grid.get(refit ? "test_min_margin" : "validation_min_margin").get(j).asDouble();
        return margin > resolution(m, mu);
    }

    /**
     * How far the decision values of a fit stopped by the value rule (the last step lowered f by less than
     * {@code 64 eps max(|f|, 1)}, sklearn's ftol; the tight fits here all stop so) may be from the optimum's, taking
     * that as the remaining gap f - f*: |theta - theta*| &lt;= sqrt(2 (f - f*) / mu) for a mu-strongly convex
     * objective (mu the smallest Hessian eigenvalue at the optimum, on sum(b) = 0), and a top-1 margin z_a - z_b moves
     * by at most 2 |theta - theta*| (each z by |dtheta_row| |(x, 1)|, |(x, 1)| = sqrt(2) for unit-norm rows). An
     * estimate, not a bound (the gap can exceed the last decrease); it separates the points where the optimiser's
     * stopping point decides the predictions (margins below 1e-6 at tiny C) from those where the optimum does.
     */
    private static double resolution(LogisticRegressionModel m, double mu) {
        double gap = 64 * Math.ulp(1.0) * Math.max(Math.abs(m.loss()), 1);
        return 2 * Math.sqrt(2 * gap / mu);
    }

    /**
     * Bound on |theta - theta*| (sklearn's layout) from the gradient at m: |g| / mu for a mu-strongly convex objective,
     * mu the smallest Hessian eigenvalue at the optimum (on sum(b) = 0), doubled for the change of curvature on the
     * way; |g|_2 &lt;= sqrt(P) max|g|.
     */
    private static double parameterErrorBound(LogisticRegressionModel m, int parameters, double mu) {
        return 2 * Math.sqrt(parameters) * m.gradientMax() / mu;
    }

    static String point(double log10C, int correct, int size) {
        return String.format(Locale.ROOT, "%.3f:%d/%d", log10C, correct, size);
    }

    /** Parameters in sklearn's layout: K &gt; 2: W [K, D] then b - mean(b); K = 2: w = W[1] - W[0], b[1] - b[0]. */
    static double[] sklearnLayout(LogisticRegressionModel m, int k, int d) {
        double[] w = m.weights();
        double[] b = m.bias();
        if (k == 2) {
            double[] out = new double[d + 1];
            for (int j = 0; j < d; j++) {
                out[j] = w[d + j] - w[j];
            }
            out[d] = b[1] - b[0];
            return out;
        }
        double mean = Arrays.stream(b).sum() / k;
        double[] out = new double[k * (d + 1)];
        for (int a = 0; a < k; a++) {
            System.arraycopy(w, a * d, out, a * (d + 1), d);
            out[a * (d + 1) + d] = b[a] - mean;
        }
        return out;
    }

    /** predict_proba: softmax of the decision values, in double from the model's weights. */
    static double[] probabilities(LogisticRegressionModel m, LabeledFeatures x) {
        double[] w = m.weights();
        double[] b = m.bias();
        int k = b.length;
        int d = x.dim();
        float[] f = x.data();
        double[] out = new double[x.size() * k];
        for (int i = 0; i < x.size(); i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int a = 0; a < k; a++) {
                double s = b[a];
                for (int j = 0; j < d; j++) {
                    s += w[a * d + j] * f[i * d + j];
                }
                out[i * k + a] = s;
                max = Math.max(max, s);
            }
            double sum = 0;
            for (int a = 0; a < k; a++) {
                out[i * k + a] = Math.exp(out[i * k + a] - max);
                sum += out[i * k + a];
            }
            for (int a = 0; a < k; a++) {
                out[i * k + a] /= sum;
            }
        }
        return out;
    }

    static int[] argmax(double[] rows, int k) {
        return IntStream.range(0, rows.length / k).map(i -> {
            int best = 0;
            for (int a = 1; a < k; a++) {
                if (rows[i * k + a] > rows[i * k + best]) {
                    best = a;
                }
            }
            return best;
        }).toArray();
    }

    private static double[] minus(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] - b[i];
        }
        return out;
    }

    private static double norm(double[] a) {
        return Math.sqrt(Lbfgs.dot(a, a));
    }

    private static double maxAbs(double[] a) {
        return Lbfgs.maxAbs(a);
    }

    private static JsonNode readJson() {
        try {
            return new ObjectMapper().readTree(DIR.resolve("cases.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One problem of cases.json with its arrays: rows split into train, validation and test (in that order in
     * {@code <name>-x.npy}); the optimum of each C in sklearn's layout.
     */
    record Problem(String name, JsonNode json, LabeledFeatures train, LabeledFeatures validation,
                   LabeledFeatures test, double[] coef, double[] intercept, double[] proba) {

        static Problem load(String name) {
            JsonNode json = null;
            for (JsonNode p : CASES.get("problems")) {
                if (p.get("name").asText().equals(name)) {
                    json = p;
                }
            }
            int k = json.get("classes").asInt();
            int d = json.get("dim").asInt();
            float[] x = Npy.read(DIR.resolve(name + "-x.npy")).toFloatArray();
            long[] y = Npy.read(DIR.resolve(name + "-y.npy")).toLongArray();
            List<String> classes = IntStream.range(0, k).mapToObj(c -> "class" + c).toList();
            int tr = json.get("train").asInt();
            int va = json.get("validation").asInt();
            int te = json.get("test").asInt();
            assertEquals(tr + va + te, y.length);
            return new Problem(name, json, rows(x, y, d, 0, tr, classes), rows(x, y, d, tr, tr + va, classes),
                    rows(x, y, d, tr + va, y.length, classes),
                    Npy.read(DIR.resolve(name + "-coef.npy")).toDoubleArray(),
                    Npy.read(DIR.resolve(name + "-intercept.npy")).toDoubleArray(),
                    Npy.read(DIR.resolve(name + "-proba.npy")).toDoubleArray());
        }

        private static LabeledFeatures rows(float[] x, long[] y, int d, int from, int to, List<String> classes) {
            int[] labels = new int[to - from];
            for (int i = from; i < to; i++) {
                labels[i - from] = Math.toIntExact(y[i]);
            }
            return new LabeledFeatures(new Features(Arrays.copyOfRange(x, from * d, to * d), to - from, d), labels,
                    classes);
        }

        int classes() {
            return json.get("classes").asInt();
        }

        int dim() {
            return json.get("dim").asInt();
        }

        JsonNode fits() {
            return json.get("fits");
        }

        /** Rows of sklearn's coef_ for one problem: K, or 1 for a binary problem. */
        private int rowsOfCoef() {
            return classes() == 2 ? 1 : classes();
        }

        /** The optimum of fit i in sklearn's layout: per row its coefficients then its intercept. */
        double[] sklearnParameters(int i) {
            int r = rowsOfCoef();
            int d = dim();
            double[] out = new double[r * (d + 1)];
            for (int a = 0; a < r; a++) {
                System.arraycopy(coef, (i * r + a) * d, out, a * (d + 1), d);
                out[a * (d + 1) + d] = intercept[i * r + a];
            }
            return out;
        }

        /**
         * The optimum of fit i as clip4j's parameters (W [K, D] row-major, then b). Binary: sklearn's one vector
         * (w, b) is W[0] = -w / 2, W[1] = w / 2, b = (-b / 2, b / 2), the two-row point with the same decision values
         * and probabilities.
         */
        double[] clip4jParameters(int i) {
            int k = classes();
            int d = dim();
            double[] s = sklearnParameters(i);
            double[] out = new double[k * (d + 1)];
            for (int a = 0; a < k; a++) {
                for (int j = 0; j <= d; j++) {
                    double v = k == 2 ? (a == 0 ? -0.5 : 0.5) * s[j] : s[a * (d + 1) + j];
                    out[j < d ? a * d + j : k * d + a] = v;
                }
            }
            return out;
        }

        /** predict_proba of the test rows at the optimum of fit i, [n_test, K] row-major. */
        double[] proba(int i) {
            int n = test.size() * classes();
            return Arrays.copyOfRange(proba, i * n, (i + 1) * n);
        }
    }
}
