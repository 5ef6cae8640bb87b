package io.clip4j.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProbeTest {

    @Test
    void fewShotSamplePicksExactlyKPerClassDeterministically() {
        LabeledFeatures train = Synthetic.blobs(4, 20, 4, 3, 1, 7);
        for (int k : FewShotProbe.PAPER_SHOTS) {
            int[] a = FewShotProbe.sample(train, k, 11);
            assertEquals(4 * k, a.length);
            int[] perClass = new int[4];
            for (int r : a) {
                perClass[train.label(r)]++;
            }
            assertArrayEquals(new int[]{k, k, k, k}, perClass);
            assertEquals(a.length, Arrays.stream(a).distinct().count(), "no row twice");
            assertArrayEquals(a, FewShotProbe.sample(train, k, 11), "same seed, same draw");
        }
        assertFalse(Arrays.equals(FewShotProbe.sample(train, 4, 1), FewShotProbe.sample(train, 4, 2)));
        EvaluationException e = assertThrows(EvaluationException.class, () -> FewShotProbe.sample(train, 21, 0));
        assertTrue(e.getMessage().contains("class0") && e.getMessage().contains("20"), e.getMessage());
        assertThrows(EvaluationException.class, () -> FewShotProbe.sample(train, 0, 0));
    }

    @Test
    void fewShotResultAveragesSeeds() throws Exception {
        LabeledFeatures train = Synthetic.blobs(3, 20, 3, 4, 1, 1);
        LabeledFeatures test = Synthetic.blobs(3, 30, 3, 4, 1, 2);
        FewShotResult r = FewShotProbe.evaluate(train, test, List.of(1, 4), 3,
                LogisticRegression.withC(FewShotProbe.DEFAULT_C), false, 0.25);
        assertEquals(2, r.points().size());
        for (FewShotResult.Point p : r.points()) {
            assertEquals(3, p.top1PerSeed().size());
            double mean = p.top1PerSeed().stream().mapToDouble(Double::doubleValue).sum() / 3;
            assertEquals(mean, p.meanTop1(), 1e-12);
        }
        // the first seed of k = 4 is the fit on exactly the rows sample(train, 4, 0) draws
        double expected = LogisticRegression.withC(FewShotProbe.DEFAULT_C)
                .fit(train.subset(FewShotProbe.sample(train, 4, 0))).evaluate(test).top1();
        assertEquals(expected, r.points().get(1).top1PerSeed().get(0));
        assertTrue(r.points().get(1).meanTop1() > 0.9, "well separated blobs: " + r.summary());
        ObjectMapper m = new ObjectMapper();
        assertEquals(r, m.readValue(m.writeValueAsString(r), FewShotResult.class));
        assertTrue(r.summary().contains("zero-shot"), r.summary());
    }

    @Test
    void stratifiedSplitHoldsOutTheFractionOfEachClass() {
        int[] labels = new int[53];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i < 40 ? 0 : (i < 50 ? 1 : 2);   // 40, 10, 3 rows
        }
        int[][] s = Splits.stratified(labels, 3, 0.2, 5);
        int[] val = new int[3];
        for (int r : s[1]) {
            val[labels[r]]++;
        }
        assertArrayEquals(new int[]{8, 2, 1}, val);   // round(0.2 * 3) = 1
        assertEquals(53, s[0].length + s[1].length);
        assertArrayEquals(s[1], Splits.stratified(labels, 3, 0.2, 5)[1]);
        assertThrows(EvaluationException.class, () -> Splits.stratified(new int[]{0, 1}, 2, 0.2, 0));
        assertThrows(EvaluationException.class, () -> Splits.stratified(labels, 3, 1.0, 0));
    }

    @Test
    void linearProbeSweepPicksBestValidationAccuracyAndRefits() throws Exception {
        // Overlapping classes (spread 1.0; at 1.2 every C scores 13 of 18 under the default stopping rules).
        LabeledFeatures train = Synthetic.blobs(3, 30, 5, 1.0, 1, 21);
        LabeledFeatures test = Synthetic.blobs(3, 40, 5, 1.0, 1, 22);
        LinearProbe.Options o = LinearProbe.Options.defaults();
        LinearProbeResult r = LinearProbe.evaluate(train, test, o);
        assertEquals(90, r.trainSize());
        assertEquals(18, r.validationSize());
        assertEquals(120, r.testSize());
        double best = r.sweep().stream().mapToDouble(LinearProbeResult.SweepPoint::validationTop1).max().orElseThrow();
        LinearProbeResult.SweepPoint chosen = r.sweep().stream().filter(p -> p.validationTop1() == best)
                .findFirst().orElseThrow();
        assertEquals(chosen.c(), r.c());
        // recompute the chosen C's validation accuracy on the same split
        int[][] split = Splits.stratified(train.labelArray(), 3, 0.2, 0);
        double val = LogisticRegression.withC(r.c()).fit(train.subset(split[0])).evaluate(train.subset(split[1])).top1();
        assertEquals(best, val);
        // the final model is the fit on all training rows with that C
        ClassificationAccuracy refit = LogisticRegression.withC(r.c()).fit(train).evaluate(test);
        assertEquals(refit, r.test());
        // overlapping classes: the validation accuracy varies with C, so the choice is not trivial
        assertTrue(r.sweep().stream().anyMatch(p -> p.validationTop1() < best), r.summary());
        assertTrue(r.sweep().size() > 7, "refined around the coarse peak: " + r.summary());
        ObjectMapper m = new ObjectMapper();
        assertEquals(r, m.readValue(m.writeValueAsString(r), LinearProbeResult.class));
        // Each point says whether its fit converged: the chosen C's, recomputed, agrees.
        assertEquals(LogisticRegression.withC(r.c()).fit(train.subset(split[0])).converged(), chosen.converged());
        assertTrue(r.summary().contains("sweep fits stopped") == r.sweep().stream().anyMatch(p -> !p.converged()),
                r.summary());
    }

    @Test
    void sweepFitsThatStopAtTheIterationLimitAreReported() {
        // Only the final fit's flag was reported; sklearn warns for every fit that stops early.
        LabeledFeatures train = Synthetic.blobs(3, 30, 5, 1.2, 1, 21);
        LabeledFeatures test = Synthetic.blobs(3, 40, 5, 1.2, 1, 22);
        LinearProbeResult r = LinearProbe.evaluate(train, test, new LinearProbe.Options(0.2, 0, 1,
                LogisticRegression.SKLEARN_TOLERANCE, false));
        long stopped = r.sweep().stream().filter(p -> !p.converged()).count();
        assertTrue(stopped > 0, r.summary()); // a strong penalty (C = 1e-6) may still converge in one step
        assertTrue(r.summary().contains(stopped + " of " + r.sweep().size() + " sweep fits stopped before meeting the"
                + " tolerance (iteration limit or failed line search)"), r.summary());
    }

    @Test
    void linearProbeWithGivenValidationSetAndFixedC() {
        LabeledFeatures train = Synthetic.blobs(2, 20, 3, 4, 1, 1);
        LabeledFeatures val = Synthetic.blobs(2, 10, 3, 4, 1, 2);
        LabeledFeatures test = Synthetic.blobs(2, 10, 3, 4, 1, 3);
        LinearProbeResult r = LinearProbe.evaluate(train, val, test, LinearProbe.Options.defaults());
        assertEquals(60, r.trainSize());
        assertEquals(20, r.validationSize());
        // the refit on train + validation is what the summary reports, not a training set of 60
        assertTrue(r.summary().startsWith("linear probe: C chosen on 20 validation examples, then fitted on 60"
                + " (training and validation), test 20,"), r.summary());
        LinearProbeResult f = LinearProbe.evaluateFixedC(train, test, 0.316,
                new LinearProbe.Options(0.2, 0, 1000, 1e-4, true));
        assertEquals(0.316, f.c());
        assertTrue(f.normalized());
        assertTrue(f.sweep().isEmpty());
        assertTrue(f.summary().startsWith("linear probe: fitted on 40 examples, test 20, C = 0.316"), f.summary());
        assertEquals(LogisticRegression.withC(0.316).fit(train.normalized()).evaluate(test.normalized()), f.test());
    }

    @Test
    void incompatibleSetsAreTyped() {
        LabeledFeatures a = Synthetic.blobs(2, 5, 3, 4, 1, 1);
        LabeledFeatures b = Synthetic.blobs(2, 5, 4, 4, 1, 1);
        LabeledFeatures c = Synthetic.blobs(3, 5, 3, 4, 1, 1);
        LinearProbe.Options o = LinearProbe.Options.defaults();
        assertThrows(EvaluationException.class, () -> LinearProbe.evaluate(a, b, o));
        assertThrows(EvaluationException.class, () -> LinearProbe.evaluate(a, c, o));
        assertThrows(EvaluationException.class, () -> new LinearProbe.Options(0, 0, 10, 1e-4, false));
        assertThrows(EvaluationException.class, () -> FewShotProbe.evaluate(a, a, List.of(1), 0,
                LogisticRegression.withC(1), false, null));
    }

    @Test
    void fewShotCheckRefusesALabelOutsideTheClasses() {
        List<String> names = List.of("a", "b");
        for (int bad : new int[]{2, -1}) {
            EvaluationException e = assertThrows(EvaluationException.class,
                    () -> FewShotProbe.check(names, new int[]{0, 1, bad}, List.of(1), 1));
            assertTrue(e.getMessage().contains("label " + bad + " of example 2"), e.getMessage());
        }
        // A null k was a bare NullPointerException from unboxing.
        EvaluationException e = assertThrows(EvaluationException.class,
                () -> FewShotProbe.check(names, new int[]{0, 1}, java.util.Arrays.asList(1, null), 1));
        assertEquals("a shot count is null: [1, null]", e.getMessage());
    }

    @Test
    void labelOfARowOutsideTheSetIsRefusedLikeFeaturesRow() {
        LabeledFeatures a = Synthetic.blobs(2, 5, 3, 4, 1, 1);
        int n = a.size();
        assertEquals(a.labels()[n - 1], a.label(n - 1));
        for (int row : new int[] {-1, n}) {
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> a.label(row));
            assertEquals("row " + row + " outside [0, " + n + ")", e.getMessage());
            assertEquals(e.getMessage(), assertThrows(IndexOutOfBoundsException.class,
                    () -> a.features().row(row)).getMessage());
        }
    }
}
