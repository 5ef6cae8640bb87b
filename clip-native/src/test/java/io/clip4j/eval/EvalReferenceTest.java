package io.clip4j.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.data.CaptionFile;
import io.clip4j.data.IdxDataset;
import io.clip4j.data.ImageCaption;
import io.clip4j.data.LabeledDataset;
import io.clip4j.image.ImageInput;
import io.clip4j.zeroshot.Prediction;
import io.clip4j.zeroshot.PromptTemplates;
import io.clip4j.zeroshot.ZeroShotClassifier;
import io.clip4j.zeroshot.ZeroShotResult;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Prompt ensembling, zero-shot accuracy and retrieval recall against the reference PyTorch implementation run on the
 * same weights: {@code testdata/eval-reference/reference.json}, written by {@code gen.py} there (openai/CLIP's
 * {@code model.py}, the zero-shot notebook's {@code zeroshot_classifier} and the paper's retrieval protocol; its
 * README says how). Each of these computations is what {@code clip eval zero-shot} / {@code clip eval retrieval} run.
 */
class EvalReferenceTest {
    private static final Path DATA = Path.of(System.getProperty("clip4j.testdata"));
    private static final Path DEFAULT_MODEL = DATA.getParent().resolve("models/default/model.safetensors");
    private static final Path TINY_VIT = DATA.resolve("models/tiny-vit/model.pt");
    /**
     * Float32 noise of two implementations: the class embeddings and the probabilities agree within 1.5e-7, the
     * logits within 1.3e-6; a raw (unnormalised) mean of the prompts' text_features, or one template missing, moves
     * the embeddings by 3e-3 or more (gen.py records both).
     */
    private static final double EMBEDDING_TOLERANCE = 1e-5;
    private static final double PROBABILITY_TOLERANCE = 1e-5;
    /** Logits are logit_scale (15.46) times a cosine. */
    private static final double LOGIT_TOLERANCE = 1e-4;

