package io.clip4j.math;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.Features;
import io.clip4j.io.Npy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimilarityTest {
    private static final Path MODELS = Path.of(System.getProperty("clip4j.testdata"), "models");

    private static Features features(Path file) {
        Npy npy = Npy.read(file);
        long[] s = npy.shape();
        return new Features(npy.toFloatArray(), (int) s[0], (int) s[1]);
    }

    /** The reference's logits and probs from its own features and logit_scale (fixtures). */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-vit", "tiny-rn"})
    void reproducesReferenceLogitsAndProbs(String model) throws IOException {
        Path dir = MODELS.resolve(model);
        JsonNode meta = new ObjectMapper().readTree(dir.resolve("meta.json").toFile());
        float scale = (float) meta.get("logit_scale_exp").asDouble();
        Features img = features(dir.resolve("image_features.npy"));
        Features txt = features(dir.resolve("text_features.npy"));
        float[] logits = Similarity.logits(img, txt, scale);
        float[] expected = Npy.read(dir.resolve("logits_per_image.npy")).toFloatArray();
        float max = 0;
        for (float v : expected) {
            max = Math.max(max, Math.abs(v));
        }
        assertArrayEquals(expected, logits, 1e-4f * Math.max(1, max));
        float[] probs = Similarity.softmaxRows(logits, img.rows(), txt.rows());
        assertArrayEquals(Npy.read(dir.resolve("probs.npy")).toFloatArray(), probs, 1e-5f);
        float[] perText = Similarity.transpose(logits, img.rows(), txt.rows());
        assertEquals(logits[1 * txt.rows() + 5], perText[5 * img.rows() + 1]);
    }

    @Test
    void topKOrdersByValueThenIndex() {
        assertArrayEquals(new int[]{2, 0, 3}, Similarity.topK(new float[]{0.3f, 0.1f, 0.5f, 0.3f}, 3));
        assertArrayEquals(new int[]{1, 0}, Similarity.topK(new float[]{0.2f, 0.8f}, 5));
        assertThrows(IllegalArgumentException.class, () -> Similarity.topK(new float[]{1f}, 0));
    }

    /**
     * Ranking all of many labels (what ZeroShotClassifier.classify does) was quadratic: 35 s for 80,000 labels. The
     * sorted path must order exactly like the selection of a few picks: by value, equal values (0.0 and -0.0 too)
     * by lower index.
     */
    @Test
    void topKOfManyLabelsIsFastAndOrdersLikeTheSelection() {
        float inf = Float.POSITIVE_INFINITY;
        float[] palette = {0f, -0f, 1f, -1f, 0.5f, inf, -inf, Float.MIN_VALUE};
        java.util.Random rnd = new java.util.Random(5);
        float[] v = new float[1000];
        for (int i = 0; i < v.length; i++) {
            v[i] = palette[rnd.nextInt(palette.length)];
        }
        int[] all = Similarity.topK(v, v.length);
        for (int k = 1; k <= 40; k++) {
            assertArrayEquals(java.util.Arrays.copyOf(all, k), Similarity.topK(v, k), "k " + k);
        }
        float[] many = new float[100_000];
        for (int i = 0; i < many.length; i++) {
            many[i] = rnd.nextFloat();
        }
        int[] ranked = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
                () -> Similarity.topK(many, many.length));
        for (int t = 1; t < ranked.length; t++) {
            assertTrue(many[ranked[t - 1]] >= many[ranked[t]], "rank " + t);
        }
    }

    @Test
    void topKRefusesNaNWhichRankedFirstOnlyAtIndexZero() {
        float inf = Float.POSITIVE_INFINITY;
        assertArrayEquals(new int[]{2, 0, 1}, Similarity.topK(new float[]{0, -inf, inf}, 3));
        for (float[] row : new float[][]{{Float.NaN, 1, 2}, {1, Float.NaN, 2}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Similarity.topK(row, 3));
            assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        }
    }

    /** softmax + top-k (the reference notebook's {@code probs.topk(k)}) against the fixtures' probs. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-vit", "tiny-rn"})
    void softmaxTopKMatchesTheReferenceProbs(String model) {
        Path dir = MODELS.resolve(model);
        float[] logits = Npy.read(dir.resolve("logits_per_image.npy")).toFloatArray();
        float[] probs = Npy.read(dir.resolve("probs.npy")).toFloatArray();
        TopK top = Similarity.softmaxTopK(logits, 4, 8, 3);
        assertEquals(4, top.rows());
        assertEquals(3, top.k());
        for (int i = 0; i < 4; i++) {
            // The reference ranking of row i, computed here from its probs.
            Integer[] order = {0, 1, 2, 3, 4, 5, 6, 7};
            final int row = i;
            java.util.Arrays.sort(order, (a, b) -> Float.compare(probs[row * 8 + b], probs[row * 8 + a]));
            for (int r = 0; r < 3; r++) {
                assertEquals(order[r], top.index(i, r), "rank " + r + " of image " + i);
                assertEquals(probs[i * 8 + order[r]], top.prob(i, r), 1e-6f);
                assertEquals(logits[i * 8 + order[r]], top.logit(i, r), 0f);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Similarity.softmaxTopK(logits, 4, 8, 9));
        assertThrows(IllegalArgumentException.class, () -> Similarity.softmaxTopK(logits, 4, 8, 0));
        assertThrows(IllegalArgumentException.class, () -> Similarity.softmaxTopK(logits, 3, 8, 1));
    }

    @Test
    void topKRecordChecksShapesAndIndices() {
        TopK t = new TopK(1, 2, new float[] {0.7f, 0.3f}, new int[] {1, 0}, new float[] {2f, 1f});
        assertEquals(1, t.index(0, 0));
        assertEquals(0.3f, t.prob(0, 1));
        assertEquals(2f, t.logit(0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> t.index(1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> t.prob(0, 2));
        assertThrows(IllegalArgumentException.class,
                () -> new TopK(1, 2, new float[2], new int[2], new float[3]));
        assertThrows(IllegalArgumentException.class, () -> new TopK(0, 2, new float[0], new int[0], new float[0]));
    }

    @Test
    void rejectsMismatchedEmbedDims() {
        Features a = new Features(new float[4], 2, 2);
        Features b = new Features(new float[3], 1, 3);
        assertThrows(IllegalArgumentException.class, () -> Similarity.logits(a, b, 100f));
        assertThrows(IllegalArgumentException.class,
                () -> Similarity.softmaxRows(new float[]{1f, Float.NaN}, 1, 2));
    }

    @Test
    void logitsTooLargeForOneArrayAreRefusedBeforeAllocating() {
        // 46341^2 wrapped to a negative array size and 65537^2 to a too-small array (an index out of bounds); with
        // dim 1 the inputs are small and the check comes before the output is allocated.
        for (int rows : new int[] {46341, 65537}) {
            Features f = new Features(new float[rows], rows, 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Similarity.logits(f, f, 100f));
            assertTrue(e.getMessage().contains("logits_per_image [" + rows + ", " + rows + "] would hold "
                    + (long) rows * rows + " elements"), e.getMessage());
        }
        assertEquals(1, Similarity.logits(new Features(new float[] {2f}, 1, 1),
                new Features(new float[] {-3f}, 1, 1), 100f).length);
    }

    @Test
    void arraySizesChecksSignsAndTheJavaArrayLimit() {
        assertEquals(ArraySizes.MAX_LENGTH, ArraySizes.product("x", ArraySizes.MAX_LENGTH, 1));
        assertEquals(0, ArraySizes.product("x", 0, Integer.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> ArraySizes.product("x", ArraySizes.MAX_LENGTH + 1, 1));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ArraySizes.product("x", -1, 3)).getMessage()
                .contains("x [-1, 3]: sizes must be >= 0"));
    }
    /**
     * No rows allow any column count (0 x cols values): the buffer of one row's exps must not be sized by cols then,
     * or [0, 2^31 - 1] asked for 16 GiB and ended in OutOfMemoryError instead of an empty result.
     */
    @Test
    void softmaxRowsOfNoRowsAllocatesNothingForTheirColumns() {
        assertEquals(0, Similarity.softmaxRows(new float[0], 0, Integer.MAX_VALUE).length);
    }

    /** softmaxRows computes each exp once; the probabilities are those of the formula that computed them twice. */
    @Test
    void softmaxRowsGivesTheBitsOfTheTwoPassFormula() {
        java.util.Random rnd = new java.util.Random(17);
        for (int cols : new int[] {1, 2, 7, 1000}) {
            int rows = 3;
            float[] logits = new float[rows * cols];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) (rnd.nextGaussian() * 30);
            }
            logits[0] = -Float.MAX_VALUE; // exp underflows to 0 unless it is the row's only value
            float[] expected = new float[logits.length];
            for (int r = 0; r < rows; r++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < cols; c++) {
                    max = Math.max(max, logits[r * cols + c]);
                }
                double sum = 0;
                for (int c = 0; c < cols; c++) {
                    sum += Math.exp(logits[r * cols + c] - max);
                }
                for (int c = 0; c < cols; c++) {
                    expected[r * cols + c] = (float) (Math.exp(logits[r * cols + c] - max) / sum);
                }
            }
            assertArrayEquals(expected, Similarity.softmaxRows(logits, rows, cols), 0f, "cols " + cols);
        }
    }
}
