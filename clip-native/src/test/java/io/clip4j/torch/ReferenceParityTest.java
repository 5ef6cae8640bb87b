package io.clip4j.torch;

import io.clip4j.ClipConfig;
import io.clip4j.checkpoint.CheckpointReader;
import io.clip4j.checkpoint.ConfigInference;
import io.clip4j.checkpoint.StateDict;
import io.clip4j.io.Npy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parity with the reference CLIP outputs stored in {@code testdata/models/} for every checkpoint format of the
 * two tiny models: features, logits, probabilities, intermediates, and batch-of-one rows. Tolerances from the
 * fixtures README: {@code 1e-4 * max(1, max|reference|)} for features, logits and intermediates, 1e-5 absolute
 * for probabilities.
 */
class ReferenceParityTest {
    private static final Path MODELS = Path.of(System.getProperty("clip4j.testdata")).resolve("models");

    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource({
            "tiny-vit, .",                 // Hugging Face directory: config.json + model.safetensors
            "tiny-vit, state_dict.pt",
            "tiny-vit, model.pt",
            "tiny-rn, state_dict.pt",
            "tiny-rn, model.pt",
    })
    void reproducesTheReference(String model, String file) {
        Path dir = MODELS.resolve(model);
        Path source = dir.resolve(file).normalize();
        StateDict sd = CheckpointReader.read(source);
        ClipConfig config = ConfigInference.infer(sd, source);
        float[] pixels = npy(dir, "pixel_values.npy").toFloatArray();
        long[] ids = npy(dir, "input_ids.npy").toLongArray();
        int nImages = (int) npy(dir, "pixel_values.npy").shape()[0];
        int nTexts = (int) npy(dir, "input_ids.npy").shape()[0];
        int s = config.imageResolution();
        int ctx = config.contextLength();
        int d = config.embedDim();
        String label = model + "/" + file;

        try (TorchClip clip = TorchClip.create(sd, config)) {
            Map<String, float[]> taps = new HashMap<>();
            Taps recorder = (name, value) -> taps.put(name, TensorIo.toFloats(value));
            float[] image = clip.encodeImage(pixels, nImages, recorder);
            float[] text = clip.encodeText(ids, nTexts, recorder);
            float[] logits = clip.logitsPerImage(image, nImages, text, nTexts);
            float[] probs = clip.probs(logits, nImages, nTexts);

            compare(label, "image_features", npy(dir, "image_features.npy").toFloatArray(), image);
            compare(label, "text_features", npy(dir, "text_features.npy").toFloatArray(), text);
            compare(label, "logits_per_image", npy(dir, "logits_per_image.npy").toFloatArray(), logits);
            double probsDiff = maxAbsDiff(npy(dir, "probs.npy").toFloatArray(), probs);
            report(label, "probs", probsDiff, 1e-5);
            assertTrue(probsDiff <= 1e-5, label + " probs max diff " + probsDiff);
            compare(label, "image_features vs float64", npy(dir, "reference_f64/image_features.npy").toFloatArray(),
                    image);
            compare(label, "text_features vs float64", npy(dir, "reference_f64/text_features.npy").toFloatArray(),
                    text);

            float meta = (float) Math.exp(Double.parseDouble(metaField(dir, "logit_scale")));
            assertEquals(meta, clip.logitScale(), 1e-5f * meta, label + " logit_scale");

            // Intermediates: image 0 / text 3 rows of the batched taps.
            Map<String, float[]> expected = new HashMap<>();
            try (var files = Files.list(dir.resolve("intermediates"))) {
                files.forEach(f -> expected.put(f.getFileName().toString().replace(".npy", ""),
                        Npy.read(f).toFloatArray()));
            }
            assertTrue(expected.size() >= 5, label + " intermediates found: " + expected.keySet());
            for (Map.Entry<String, float[]> e : expected.entrySet()) {
                String name = e.getKey();
                float[] ref = e.getValue();
                float[] actual;
                if (name.endsWith("_img0")) {
                    actual = firstRows(taps, name.substring(0, name.length() - 5), nImages, ref.length, 0);
                } else if (name.endsWith("_txt3")) {
                    actual = firstRows(taps, name.substring(0, name.length() - 5), nTexts, ref.length, 3);
                } else {
                    actual = taps.get(name);
                }
                compare(label, "intermediate " + name, ref, actual);
            }

            // A batch of one equals the corresponding row of the batched call.
            float[] imageRows = new float[image.length];
            for (int i = 0; i < nImages; i++) {
                float[] one = clip.encodeImage(Arrays.copyOfRange(pixels, i * 3 * s * s, (i + 1) * 3 * s * s), 1);
                System.arraycopy(one, 0, imageRows, i * d, d);
            }
            compare(label, "image_features, one image per call", image, imageRows);
            float[] textRows = new float[text.length];
            for (int i = 0; i < nTexts; i++) {
                float[] one = clip.encodeText(Arrays.copyOfRange(ids, i * ctx, (i + 1) * ctx), 1);
                System.arraycopy(one, 0, textRows, i * d, d);
            }
            compare(label, "text_features, one text per call", text, textRows);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Row {@code index} of a batch-first tap holding {@code batch} items of {@code perItem} values. */
    private static float[] firstRows(Map<String, float[]> taps, String name, int batch, int perItem, int index) {
        float[] all = taps.get(name);
        assertTrue(all != null, "no tap named " + name + "; taps: " + taps.keySet());
        assertEquals((long) batch * perItem, all.length, name + " size");
        return Arrays.copyOfRange(all, index * perItem, (index + 1) * perItem);
    }

    private static Npy npy(Path dir, String file) {
        return Npy.read(dir.resolve(file));
    }

    private static String metaField(Path dir, String field) throws java.io.IOException {
        String json = Files.readString(dir.resolve("meta.json"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + field + "\"\\s*:\\s*([-0-9.eE+]+)")
                .matcher(json);
        assertTrue(m.find(), field + " in meta.json");
        return m.group(1);
    }

    private static void compare(String label, String what, float[] expected, float[] actual) {
        assertTrue(actual != null, label + " " + what + ": no value");
        assertEquals(expected.length, actual.length, label + " " + what + " length");
        double maxRef = 0;
        for (float v : expected) {
            maxRef = Math.max(maxRef, Math.abs(v));
        }
        double tol = 1e-4 * Math.max(1, maxRef);
        double diff = maxAbsDiff(expected, actual);
        report(label, what, diff, tol);
        if (!(diff <= tol)) {
            assertArrayEquals(expected, actual, (float) tol, label + " " + what + " max diff " + diff);
        }
    }

    private static double maxAbsDiff(float[] expected, float[] actual) {
        double m = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            m = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(m, d);
        }
        return m;
    }

    private static void report(String label, String what, double diff, double tol) {
        System.out.printf("parity %-24s %-40s max|diff| = %.3g (tolerance %.3g)%n", label, what, diff, tol);
    }
}
