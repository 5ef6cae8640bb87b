package io.clip4j.eval;

import io.clip4j.ClipModel;
import io.clip4j.SimilarityResult;
import io.clip4j.data.ImageCaption;
import io.clip4j.data.LabeledDataset;
import io.clip4j.data.LabeledImage;
import io.clip4j.image.ImageDecodeException;
import io.clip4j.image.ImageInput;
import io.clip4j.zeroshot.PromptTemplates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Evaluations with the tiny-vit fixture model, cross-checked against scores computed directly from
 * {@link ClipModel#similarity} (the reference {@code CLIP.forward}).
 */
class ModelEvaluationTest {
    private static final Path DATA = Path.of(System.getProperty("clip4j.testdata"));
    private static final List<String> CLASSES = List.of("astronaut", "cat", "coffee", "horse", "diagram", "dog");
    /** image file, label */
    private static final Object[][] IMAGES = {
            {"astronaut.png", 0}, {"chelsea.png", 1}, {"coffee.png", 2}, {"horse.png", 3}, {"gray_L.png", 1},
            {"jpeg_q90.jpg", 1}, {"tiny_7x5.png", 0}, {"exact_224x224.png", 0}, {"CLIP.png", 4},
    };
    private static ClipModel model;

    @BeforeAll
    static void load() {
        model = ClipModel.load(DATA.resolve("models/tiny-vit/model.pt"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static LabeledDataset dataset() {
        List<LabeledImage> ex = new ArrayList<>();
        for (Object[] row : IMAGES) {
            ex.add(new LabeledImage(ImageInput.of(DATA.resolve("preprocess/images").resolve((String) row[0])),
                    (Integer) row[1]));
        }
        return new LabeledDataset("fixture", CLASSES, ex);
    }

    @Test
    void zeroShotAccuracyEqualsDirectSimilarityArgmax() {
        LabeledDataset ds = dataset();
        String template = PromptTemplates.PHOTO_OF_A;
        List<String> prompts = CLASSES.stream().map(c -> PromptTemplates.fill(template, c)).toList();
        SimilarityResult sim = model.similarity(ds.examples().stream().map(LabeledImage::image).toList(), prompts);
        int k = CLASSES.size();
        int top1 = 0;
        int top5 = 0;
        int[] perClassHits = new int[k];
        for (int i = 0; i < ds.size(); i++) {
            int y = ds.examples().get(i).label();
            int rank = 0;
            float[] row = new float[k];
            for (int j = 0; j < k; j++) {
                row[j] = sim.logit(i, j);
            }
            for (int j = 0; j < k; j++) {
                if (row[j] > row[y]) {
                    rank++;
                }
                // the cross-check is only meaningful without near-ties (batching changes logits by ~1e-6)
                if (j != y) {
                    assertTrue(Math.abs(row[j] - row[y]) > 1e-4, "near-tie in image " + i);
                }
            }
            top1 += rank == 0 ? 1 : 0;
            top5 += rank < 5 ? 1 : 0;
            perClassHits[y] += rank == 0 ? 1 : 0;
        }
        ZeroShotEvaluation r = ZeroShotEvaluator.evaluate(model, ds, List.of(template), 4);
        assertEquals(ds.size(), r.accuracy().n());
        assertEquals((double) top1 / ds.size(), r.accuracy().top1(), 1e-12);
        assertEquals((double) top5 / ds.size(), r.accuracy().top5(), 1e-12);
        assertEquals((double) perClassHits[1] / 3, r.accuracy().perClassAccuracy().get(1), 1e-12);
        assertEquals(null, r.accuracy().perClassAccuracy().get(5));
        assertEquals(1, r.templateCount());
        assertTrue(r.summary().contains("zero-shot on fixture"), r.summary());
    }

    @Test
    void retrievalRecallEqualsDirectSimilarityRanking() {
        Path img = DATA.resolve("preprocess/images");
        List<ImageCaption> pairs = new ArrayList<>();
        String[][] rows = {
                {"astronaut.png", "an astronaut in a white suit"}, {"chelsea.png", "a cat"},
                {"astronaut.png", "a woman with a flag"}, {"coffee.png", "a cup of coffee"},
                {"horse.png", "a horse"}, {"chelsea.png", "a tabby cat sitting"}, {"CLIP.png", "a diagram"},
                {"tiny_7x5.png", "a tiny image"}, {"coffee.png", "a saucer and a spoon"},
        };
        for (String[] r : rows) {
            pairs.add(new ImageCaption(ImageInput.of(img.resolve(r[0])), r[1]));
        }
        RetrievalResult r = RetrievalEvaluator.evaluate(model, pairs, 2);
        assertEquals(6, r.images());
        assertEquals(9, r.texts());
        // independent ranking from the reference similarity: distinct images in first-seen order
        List<String> names = new ArrayList<>();
        int[] textImage = new int[rows.length];
        for (int t = 0; t < rows.length; t++) {
            if (!names.contains(rows[t][0])) {
                names.add(rows[t][0]);
            }
            textImage[t] = names.indexOf(rows[t][0]);
        }
        SimilarityResult sim = model.similarity(names.stream().map(n -> ImageInput.of(img.resolve(n))).toList(),
                pairs.stream().map(ImageCaption::caption).toList());
        int i2t = 0;
        for (int i = 0; i < names.size(); i++) {
            int best = 0;
            for (int t = 1; t < rows.length; t++) {
                if (sim.logit(i, t) > sim.logit(i, best)) {
                    best = t;
                }
            }
            i2t += textImage[best] == i ? 1 : 0;
        }
        int t2i = 0;
        for (int t = 0; t < rows.length; t++) {
            int best = 0;
            for (int i = 1; i < names.size(); i++) {
                if (sim.logit(i, t) > sim.logit(best, t)) {
                    best = i;
                }
            }
            t2i += best == textImage[t] ? 1 : 0;
        }
        assertEquals((double) i2t / names.size(), r.imageToText().r1(), 1e-12);
        assertEquals((double) t2i / rows.length, r.textToImage().r1(), 1e-12);
        assertEquals(1.0, r.imageToText().r10(), "9 captions: every image's caption is within the 10 best");
        assertEquals(1.0, r.textToImage().r10());
    }

    @Test
    void linearProbeOnModelFeatures() {
        LabeledFeatures f = LabeledFeatures.encode(model, dataset(), 5);
        assertEquals(IMAGES.length, f.size());
        assertEquals(model.config().embedDim(), f.dim());
        // features equal the model's own encoding of the same files
        float[] direct = model.encodeImage(ImageInput.of(DATA.resolve("preprocess/images/coffee.png"))).toArray();
        float[] row = f.features().row(2);
        for (int j = 0; j < direct.length; j++) {
            assertEquals(direct[j], row[j], 1e-4f);
        }
        // a fixed-C probe trained and tested on the same rows separates these 9 images
        LinearProbeResult r = LinearProbe.evaluateFixedC(f, f, 1e3, LinearProbe.Options.defaults());
        assertEquals(1.0, r.test().top1(), r.summary());
    }

    @Test
    void undecodableImageIsNamed() {
        LabeledDataset bad = new LabeledDataset("bad", List.of("a", "b"), List.of(
                new LabeledImage(ImageInput.ofEncoded(new byte[]{1, 2, 3}, "junk.bin"), 0)));
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> ZeroShotEvaluator.evaluate(model, bad, List.of("{}"), 8));
        assertTrue(e.getMessage().contains("junk.bin"), e.getMessage());
        assertThrows(EvaluationException.class, () -> ZeroShotEvaluator.evaluate(model,
                new LabeledDataset("empty", List.of("a"), List.of()), List.of("{}"), 8));
        assertThrows(EvaluationException.class, () -> RetrievalEvaluator.evaluate(model, List.of(), 8));
    }
}
