package io.clip4j.eval;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * clip4j's default fits against the CLIP paper's call, {@code LogisticRegression(random_state=0, C=C, max_iter=1000)},
 * as scikit-learn 1.2.1 runs it (testdata/linear-probe, gen.py: "sklearn_paper", "paper_*" in the grid,
 * "sweep_sklearn_paper"). At {@code tol} 1e-4 neither fit reaches the optimum: both stop by the rules of
 * {@link LogisticRegression.Stopping#SKLEARN_BEFORE_1_4} ({@code max|grad F| <= 1e-4} or a relative decrease of
 * {@code F = n f} below 2.2e-9), each on its own path (clip4j's line search is not scipy's), so they are compared where
 * those rules decide the outcome. With scikit-learn 1.4's rules ({@link LogisticRegression.Stopping#SKLEARN_1_4}) as
 * the default, 11 of the 12 cases fail (testdata/linear-probe/README.md lists what each catches).
 */
class SklearnPaperCallTest {
    /** scipy's default ftol, the paper-era value rule. */
    private static final double FTOL = 2.2204460492503131e-9;
    /**
     * How much further from the optimum one fit may stop than the other (see
     * {@link #defaultFitsStopWhereThePaperCallStops}).
     */
    private static final double GAP_RATIO = 10;

