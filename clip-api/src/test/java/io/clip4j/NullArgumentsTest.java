package io.clip4j;

import io.clip4j.eval.FewShotProbe;
import io.clip4j.eval.LabeledFeatures;
import io.clip4j.eval.LogisticRegression;
import io.clip4j.image.ImagePreprocessor;
import io.clip4j.math.Similarity;
import io.clip4j.pretrained.HuggingFaceCache;
import io.clip4j.pretrained.HuggingFaceHub;
import io.clip4j.search.EmbeddingIndex;
import io.clip4j.search.ModelFingerprint;
import io.clip4j.spi.AbstractClipModel;
import io.clip4j.zeroshot.ZeroShotResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Javadoc promises a {@link NullPointerException} for a null argument: it must name the parameter, not be the
 * JVM's "Cannot invoke ... because ... is null" from deep inside, and it must come before any expensive work.
 */
class NullArgumentsTest {
    private static final ClipConfig CONFIG = new ClipConfig(4, 32, new int[] {1}, 64, 16, 77, 49408, 64, 1, 1, 1);
    private static final Features ONE_ROW = new Features(new float[] {1, 0, 0, 0}, 1, 4);

    /** Text features from the first two token ids, so that labels differ; counts forward passes. */
    private static final class CountingModel extends AbstractClipModel {
        int textPasses;

        CountingModel() {
            super(CONFIG, ClipModel.builder(Path.of("unused")));
        }

        @Override
        public float logitScale() {
            return 100f;
        }

        @Override
        public Features encodePixels(float[] pixelValues, int n) {
            return new Features(new float[n * 4], n, 4);
        }

        @Override
        public Features encodeTokens(long[] ids, int n) {
            textPasses++;
            float[] out = new float[n * 4];
            for (int i = 0; i < n; i++) {
                out[i * 4] = ids[i * 77 + 1];
                out[i * 4 + 1] = ids[i * 77 + 2];
                out[i * 4 + 2] = 1;
            }
            return new Features(out, n, 4);
        }

        @Override
        public void close() {
        }
    }

    private static void assertNamed(String parameter, Executable call) {
        assertEquals(parameter, assertThrows(NullPointerException.class, call).getMessage());
    }

    @Test
    void zeroShotRefusesANullImageBeforeEncodingTheLabels() {
        CountingModel m = new CountingModel();
        assertNamed("image", () -> m.zeroShot(null, List.of("cat", "dog")));
        assertEquals(0, m.textPasses); // it used to encode every label's prompt first
    }

    @Test
    void featuresAndSimilarityNameTheirNullArgument() {
        assertNamed("data", () -> new Features(null, 0, 4));
        assertNamed("imageFeatures", () -> SimilarityResult.of(null, ONE_ROW, 100));
        assertNamed("textFeatures", () -> SimilarityResult.of(ONE_ROW, null, 100));
        assertNamed("imageFeatures", () -> Similarity.logits(null, ONE_ROW, 100));
        assertNamed("textFeatures", () -> Similarity.logits(ONE_ROW, null, 100));
        assertNamed("m", () -> Similarity.transpose(null, 1, 1));
        assertNamed("logits", () -> Similarity.softmaxRows(null, 1, 1));
        assertNamed("values", () -> Similarity.topK(null, 1));
        assertNamed("logits", () -> Similarity.softmaxTopK(null, 1, 1, 1));
        assertNamed("predictions", () -> new ZeroShotResult(null));
        CountingModel m = new CountingModel();
        assertNamed("imageFeatures", () -> m.classifier(List.of("cat", "dog"), List.of("{}")).classify(
                (Features) null));
    }

    @Test
    void preprocessorBatchesNameTheirNullList() {
        ImagePreprocessor p = ImagePreprocessor.clip(2);
        assertNamed("inputs", () -> p.preprocessBatch(null));
        assertNamed("inputs", () -> p.decodeBatch(null));
        assertNamed("inputs", () -> p.decodeBatch(null, 0, 0));
        assertNamed("inputs", () -> new CountingModel().preprocess(null));
    }

    @Test
    void indexMethodsNameTheirNullArgument() {
        EmbeddingIndex index = EmbeddingIndex.builder(4).add("a", new float[] {1, 0, 0, 0}).build();
        assertNamed("file", () -> EmbeddingIndex.load(null));
        assertNamed("file", () -> index.save(null));
        assertNamed("file", () -> EmbeddingIndex.checkDestination(null));
        assertNamed("queries", () -> index.search((Features) null, 1));
        assertNamed("ids", () -> EmbeddingIndex.builder(4).addAll(null, ONE_ROW));
        assertNamed("features", () -> EmbeddingIndex.builder(4).addAll(List.of("a"), null));
        assertNamed("a", () -> ModelFingerprint.matches(null, new float[8]));
        assertNamed("b", () -> ModelFingerprint.matches(new float[8], null));
    }

    @Test
    void probesNameTheirNullArgument() {
        LabeledFeatures train = new LabeledFeatures(new Features(new float[] {1, 0, 0, 1}, 2, 2), new int[] {0, 1},
                List.of("a", "b"));
        LogisticRegression lr = LogisticRegression.withC(1);
        assertNamed("rows", () -> train.subset(null));
        assertNamed("train", () -> FewShotProbe.sample(null, 1, 0));
        assertNamed("shots", () -> FewShotProbe.evaluate(train, train, null, 1, lr, false, null));
        assertNamed("regression", () -> FewShotProbe.evaluate(train, train, List.of(1), 1, null, false, null));
        assertNamed("labels", () -> FewShotProbe.check(List.of("a"), null, List.of(1), 1));
        assertNamed("classNames", () -> FewShotProbe.check(null, new int[0], List.of(1), 1));
    }

    @Test
    void hubRefusesANullRepoIdAsNoRepoId(@TempDir Path cache) {
        assertFalse(HuggingFaceCache.isRepoId(null));
        assertTrue(HuggingFaceCache.isRepoId("openai/clip-vit-base-patch32"));
        HuggingFaceHub hub = new HuggingFaceHub(cache).offline(true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> hub.fetch(null));
        assertTrue(e.getMessage().startsWith("not a Hugging Face repo id"), e.getMessage());
        assertNamed("url", () -> hub.endpoint(null));
    }
}
