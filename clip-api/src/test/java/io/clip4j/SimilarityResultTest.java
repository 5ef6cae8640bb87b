package io.clip4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** SimilarityResult (the reference CLIP.forward outputs) from the tiny-vit fixture's own features. */
class SimilarityResultTest {
    private static final Path VIT = Path.of(System.getProperty("clip4j.testdata"), "models", "tiny-vit");

    private static Features features(String file) {
        Npy npy = Npy.read(VIT.resolve(file));
        return new Features(npy.toFloatArray(), (int) npy.shape()[0], (int) npy.shape()[1]);
    }

    private static SimilarityResult reference() throws IOException {
        float scale = (float) new ObjectMapper().readTree(VIT.resolve("meta.json").toFile()).get("logit_scale_exp").asDouble();
        return SimilarityResult.of(features("image_features.npy"), features("text_features.npy"), scale);
    }

    @Test
    void reproducesTheReferenceForwardOutputs() throws IOException {
        SimilarityResult r = reference();
        float[] logits = Npy.read(VIT.resolve("logits_per_image.npy")).toFloatArray();
        float[] probs = Npy.read(VIT.resolve("probs.npy")).toFloatArray();
        int n = r.imageCount();
        int m = r.textCount();
        assertEquals(logits.length, n * m);
        assertArrayEquals(logits, r.logitsPerImage(), 1e-3f);
        assertArrayEquals(probs, r.probs(), 1e-5f);
        assertEquals(logits[1 * m + 2], r.logitsPerText()[2 * n + 1], 1e-3f);
        assertEquals(probs[3 * m + 1], r.probability(3, 1), 1e-5f);
        assertThrows(IndexOutOfBoundsException.class, () -> r.logit(n, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> r.probability(0, -1));
    }

    @Test
    void toStringShowsTheShapeAndSmallLogits() throws IOException {
        SimilarityResult r = reference();
        float[] logits = Npy.read(VIT.resolve("logits_per_image.npy")).toFloatArray();
        String s = r.toString();
        assertEquals(true, s.startsWith("SimilarityResult[" + r.imageCount() + " images x " + r.textCount()
                + " texts, logits_per_image=[[" + String.format(java.util.Locale.ROOT, "%.2f", logits[0]) + ", "), s);
        Features one = new Features(new float[]{1, 0}, 1, 2);
        Features many = new Features(new float[2 * 9], 9, 2);
        assertEquals("SimilarityResult[1 image x 1 text, logits_per_image=[[100.00]]]",
                SimilarityResult.of(one, one, 100f).toString());
        assertEquals("SimilarityResult[1 image x 9 texts]", SimilarityResult.of(one, many, 100f).toString());
    }

    @Test
    void refusesEmptySides() {
        Features one = new Features(new float[]{1, 0}, 1, 2);
        Features none = new Features(new float[0], 0, 2);
        assertThrows(IllegalArgumentException.class, () -> SimilarityResult.of(none, one, 100f));
        assertThrows(IllegalArgumentException.class, () -> SimilarityResult.of(one, none, 100f));
    }

    @Test
    void refusesALogitScaleThatIsNotFiniteAndPositive() {
        // A raw logit_scale (ln 100 is positive, but a trained one may be below 0) or 0 reordered or flattened the
        // probabilities silently; exp(logit_scale) is always > 0.
        Features img = new Features(new float[]{1, 0}, 1, 2);
        Features txt = new Features(new float[]{1, 0, 0, 1}, 2, 2);
        for (float bad : new float[]{-4.6f, 0f, -0f, Float.NaN, Float.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SimilarityResult.of(img, txt, bad));
            assertTrue(e.getMessage().contains("logitScale is exp(logit_scale)"), e.getMessage());
        }
        assertEquals(1f / (1f + (float) Math.exp(-1e-3)), SimilarityResult.of(img, txt, 1e-3f).probs()[0], 1e-7f);
    }

    /** ClipModel.similarity refuses an empty side before encoding the other (minutes for many images). */
    @Test
    void modelSimilarityRefusesEmptySidesBeforeEncoding() {
        ClipModel model = new ClipModel() {
            @Override public ClipConfig config() { return ClipConfig.openai("ViT-B/32"); }
            @Override public float logitScale() { return 100f; }
            @Override public Features encodePixels(float[] p, int n) { throw new AssertionError("encoded"); }
            @Override public Features encodeTokens(long[] ids, int n) { throw new AssertionError("encoded"); }
            @Override public float[] preprocess(java.util.List<io.clip4j.image.ImageInput> images) {
                throw new AssertionError("preprocessed");
            }
            @Override public long[] tokenize(java.util.List<String> texts) { throw new AssertionError("tokenized"); }
            @Override public Features encodeImages(java.util.List<io.clip4j.image.ImageInput> images) {
                throw new AssertionError("encoded " + images.size() + " images");
            }
            @Override public Features encodeTexts(java.util.List<String> texts) {
                throw new AssertionError("encoded " + texts.size() + " texts");
            }
            @Override public void close() { }
        };
        io.clip4j.image.ImageInput image = io.clip4j.image.ImageInput.ofEncoded(new byte[] {1}, "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.similarity(java.util.List.of(image), java.util.List.of()));
        assertEquals("similarity needs at least one image and one text", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> model.similarity(java.util.List.of(), java.util.List.of("a")));
        assertThrows(NullPointerException.class, () -> model.similarity(null, java.util.List.of("a")));
        // Null is a NullPointerException as documented, even beside an empty other side.
        assertThrows(NullPointerException.class, () -> model.similarity(java.util.List.of(), null));
        assertThrows(NullPointerException.class, () -> model.similarity(null, java.util.List.of()));
    }
}
