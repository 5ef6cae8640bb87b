package io.clip4j.zeroshot;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.ClipConfig;
import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.image.ImageInput;
import io.clip4j.io.Npy;
import io.clip4j.text.ClipTokenizer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ZeroShotClassifierTest {
    private static final Path VIT = Path.of(System.getProperty("clip4j.testdata"), "models", "tiny-vit");
    private static final ClipTokenizer TOKENIZER = ClipTokenizer.create();

    /** A model whose text tower is a lookup table: the classifier arithmetic is what is under test. */
    private static ClipModel textTable(Function<String, float[]> table, int dim, float scale) {
        return new ClipModel() {
            @Override public ClipConfig config() { return ClipConfig.openai("ViT-B/32"); }
            @Override public float logitScale() { return scale; }
            @Override public Features encodePixels(float[] p, int n) { throw new UnsupportedOperationException(); }
            @Override public Features encodeTokens(long[] ids, int n) { throw new UnsupportedOperationException(); }
            @Override public Features encodeImages(List<ImageInput> images) { throw new UnsupportedOperationException(); }
            @Override public float[] preprocess(List<ImageInput> images) { throw new UnsupportedOperationException(); }
            @Override public long[] tokenize(List<String> texts) { return TOKENIZER.tokenize(texts).ids(); }
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

    /** The tiny-vit fixture texts, their text_features rows and logit_scale. */
    private record TextFixture(List<String> texts, float[] features, int dim, Map<String, Integer> row, float scale) {
        static TextFixture load() throws IOException {
            List<String> texts = Arrays.asList(new ObjectMapper().readValue(VIT.resolve("texts.json").toFile(),
                    String[].class));
            Npy tf = Npy.read(VIT.resolve("text_features.npy"));
            Map<String, Integer> row = new java.util.HashMap<>();
            for (int i = 0; i < texts.size(); i++) {
                row.put(texts.get(i), i);
            }
            float scale = (float) new ObjectMapper().readTree(VIT.resolve("meta.json").toFile())
                    .get("logit_scale_exp").asDouble();
            return new TextFixture(texts, tf.toFloatArray(), (int) tf.shape()[1], row, scale);
        }

        float[] of(String text) {
            int r = row.get(text);
            return Arrays.copyOfRange(features, r * dim, r * dim + dim);
        }
    }

    @Test
    void topKThroughTheModelsDefaultZeroShotTopKEqualsTheFullRanking() throws IOException {
        TextFixture fx = TextFixture.load();
        List<String> texts = fx.texts();
        int dim = fx.dim();
        Map<String, Integer> row = fx.row();
        float scale = fx.scale();
        float[] imageFeatures = Npy.read(VIT.resolve("image_features.npy")).toFloatArray();
        ClipConfig tinyVit = new ClipConfig(dim, 224, new int[] {2}, 128, 32, 77, 49408, 128, 2, 2, 2);
        ClipModel text = textTable(fx::of, dim, scale);
        // Image tower as a lookup: fixture image i is the input named "image<i>".
        ClipModel model = new ClipModel() {
            @Override public ClipConfig config() { return tinyVit; }
            @Override public float logitScale() { return scale; }
            @Override public Features encodePixels(float[] p, int n) { throw new UnsupportedOperationException(); }
            @Override public Features encodeTokens(long[] ids, int n) { throw new UnsupportedOperationException(); }
            @Override public float[] preprocess(List<ImageInput> images) { throw new UnsupportedOperationException(); }
            @Override public long[] tokenize(List<String> texts) { return TOKENIZER.tokenize(texts).ids(); }
            @Override public Features encodeTexts(List<String> texts) { return text.encodeTexts(texts); }
            @Override public Features encodeImages(List<ImageInput> images) {
                float[] out = new float[images.size() * dim];
                for (int i = 0; i < images.size(); i++) {
                    int j = Integer.parseInt(images.get(i).toString().substring("image".length()));
                    System.arraycopy(imageFeatures, j * dim, out, i * dim, dim);
                }
                return new Features(out, images.size(), dim);
            }
            @Override public void close() { }
        };
        List<String> labels = texts.stream().filter(s -> !s.isBlank()).toList();
        ZeroShotClassifier c = ZeroShotClassifier.build(model, labels, List.of("{}"));
        List<ImageInput> images = new java.util.ArrayList<>();
        for (int i = 3; i >= 0; i--) {
            images.add(ImageInput.ofEncoded(new byte[] {1}, "image" + i));
        }
        List<ZeroShotResult> top = c.classifyAll(images, 3);
        float[] refLogits = Npy.read(VIT.resolve("logits_per_image.npy")).toFloatArray();
        for (int i = 0; i < 4; i++) {
            int fixtureRow = 3 - i;
            List<Prediction> full = c.classify(new Features(Arrays.copyOfRange(imageFeatures, fixtureRow * dim,
                    fixtureRow * dim + dim), 1, dim)).get(0).predictions();
            assertEquals(3, top.get(i).predictions().size());
            for (int r = 0; r < 3; r++) {
                Prediction p = top.get(i).predictions().get(r);
                assertEquals(full.get(r), p);
                assertEquals(refLogits[fixtureRow * texts.size() + row.get(p.label())], p.logit(), 1e-4);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> c.classifyAll(images, 0));
        assertThrows(IllegalArgumentException.class, () -> c.classifyAll(images, labels.size() + 1));
        assertThrows(IllegalArgumentException.class, () -> c.classifyAll(List.of(), 1));
        // A class row without direction is refused (the reference would divide by a zero norm).
        float[] zero = c.classEmbeddings().toArray();
        Arrays.fill(zero, 0, dim, 0f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.zeroShotTopK(images, new Features(zero, labels.size(), dim), 1));
        assertTrue(e.getMessage().contains("class embedding 0 is all zeros"), e.getMessage());
        // Non-finite image_features are the engine's failure: a ClipException naming the image.
        Arrays.fill(imageFeatures, 2 * dim, 2 * dim + 1, Float.NaN);
        io.clip4j.ClipException nan = assertThrows(io.clip4j.ClipException.class,
                () -> model.zeroShotTopK(images, c.classEmbeddings(), 1));
        assertTrue(nan.getMessage().contains("image 1 are not finite"), nan.getMessage());
    }

    @Test
    void singleTemplateReproducesReferenceLogitsAndProbs() throws IOException {
        TextFixture fx = TextFixture.load();
        List<String> texts = fx.texts();
        int dim = fx.dim();
        Map<String, Integer> row = fx.row();
        float scale = fx.scale();
        ClipModel model = textTable(fx::of, dim, scale);
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
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ZeroShotClassifier.build(model, List.of("a", " \u3000"), List.of("{}")));
        assertEquals("label 2 of 2 is blank", e.getMessage());
        assertEquals("duplicate label 'a'", assertThrows(IllegalArgumentException.class,
                () -> ZeroShotClassifier.build(model, List.of("a", "b", "a"), List.of("{}"))).getMessage());
    }

    @Test
    void labelsTheTokenizerReadsAsNothingAreBlank() {
        // Unicode spaces Character.isWhitespace does not count, and HTML entities of spaces: each label's prompt
        // would be "a photo of a ." and take probability as a class of its own.
        ClipModel model = textTable(s -> new float[]{1, 0}, 2, 1f);
        for (String blank : new String[] {"\u00A0", "\u2007", "\u202F", "\t\u00A0\u205F", "&nbsp;", "&#32;", " &nbsp; ",
            "\u001b[1;31m\u001b[0m"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ZeroShotClassifier.build(model, List.of("cat", blank), List.of("a photo of a {}.")), blank);
            // Quoted printable: a raw tab or terminal escape (which ftfy drops) went into the message as it was.
            String quoted = blank.replace("\t", "\\t").replace("\u001b", "\\u001b");
            assertEquals("label 2 of 2 is blank: '" + quoted + "' gives no tokens (the tokenizer unescapes HTML and"
                    + " drops whitespace)", e.getMessage());
        }
        assertEquals(List.of("cat", "&"), ZeroShotClassifier.build(model, List.of("cat", "&"), List.of("{}")).labels());
        // Labels are checked in slices: the place of a blank one past the first slice is still the caller's.
        List<String> many = new java.util.ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            many.add("class " + i);
        }
        many.set(4500, "&nbsp;");
        IllegalArgumentException late = assertThrows(IllegalArgumentException.class,
                () -> ZeroShotClassifier.build(model, many, List.of("{}")));
        assertTrue(late.getMessage().startsWith("label 4501 of 5000 is blank: '&nbsp;'"), late.getMessage());
    }

    @Test
    void nullTemplatesAndDirectionlessClassesAreRefused() {
        ClipModel model = textTable(s -> new float[]{1, 0}, 2, 1f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ZeroShotClassifier.build(model, List.of("cat"), Arrays.asList("{}", null)));
        assertEquals("prompt template 2 of 2 is null", e.getMessage());
        // Two templates whose embeddings cancel: the class would have no direction and score cos = 0 silently.
        Map<String, float[]> table = Map.of("a cat", new float[]{1, 0}, "no cat", new float[]{-2, 0},
                "a dog", new float[]{0, 1}, "no dog", new float[]{1, 1});
        e = assertThrows(IllegalArgumentException.class, () -> ZeroShotClassifier.build(textTable(table::get, 2, 100f),
                List.of("dog", "cat"), List.of("a {}", "no {}")));
        assertEquals("label 'cat' has no class embedding: the normalised text_features of its 2 prompts average to"
                + " zero", e.getMessage());
    }

    /**
     * Many labels x many templates are encoded a few thousand prompts at a time (all at once held ids, features and a
     * normalised copy of every prompt: 8 GB for ImageNet-21k's 21,843 labels x 80 templates), with the same result.
     */
    @Test
    void manyPromptsAreEncodedInPartsWithTheSameEmbeddings() {
        int[] largestCall = {0};
        Function<String, float[]> vector = text -> {
            java.util.Random r = new java.util.Random(text.hashCode());
            return new float[]{r.nextFloat() - 0.5f, r.nextFloat() - 0.5f, r.nextFloat() - 0.5f};
        };
        ClipModel table = textTable(vector, 3, 100f);
        ClipModel model = new ClipModel() {
            @Override public ClipConfig config() { return table.config(); }
            @Override public float logitScale() { return table.logitScale(); }
            @Override public Features encodePixels(float[] p, int n) { throw new UnsupportedOperationException(); }
            @Override public Features encodeTokens(long[] ids, int n) { throw new UnsupportedOperationException(); }
            @Override public Features encodeImages(List<ImageInput> images) { throw new UnsupportedOperationException(); }
            @Override public float[] preprocess(List<ImageInput> images) { throw new UnsupportedOperationException(); }
            @Override public long[] tokenize(List<String> texts) {
                largestCall[0] = Math.max(largestCall[0], texts.size());
                return table.tokenize(texts);
            }
            @Override public Features encodeTexts(List<String> texts) {
                largestCall[0] = Math.max(largestCall[0], texts.size());
                return table.encodeTexts(texts);
            }
            @Override public void close() { }
        };
        List<String> labels = java.util.stream.IntStream.range(0, 120).mapToObj(i -> "class " + i).toList();
        ZeroShotClassifier c = ZeroShotClassifier.build(model, labels, PromptTemplates.IMAGENET_80);
        assertTrue(largestCall[0] <= 4096, "largest call " + largestCall[0]);
        for (int l : new int[] {0, 50, 51, 119}) {
            double[] mean = new double[3];
            for (String t : PromptTemplates.IMAGENET_80) {
                float[] row = new Features(vector.apply(PromptTemplates.fill(t, labels.get(l))), 1, 3).normalized().row(0);
                for (int d = 0; d < 3; d++) {
                    mean[d] += row[d] / 80.0;
                }
            }
            double norm = Math.sqrt(mean[0] * mean[0] + mean[1] * mean[1] + mean[2] * mean[2]);
            for (int d = 0; d < 3; d++) {
                assertEquals(mean[d] / norm, c.classEmbeddings().get(l, d), 1e-6, "label " + l);
            }
        }
        List<String> twins = new java.util.ArrayList<>(labels);
        twins.add("CLASS 0 ");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ZeroShotClassifier.build(model, twins, PromptTemplates.IMAGENET_80));
        assertTrue(e.getMessage().startsWith("labels 'class 0' and 'CLASS 0 ' are duplicates"), e.getMessage());
    }

    /**
     * The duplicate check keeps only a hash of each label's ids: labels whose ids differ but hash alike must still be
     * two classes, and a third equal to one of them must still be found.
     */
    @Test
    void labelsWhoseIdsHashAlikeAreNotDuplicates() {
        // LongBuffer.hashCode of [a0, a1] is 961 + 31 * a1 + a0: [31, 0] and [0, 1] collide, [31, 0] and [0, 2] not.
        Map<String, long[]> ids = Map.of("", new long[]{0, 0}, "p", new long[]{31, 0}, "q", new long[]{0, 1},
                "r", new long[]{31, 0}, "s", new long[]{0, 2});
        ClipModel table = textTable(t -> new float[]{t.charAt(0) - 'o', 1}, 2, 100f);
        ClipModel model = new ClipModel() {
            @Override public ClipConfig config() { return table.config(); }
            @Override public float logitScale() { return table.logitScale(); }
            @Override public Features encodePixels(float[] p, int n) { throw new UnsupportedOperationException(); }
            @Override public Features encodeTokens(long[] t, int n) { throw new UnsupportedOperationException(); }
            @Override public Features encodeImages(List<ImageInput> images) { throw new UnsupportedOperationException(); }
            @Override public float[] preprocess(List<ImageInput> images) { throw new UnsupportedOperationException(); }
            @Override public long[] tokenize(List<String> texts) {
                long[] out = new long[2 * texts.size()];
                for (int i = 0; i < texts.size(); i++) {
                    System.arraycopy(ids.get(texts.get(i)), 0, out, 2 * i, 2);
                }
                return out;
            }
            @Override public Features encodeTexts(List<String> texts) { return table.encodeTexts(texts); }
            @Override public void close() { }
        };
        assertEquals(java.nio.LongBuffer.wrap(ids.get("p")).hashCode(), java.nio.LongBuffer.wrap(ids.get("q")).hashCode());
        assertEquals(List.of("p", "q", "s"), ZeroShotClassifier.build(model, List.of("p", "q", "s"), List.of("{}")).labels());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ZeroShotClassifier.build(model, List.of("p", "q", "r"), List.of("{}")));
        assertTrue(e.getMessage().startsWith("labels 'p' and 'r' are duplicates"), e.getMessage());
    }

    @Test
    void labelsWhosePromptsTokenizeAlikeAreDuplicates() {
        // "cat" and "Cat " give identical prompt ids: as two classes they would split one class's probability.
        ClipModel model = textTable(s -> new float[]{1, 0}, 2, 1f);
        for (String twin : new String[] {"cat ", " cat", "cat\t", "cat\u00A0", "Cat", "CAT ", "c&#97;t"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ZeroShotClassifier.build(model, List.of("dog", "cat", twin), List.of("a photo of a {}.")));
            assertEquals("labels 'cat' and '" + twin.replace("\t", "\\t") + "' are duplicates: their prompts give the same token ids (the"
                    + " tokenizer lower-cases, collapses whitespace and cuts at context_length)", e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ZeroShotClassifier.build(model, List.of("ice  cream", "ice cream"), List.of("{}")));
        assertTrue(e.getMessage().contains("'ice  cream' and 'ice cream'"), e.getMessage());
        String longLabel = "word ".repeat(80);
        e = assertThrows(IllegalArgumentException.class,
                () -> ZeroShotClassifier.build(model, List.of(longLabel + "one", longLabel + "two"), List.of("{}")));
        assertTrue(e.getMessage().contains("cuts at context_length"), e.getMessage());
        assertEquals(List.of("icecream", "ice cream"),
                ZeroShotClassifier.build(model, List.of("icecream", "ice cream"), List.of("{}")).labels());
    }

    @Test
    void aResultWithoutPredictionsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ZeroShotResult(List.of()));
        assertEquals("a zero-shot result needs at least one prediction", e.getMessage());
        Prediction p = new Prediction("cat", 1f, 30f);
        assertEquals(p, new ZeroShotResult(List.of(p)).top());
    }

    @Test
    void aPredictionsProbabilityMustBeInTheDocumentedRange() {
        assertEquals(0f, new Prediction("cat", 0f, -3f).probability());
        for (float bad : new float[]{-0.001f, 1.001f, Float.NaN, Float.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Prediction("cat", bad, 1f));
            assertEquals("probability of 'cat' must be in [0, 1], got " + bad, e.getMessage());
        }
    }
}
