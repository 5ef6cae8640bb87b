package io.clip4j.zeroshot;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.ClipConfig;
import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.image.ImageInput;
import io.clip4j.io.Npy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ZeroShotClassifierTest {
    private static final Path VIT = Path.of(System.getProperty("clip4j.testdata"), "models", "tiny-vit");

    /** A model whose text tower is a lookup table: the classifier arithmetic is what is under test. */
    private static ClipModel textTable(Function<String, float[]> table, int dim, float scale) {
        return new ClipModel() {
            @Override public ClipConfig config() { return ClipConfig.openai("ViT-B/32"); }
            @Override public float logitScale() { return scale; }
            @Override public Features encodePixels(float[] p, int n) { throw new UnsupportedOperationException(); }
            @Override public Features encodeTokens(long[] ids, int n) { throw new UnsupportedOperationException(); }
            @Override public Features encodeImages(List<ImageInput> images) { throw new UnsupportedOperationException(); }
            @Override public float[] preprocess(List<ImageInput> images) { throw new UnsupportedOperationException(); }
            @Override public long[] tokenize(List<String> texts) { throw new UnsupportedOperationException(); }
            @Override public Features encodeTexts(List<String> texts) {
                float[] out = new float[texts.size() * dim];
                for (int i = 0; i < texts.size(); i++) {
                    System.arraycopy(table.apply(texts.get(i)), 0, out, i * dim, dim);
                }
                return new Features(out, texts.size(), dim);
            }
            @Override public void close() { }
        };
    }

    @Test
    void singleTemplateReproducesReferenceLogitsAndProbs() throws IOException {
        List<String> texts = Arrays.asList(new ObjectMapper().readValue(VIT.resolve("texts.json").toFile(), String[].class));
        Npy tf = Npy.read(VIT.resolve("text_features.npy"));
        float[] t = tf.toFloatArray();
        int dim = (int) tf.shape()[1];
        Map<String, Integer> row = new java.util.HashMap<>();
        for (int i = 0; i < texts.size(); i++) {
            row.put(texts.get(i), i);
        }
        float scale = (float) new ObjectMapper().readTree(VIT.resolve("meta.json").toFile()).get("logit_scale_exp").asDouble();
        ClipModel model = textTable(s -> Arrays.copyOfRange(t, row.get(s) * dim, row.get(s) * dim + dim), dim, scale);
        // Labels must be distinct and non-blank: drop the empty text (index 5).
        List<String> labels = texts.stream().filter(s -> !s.isBlank()).toList();
        ZeroShotClassifier c = ZeroShotClassifier.build(model, labels, List.of("{}"));

        Npy imf = Npy.read(VIT.resolve("image_features.npy"));
        Features images = new Features(imf.toFloatArray(), (int) imf.shape()[0], dim);
        float[] refLogits = Npy.read(VIT.resolve("logits_per_image.npy")).toFloatArray();
        List<ZeroShotResult> results = c.classify(images);
        for (int i = 0; i < images.rows(); i++) {
            double sum = 0;
            for (Prediction p : results.get(i).predictions()) {
                int j = row.get(p.label());
                assertEquals(refLogits[i * texts.size() + j], p.logit(), 1e-4);
                sum += p.probability();
            }
            assertEquals(1.0, sum, 1e-5);
            List<Prediction> preds = results.get(i).predictions();
            for (int k = 1; k < preds.size(); k++) {
                assertEquals(true, preds.get(k - 1).probability() >= preds.get(k).probability());
            }
        }
    }

    @Test
    void ensemblesNormalisedTemplateEmbeddings() {
        // Two templates per label; embeddings chosen so the hand-computed mean is known.
        Map<String, float[]> table = Map.of(
                "a cat", new float[]{3, 0}, "the cat", new float[]{0, 5},
                "a dog", new float[]{-1, 0}, "the dog", new float[]{-2, 0});
        ClipModel model = textTable(table::get, 2, 100f);
        ZeroShotClassifier c = ZeroShotClassifier.build(model, List.of("cat", "dog"), List.of("a {}", "the {}"));
        Features e = c.classEmbeddings();
        double r = Math.sqrt(0.5);
        assertEquals(r, e.get(0, 0), 1e-6);
        assertEquals(r, e.get(0, 1), 1e-6);
        assertEquals(-1, e.get(1, 0), 1e-6);
        ZeroShotResult res = c.classify(new Features(new float[]{1, 1}, 1, 2)).get(0);
        assertEquals("cat", res.top().label());
        assertEquals(100f, res.top().logit(), 1e-4);
        assertEquals((float) (100 * -r), res.topK(2).get(1).logit(), 1e-4);
    }

    @Test
    void rejectsBadLabelsAndTemplates() {
        ClipModel model = textTable(s -> new float[]{1, 0}, 2, 1f);
        assertThrows(IllegalArgumentException.class, () -> ZeroShotClassifier.build(model, List.of(), List.of("{}")));
        assertThrows(IllegalArgumentException.class, () -> ZeroShotClassifier.build(model, List.of("a", "a"), List.of("{}")));
        assertThrows(IllegalArgumentException.class, () -> ZeroShotClassifier.build(model, List.of("a"), List.of("no slot")));
        assertThrows(IllegalArgumentException.class, () -> ZeroShotClassifier.build(model, List.of("a"), List.of()));
    }
}
