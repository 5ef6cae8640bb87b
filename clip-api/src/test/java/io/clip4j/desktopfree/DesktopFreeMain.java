package io.clip4j.desktopfree;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.ClipConfig;
import io.clip4j.Features;
import io.clip4j.checkpoint.CheckpointReader;
import io.clip4j.checkpoint.ConfigInference;
import io.clip4j.checkpoint.StateDict;
import io.clip4j.image.ImageInput;
import io.clip4j.image.ImagePreprocessor;
import io.clip4j.io.Npy;
import io.clip4j.math.Similarity;
import io.clip4j.text.ClipTokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What an Android app does with clip-api alone, run in a JVM that has only {@code java.base} (no
 * {@code java.desktop}, i.e. no AWT or ImageIO, like Android): every reference image decoded and preprocessed, every
 * tokenizer case, the tiny ViT read from its three checkpoint formats, and the reference logits and probabilities
 * recomputed from its features. Exits 0 printing the counts, or 1 naming the first mismatch.
 * {@link DesktopFreeTest} starts it.
 */
public final class DesktopFreeMain {
    private DesktopFreeMain() {
    }

    public static void main(String[] args) throws Exception {
        if (ModuleLayer.boot().findModule("java.desktop").isPresent()) {
            fail("java.desktop is present; start this JVM with --limit-modules java.base");
        }
        Path testdata = Path.of(args[0]);
        ObjectMapper json = new ObjectMapper();
        System.out.println("OK images=" + images(testdata.resolve("preprocess"), json)
                + " texts=" + texts(testdata.resolve("tokenizer/cases.jsonl"), json)
                + " checkpoints=" + checkpoints(testdata.resolve("models/tiny-vit"))
                + " logits=" + logits(testdata.resolve("models/tiny-vit"), json));
    }

    private static int images(Path pre, ObjectMapper json) throws Exception {
        int n = 0;
        for (JsonNode image : json.readTree(pre.resolve("manifest.json").toFile()).get("images")) {
            ImageInput input = ImageInput.of(pre.resolve(image.get("file").asText()));
            for (JsonNode ref : image.get("references")) {
                ImagePreprocessor p = ImagePreprocessor.clip(ref.get("n_px").asInt());
                byte[] expectedRgb = Npy.read(pre.resolve(ref.get("rgb_u8").get("file").asText())).toByteArray();
                float[] expected = Npy.read(pre.resolve(ref.get("pixel_values").get("file").asText())).toFloatArray();
                if (!Arrays.equals(expectedRgb, p.resizeCropRgb(input))) {
                    fail("rgb_u8 of " + image.get("name").asText());
                }
                if (maxAbsDiff(expected, p.preprocess(input)) > 1e-6) {
                    fail("pixel_values of " + image.get("name").asText());
                }
            }
            n++;
        }
        return n;
    }

    private static int texts(Path cases, ObjectMapper json) throws Exception {
        ClipTokenizer tokenizer = ClipTokenizer.create();
        int n = 0;
        for (String line : Files.readAllLines(cases, StandardCharsets.UTF_8)) {
            if (line.trim().isEmpty()) {
                continue;
            }
            JsonNode c = json.readTree(line);
            long[] ids = new long[c.get("ids").size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = c.get("ids").get(i).asLong();
            }
            if (!Arrays.equals(ids, tokenizer.tokenize(c.get("text").asText()).row(0))) {
                fail("ids of tokenizer case " + c.get("id").asText());
            }
            n++;
        }
        return n;
    }

    private static int checkpoints(Path model) {
        int n = 0;
        for (String file : new String[] {"model.pt", "state_dict.pt", "model.safetensors"}) {
            StateDict sd = CheckpointReader.read(model.resolve(file));
            ClipConfig c = ConfigInference.infer(sd, model.resolve(file));
            if (c.embedDim() != 64 || c.imageResolution() != 224 || !c.isVit() || c.contextLength() != 77) {
                fail("config inferred from " + file + ": " + c);
            }
            n++;
        }
        return n;
    }

    private static int logits(Path model, ObjectMapper json) throws Exception {
        Npy image = Npy.read(model.resolve("image_features.npy"));
        Npy text = Npy.read(model.resolve("text_features.npy"));
        int rows = (int) image.shape()[0];
        int cols = (int) text.shape()[0];
        int dim = (int) image.shape()[1];
        float scale = (float) json.readTree(model.resolve("meta.json").toFile()).get("logit_scale_exp").asDouble();
        float[] logits = Similarity.logits(new Features(image.toFloatArray(), rows, dim),
                new Features(text.toFloatArray(), cols, dim), scale);
        if (maxAbsDiff(Npy.read(model.resolve("logits_per_image.npy")).toFloatArray(), logits) > 1e-4) {
            fail("logits_per_image");
        }
        if (maxAbsDiff(Npy.read(model.resolve("probs.npy")).toFloatArray(),
                Similarity.softmaxRows(logits, rows, cols)) > 1e-6) {
            fail("probs");
        }
        return rows * cols;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }

    private static void fail(String what) {
        System.out.println("MISMATCH " + what);
        System.exit(1);
    }
}