    private static JsonNode reference() throws IOException {
        return new ObjectMapper().readTree(DATA.resolve("eval-reference/reference.json").toFile());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /**
     * The notebook's {@code zeroshot_classifier} (normalise each prompt's text_features, mean, normalise) with its 80
     * templates and with a custom list of three: the same class embeddings, and the same logits and probabilities
     * for the four fixture images.
     */
    @Test
    void promptEnsembleMatchesTheNotebooksZeroshotClassifier() throws IOException {
        JsonNode ref = reference().get("ensemble");
        List<String> labels = strings(ref.get("labels"));
        List<ImageInput> images = new ArrayList<>();
        ref.get("images").forEach(n -> images.add(ImageInput.of(DATA.resolve(n.asText()))));
        assertEquals(PromptTemplates.IMAGENET_80, strings(ref.get("sets").get("imagenet80").get("templates")),
                "the notebook's 80 templates, in its order");
        try (ClipModel model = ClipModel.load(TINY_VIT)) {
            assertEquals(ref.get("logit_scale_exp").asDouble(), model.logitScale(), 1e-6);
            for (String set : List.of("imagenet80", "custom")) {
                JsonNode s = ref.get("sets").get(set);
                ZeroShotClassifier c = model.classifier(labels, strings(s.get("templates")));
                Features e = c.classEmbeddings();
                assertEquals(labels.size(), e.rows());
                for (int l = 0; l < labels.size(); l++) {
                    JsonNode row = s.get("class_embeddings").get(l);
                    assertEquals(row.size(), e.dim());
                    for (int d = 0; d < e.dim(); d++) {
                        assertEquals(row.get(d).asDouble(), e.get(l, d), EMBEDDING_TOLERANCE,
                                set + ": class embedding of '" + labels.get(l) + "', component " + d);
                    }
                }
                List<ZeroShotResult> results = c.classifyAll(images);
                for (int i = 0; i < images.size(); i++) {
                    List<Prediction> preds = results.get(i).predictions();
                    assertEquals(labels.size(), preds.size());
                    for (Prediction p : preds) {
                        int j = labels.indexOf(p.label());
                        String where = set + ", " + images.get(i) + ", " + p.label();
                        assertEquals(s.get("logits").get(i).get(j).asDouble(), p.logit(), LOGIT_TOLERANCE, where);
                        assertEquals(s.get("probs").get(i).get(j).asDouble(), p.probability(), PROBABILITY_TOLERANCE,
                                where);
                    }
                }
            }
        }
    }

    /**
     * Zero-shot top-1, top-5 and per-class accuracy of the bundled model on the 1500-image Fashion-MNIST subset, with
     * "a photo of a {}." and with the 80-template ensemble: the reference's counts exactly (no true class is within
     * 2e-3 logits of another class there, far beyond float noise).
     */
    @Test
    void zeroShotAccuracyOnFashionMnistSubsetMatchesReference() throws IOException, URISyntaxException {
        JsonNode ref = reference().get("zero_shot");
        Path dir = Path.of(EvalReferenceTest.class.getResource("/fashion-mnist-subset/t10k-labels-idx1-ubyte.gz")
                .toURI()).getParent();
        LabeledDataset subset = IdxDataset.read(dir.resolve("t10k-images-idx3-ubyte.gz"),
                dir.resolve("t10k-labels-idx1-ubyte.gz"), IdxDataset.FASHION_MNIST_CLASSES, "fashion-mnist");
        int n = ref.get("n").asInt();
        assertEquals(n, subset.size());
        assertEquals(strings(ref.get("class_names")), subset.classNames());
        try (ClipModel model = ClipModel.load(DEFAULT_MODEL)) {
            for (String set : List.of("photo_of_a", "imagenet80")) {
                JsonNode s = ref.get("sets").get(set);
                List<String> templates = set.equals("imagenet80") ? PromptTemplates.IMAGENET_80
                        : List.of(PromptTemplates.PHOTO_OF_A);
                ClassificationAccuracy a = ZeroShotEvaluator.evaluate(model, subset, templates, 500).accuracy();
                assertEquals(n, a.n());
                assertEquals((double) s.get("top1_count").asInt() / n, a.top1(), set);
                assertEquals((double) s.get("top5_count").asInt() / n, a.top5(), set);
                for (int c = 0; c < subset.classNames().size(); c++) {
                    int count = ref.get("per_class_count").get(c).asInt();
                    assertEquals(count, a.perClassCount().get(c));
                    assertEquals((double) s.get("per_class_top1_count").get(c).asInt() / count,
                            a.perClassAccuracy().get(c), set + ", class " + c);
                }
            }
        }
    }

    /**
     * Image-to-text and text-to-image recall@1/5/10 on {@code captions.csv} (14 real images, three of them with 5
     * captions, two images named by two spellings of their path) with the bundled model and tiny-vit: the reference's
     * hit counts exactly (the reference checked that no similarity within 1e-5 of a true item's changes them).
     */
    @Test
    void retrievalRecallMatchesReference() throws IOException {
        JsonNode ref = reference().get("retrieval");
        List<ImageCaption> pairs = CaptionFile.read(DATA.resolve("eval-reference/captions.csv"), true);
        int texts = ref.get("texts").asInt();
        int images = ref.get("images").asInt();
        assertEquals(texts, pairs.size());
        for (String key : List.of("default", "tiny-vit")) {
            JsonNode m = ref.get("models").get(key);
            try (ClipModel model = ClipModel.load(key.equals("default") ? DEFAULT_MODEL : TINY_VIT)) {
                RetrievalResult r = RetrievalEvaluator.evaluate(model, pairs, 4);
                assertEquals(images, r.images(), key);
                assertEquals(texts, r.texts(), key);
                JsonNode i2t = m.get("image_to_text_hits");
                JsonNode t2i = m.get("text_to_image_hits");
                assertEquals(new RetrievalResult.Recall((double) i2t.get(0).asInt() / images,
                        (double) i2t.get(1).asInt() / images, (double) i2t.get(2).asInt() / images),
                        r.imageToText(), key + " image->text");
                assertEquals(new RetrievalResult.Recall((double) t2i.get(0).asInt() / texts,
                        (double) t2i.get(1).asInt() / texts, (double) t2i.get(2).asInt() / texts),
                        r.textToImage(), key + " text->image");
            }
        }
    }
}