    /**
     * {@code LinearProbe} with its default options (validation split given) takes the paper call's sweep: the same
     * points with the same validation counts, the same C and the same test count of the refit. At log10 C = -6 and -4
     * of "multiclass" and "separable" (62 and 38 correct, the optimum 68 and 40) both fits stop after a few iterations
     * with validation margins of 1e-8..1e-6, so there the agreement is that of two early stops, not of the optimum
     * (the grid test below does not count such points).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.clip4j.eval.SklearnReferenceTest#problems")
    void defaultSweepIsThePaperCallsSweep(String name) {
        SklearnReferenceTest.Problem p = SklearnReferenceTest.Problem.load(name);
        assertEquals(LogisticRegression.Stopping.SKLEARN_BEFORE_1_4, LinearProbe.Options.defaults().stopping());
        LinearProbeResult r = LinearProbe.evaluate(p.train(), p.validation(), p.test(), LinearProbe.Options.defaults());
        int nVal = p.validation().size();
        List<String> got = new ArrayList<>();
        r.sweep().forEach(q -> got.add(SklearnReferenceTest.point(Math.log10(q.c()),
                (int) Math.round(q.validationTop1() * nVal), nVal)));
        JsonNode sweep = p.json().get("sweep_sklearn_paper");
        System.out.println(name + ": clip4j " + got + " C 10^" + Math.log10(r.c()) + ", test "
                + Math.round(r.test().top1() * p.test().size()));
        assertEquals(SklearnReferenceTest.expectedPath(p, sweep), got, name + ": sweep (log10 C: validation correct)");
        assertEquals(Math.pow(10, sweep.get("chosen_log10_c").asDouble()), r.c(), name + ": chosen C");
        assertEquals(sweep.get("test_correct").asInt(), Math.round(r.test().top1() * p.test().size()),
                name + ": test correct of the refit on train + validation");
    }

    /**
     * At the four C of "fits": clip4j's default fit stops about as far from the optimum as the paper call, and predicts
     * the test rows as it does.
     *
     * <p>Objective. Both stop either on the gradient rule or, mostly, on the value rule: at the first step whose
     * decrease of {@code F = n f} is at most {@code ftol max(|F|, 1)}, i.e. of f at most
     * {@code tau = ftol max(n |f*|, 1) / n}. Where f - f* shrinks by a factor rho per step, the fit then stops with a
     * gap f - f* of order {@code tau rho / (1 - rho)}: the rule fixes the gap up to the local rate of convergence, a
     * property of the problem at that C (its conditioning) that two L-BFGS paths with 10 correction pairs share up to
     * a small factor. So the gaps of the two fits must agree within {@link #GAP_RATIO} (10; measured: 0.23 to 3.4),
     * plus tau for gaps at the size of one last step (separable, C = 0.001: both 1.2e-12). scikit-learn 1.4's rules
     * leave gaps 19 to 51,000 times the paper call's at C &ge; 0.316.
     *
     * <p>Predictions. Every test row the paper call predicts as the optimum does, clip4j's fit must predict so too;
     * where the paper call's own prediction differs from the optimum's (48 rows of "multiclass" at C = 0.001, top-1
     * margins of about 2e-6 at either stopping point) its stopping point decides, and the rows are only counted
     * (measured: clip4j predicts all 48 as the paper call).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.clip4j.eval.SklearnReferenceTest#problems")
    void defaultFitsStopWhereThePaperCallStops(String name) {
        SklearnReferenceTest.Problem p = SklearnReferenceTest.Problem.load(name);
        int n = p.train().size();
        int k = p.classes();
        for (int i = 0; i < p.fits().size(); i++) {
            JsonNode fit = p.fits().get(i);
            JsonNode paper = fit.get("sklearn_paper");
            double c = fit.get("c").asDouble();
            String at = name + " C=" + c;
            LogisticRegressionModel m = LogisticRegression.withC(c).fit(p.train());
            assertTrue(m.converged(), at);
            double fStar = fit.get("optimum").get("objective").asDouble();
            double gap = m.loss() - fStar;
            double paperGap = paper.get("objective_excess").asDouble();
            double tau = FTOL * Math.max(n * Math.abs(fStar), 1) / n;
            int[] optimum = SklearnReferenceTest.argmax(p.proba(i), k);
            int[] got = m.predict(p.test().features());
            int undecided = 0;
            int undecidedAsPaper = 0;
            for (int r = 0; r < got.length; r++) {
                int paperRow = paper.get("test_predictions").get(r).asInt();
                if (paperRow == optimum[r]) {
                    assertEquals(optimum[r], got[r], at + ": test row " + r);
                } else {
                    undecided++;
                    undecidedAsPaper += got[r] == paperRow ? 1 : 0;
                }
            }
            System.out.printf(Locale.ROOT, "%s: %d it (paper %d), f - f* %.2e (paper %.2e, ratio %.2f, tau %.1e), "
                            + "%d of %d rows the paper call predicts unlike the optimum predicted as it%n", at,
                    m.iterations(), paper.get("n_iter").asInt(), gap, paperGap, gap / paperGap, tau, undecidedAsPaper,
                    undecided);
            assertTrue(gap >= -1e-14 * fStar, at + ": below the optimum by " + gap);
            assertTrue(gap <= GAP_RATIO * paperGap + tau && paperGap <= GAP_RATIO * gap + tau,
                    at + ": f - f* = " + gap + ", the paper call's " + paperGap);
            assertEquals(undecided, paper.get("test_predictions_differing_from_optimum").asInt(), at);
        }
    }

    /**
     * At every C of the grid (97 values of log10 C, the fit on the training rows): the validation count of clip4j's
     * default fit is the paper call's wherever the paper call's stopping point decides it, i.e. where the optimum's
     * smallest validation margin exceeds {@code 2 sqrt(2 (f_paper - f*) / mu)}: the paper call's parameters are within
     * {@code sqrt(2 (f_paper - f*) / mu)} of the optimum (mu the smallest Hessian eigenvalue at the optimum, on
     * sum(b) = 0), and a top-1 margin moves by at most twice that (rows of norm 1, see SklearnReferenceTest). Measured:
     * equal at all 216 decided points (17, 67, 48 and 84 per problem); of the 172 undecided ones, 18 differ (tiny C,
     * where the stopping point places the intercepts, and C &ge; 10^5). With scikit-learn 1.4's rules 16 decided
     * points differ (binary: 13).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.clip4j.eval.SklearnReferenceTest#problems")
    void defaultGridAgreesWithThePaperCallWhereItDecides(String name) {
        SklearnReferenceTest.Problem p = SklearnReferenceTest.Problem.load(name);
        JsonNode grid = p.json().get("grid");
        int nVal = p.validation().size();
        int decided = 0;
        List<String> differing = new ArrayList<>();
        for (int j = 0; j < grid.get("log10_c").size(); j++) {
            double log10C = grid.get("log10_c").get(j).asDouble();
            LogisticRegressionModel m = LogisticRegression.withC(Math.pow(10, log10C)).fit(p.train());
            int correct = (int) Math.round(m.evaluate(p.validation()).top1() * nVal);
            int paper = grid.get("paper_validation_correct").get(j).asInt();
            double paperGap = Math.max(0, grid.get("paper_objective").get(j).asDouble()
                    - grid.get("objective").get(j).asDouble());
            double resolution = 2 * Math.sqrt(2 * paperGap / grid.get("hessian_min_eigenvalue").get(j).asDouble());
            if (grid.get("validation_min_margin").get(j).asDouble() > resolution) {
                decided++;
                assertEquals(paper, correct, name + ": validation correct at log10 C = " + log10C);
            } else if (correct != paper) {
                differing.add(SklearnReferenceTest.point(log10C, correct, nVal) + " (paper " + paper + ")");
            }
        }
        System.out.println(name + ": " + decided + " decided grid points equal; undecided and differing: "
                + differing);
        assertTrue(decided >= grid.get("log10_c").size() / 10, name + ": " + decided + " decided points");
    }
}
