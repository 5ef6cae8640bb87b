package io.clip4j.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.ClipConfig;
import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.image.ImageInput;
import io.clip4j.text.ClipTokenizer;
import io.clip4j.zeroshot.ZeroShotClassifier;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassificationAccuracyTest {
    private static final List<String> SIX = List.of("a", "b", "c", "d", "e", "f");
    /** Five examples over six classes, each row chosen for one case (label -> rank). */
    private static final float[] HAND_SCORES = {
            // true 0: ranked first                               -> top1, top5
            9, 1, 2, 3, 4, 5,
            // true 1: 4 scores above it (2..5), rank 4          -> top5 only
            0, 1.5f, 2, 3, 4, 5,
            // true 2: 5 scores above it (1, 3..6), rank 5        -> neither
            6, 1, 0.5f, 3, 4, 5,
            // true 3: tie with class 0 (lower index wins), rank 1 -> top5 only
            7, 1, 2, 7, 4, 5,
            // true 0: tie with class 3, class 0 comes first      -> top1
            7, 1, 2, 7, 4, 5,
    };

    @Test
    void theConstructorEnforcesTheDocumentedRanges() {
        // Documented (n >= 1, fractions in [0, 1]) but not checked: a report of n = 0 or top-1 = 1.5 was accepted.
        List<String> names = List.of("cat", "dog");
        List<Integer> counts = List.of(1, 1);
        List<Double> acc = Arrays.asList(1.0, 0.0);
        assertEquals(0.5, new ClassificationAccuracy(2, 0.5, 1, 0.5, names, counts, acc).top1());
        Object[][] bad = {{0, 0.5, 1.0, 0.5, "n (number of examples) must be >= 1, got 0"},
            {2, 1.5, 1.0, 0.5, "top1 must be in [0, 1], got 1.5"},
            {2, 0.5, Double.NaN, 0.5, "top5 must be in [0, 1], got NaN"},
            {2, 0.5, 1.0, -0.25, "meanPerClassAccuracy must be in [0, 1], got -0.25"}};
        for (Object[] b : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ClassificationAccuracy(
                    (int) b[0], (double) b[1], (double) b[2], (double) b[3], names, counts, acc));
            assertEquals(b[4], e.getMessage());
        }
    }

    @Test
    void topOneTopFiveAndPerClassByHand() {
        float[] scores = HAND_SCORES;
        int[] labels = {0, 1, 2, 3, 0};
        ClassificationAccuracy a = ClassificationAccuracy.of(scores, labels, SIX);
        assertEquals(5, a.n());
        assertEquals(2.0 / 5, a.top1(), 1e-12);
        assertEquals(4.0 / 5, a.top5(), 1e-12);
        assertEquals(List.of(2, 1, 1, 1, 0, 0), a.perClassCount());
        assertEquals(1.0, a.perClassAccuracy().get(0));
        assertEquals(0.0, a.perClassAccuracy().get(1));
        assertEquals(0.0, a.perClassAccuracy().get(3));
        assertNull(a.perClassAccuracy().get(4));
        // classes with examples: 0 -> 1.0, 1 -> 0, 2 -> 0, 3 -> 0
        assertEquals(0.25, a.meanPerClassAccuracy(), 1e-12);
        assertTrue(a.summary().contains("top-1 = 40.00%"), a.summary());
    }

    @Test
    void fromTopKPicksEqualsFromFullScores() {
        // The hand-made rows, their logits softmaxed and top-5 picked like ClipModel.zeroShotTopK does.
        float[] scores = HAND_SCORES;
        int[] labels = {0, 1, 2, 3, 0};
        ClassificationAccuracy full = ClassificationAccuracy.of(scores, labels, SIX);
        io.clip4j.math.TopK top = io.clip4j.math.Similarity.softmaxTopK(scores, 5, 6, 5);
        assertEquals(full, ClassificationAccuracy.ofTopK(top, labels, SIX));
        // With 3 classes every pick is kept (k = n_classes) and top-5 is 1.
        io.clip4j.math.TopK three = io.clip4j.math.Similarity.softmaxTopK(new float[] {0, 1, 2, 2, 1, 0}, 2, 3, 3);
        ClassificationAccuracy small = ClassificationAccuracy.ofTopK(three, new int[] {0, 2}, List.of("x", "y", "z"));
        assertEquals(0.0, small.top1());
        assertEquals(1.0, small.top5());
        // Too few picks for an exact top-5, rows that do not match the labels, picks outside the classes.
        io.clip4j.math.TopK two = io.clip4j.math.Similarity.softmaxTopK(scores, 5, 6, 2);
        assertThrows(EvaluationException.class, () -> ClassificationAccuracy.ofTopK(two, labels, SIX));
        assertThrows(EvaluationException.class, () -> ClassificationAccuracy.ofTopK(top, new int[] {0}, SIX));
        io.clip4j.math.TopK bad = new io.clip4j.math.TopK(1, 5, new float[5], new int[] {9, 0, 1, 2, 3}, new float[5]);
        assertThrows(EvaluationException.class, () -> ClassificationAccuracy.ofTopK(bad, new int[] {4}, SIX));
        io.clip4j.math.TopK nan = new io.clip4j.math.TopK(1, 5, new float[] {Float.NaN, 0, 0, 0, 0},
                new int[] {0, 1, 2, 3, 4}, new float[5]);
        assertThrows(EvaluationException.class, () -> ClassificationAccuracy.ofTopK(nan, new int[] {0}, SIX));
    }

    @Test
    void topFiveWithFewerThanFiveClassesIsOne() {
        float[] scores = {0, 1, 2, 2, 1, 0};
        ClassificationAccuracy a = ClassificationAccuracy.of(scores, new int[]{0, 2}, List.of("x", "y", "z"));
        assertEquals(0.0, a.top1());
        assertEquals(1.0, a.top5());
    }

    @Test
    void theSummaryPutsClassNamesLastSoCjkNamesCannotMisalignIt() {
        float[] scores = {1, 0, 0, 1};
        String summary = ClassificationAccuracy.of(scores, new int[]{0, 1}, List.of("猫猫猫", "shoe")).summary();
        // "猫猫猫" is 3 chars but 6 columns: padded by String.length, its counts stood 3 columns right of "shoe"'s.
        assertTrue(summary.endsWith("\n       n     top-1  class\n       1   100.00%  猫猫猫\n       1   100.00%  shoe\n"),
                summary);
    }

    @Test
    void badInputIsTyped() {
        assertThrows(EvaluationException.class, () -> ClassificationAccuracy.of(new float[5], new int[]{0}, SIX));
        assertThrows(EvaluationException.class, () -> ClassificationAccuracy.of(new float[6], new int[]{6}, SIX));
        assertThrows(EvaluationException.class, () -> ClassificationAccuracy.of(new float[0], new int[0], SIX));
        float[] nan = new float[6];
        nan[3] = Float.NaN;
        EvaluationException e = assertThrows(EvaluationException.class,
                () -> ClassificationAccuracy.of(nan, new int[]{0}, SIX));
        assertTrue(e.getMessage().contains("class 3"), e.getMessage());
    }

    @Test
    void zeroShotOfFeatureRowsWithoutADirectionIsRefusedNotTiedToClassZero() {
        // Text tower: the prompt of "x" embeds to the x axis, every other prompt to the y axis.
        ClipTokenizer tokenizer = ClipTokenizer.create();
        ClipModel model = new ClipModel() {
            @Override public ClipConfig config() { return ClipConfig.openai("ViT-B/32"); }
            @Override public float logitScale() { return 100; }
            @Override public Features encodePixels(float[] p, int n) { throw new UnsupportedOperationException(); }
            @Override public Features encodeTokens(long[] ids, int n) { throw new UnsupportedOperationException(); }
            @Override public Features encodeImages(List<ImageInput> images) { throw new UnsupportedOperationException(); }
            @Override public float[] preprocess(List<ImageInput> images) { throw new UnsupportedOperationException(); }
            @Override public long[] tokenize(List<String> texts) { return tokenizer.tokenize(texts).ids(); }
            @Override public Features encodeTexts(List<String> texts) {
                float[] out = new float[texts.size() * 2];
                for (int i = 0; i < texts.size(); i++) {
                    out[i * 2 + (texts.get(i).equals("x") ? 0 : 1)] = 1;
                }
                return new Features(out, texts.size(), 2);
            }
            @Override public void close() { }
        };
        List<String> names = List.of("x", "y");
        ZeroShotClassifier classifier = ZeroShotClassifier.build(model, names, List.of("{}"));
        LabeledFeatures good = new LabeledFeatures(new Features(new float[]{0, 2}, 1, 2), new int[]{1}, names);
        assertEquals(1.0, ZeroShotEvaluator.evaluate(classifier, good).top1());
        // An all-zero image row had equal probabilities everywhere and counted as a correct class-0 prediction.
        LabeledFeatures zero = new LabeledFeatures(new Features(new float[]{0, 2, 0, 0}, 2, 2), new int[]{1, 0}, names);
        EvaluationException e = assertThrows(EvaluationException.class,
                () -> ZeroShotEvaluator.evaluate(classifier, zero));
        assertTrue(e.getMessage().contains("image_features row 1 is all zeros"), e.getMessage());
        // A NaN row was an IllegalArgumentException from the softmax (a non-finite logit).
        LabeledFeatures nan = new LabeledFeatures(new Features(new float[]{Float.NaN, 1}, 1, 2), new int[]{0}, names);
        e = assertThrows(EvaluationException.class, () -> ZeroShotEvaluator.evaluate(classifier, nan));
        assertTrue(e.getMessage().contains("image_features row 0 is not finite"), e.getMessage());
        // Features of another width (another model) were Similarity's IllegalArgumentException, not documented here.
        LabeledFeatures wide = new LabeledFeatures(new Features(new float[]{0, 2, 0}, 1, 3), new int[]{1}, names);
        e = assertThrows(EvaluationException.class, () -> ZeroShotEvaluator.evaluate(classifier, wide));
        assertTrue(e.getMessage().startsWith("image_features have dimension 3, the classifier's embed_dim is 2"),
                e.getMessage());
    }

    @Test
    void jsonRoundTrip() throws Exception {
        float[] scores = {1, 0, 0, 1};
        ClassificationAccuracy a = ClassificationAccuracy.of(scores, new int[]{0, 0}, List.of("x", "y"));
        ObjectMapper m = new ObjectMapper();
        String json = m.writeValueAsString(a);
        assertTrue(json.contains("\"perClassAccuracy\":[0.5,null]"), json);
        assertEquals(a, m.readValue(json, ClassificationAccuracy.class));
        assertEquals(Arrays.asList(0.5, null), a.perClassAccuracy());
    }
}
