package io.clip4j.torch;

import io.clip4j.ClipConfig;
import io.clip4j.Device;
import io.clip4j.Precision;
import io.clip4j.checkpoint.CheckpointReader;
import io.clip4j.checkpoint.ConfigInference;
import io.clip4j.checkpoint.StateDict;
import io.clip4j.io.Npy;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The float16/bfloat16 code paths of the engine (the ones a GPU runs), exercised on the CPU through the
 * package-private {@link TorchClip#build}: LibTorch 2.10 has CPU kernels for every op of both towers in both
 * types. Features are compared with the float32 reference fixtures ({@code testdata/models/}).
 *
 * <p>Tolerance, with u the unit roundoff of the type (2^-8 for bfloat16, 2^-11 for float16) and
 * {@code scale = max(1, max|expected|)}: {@code max|actual - expected| <= 8 u scale}, and per feature row
 * {@code 1 - cosine(actual, expected) <= (8u)^2 / 2}. Why 8u: every weight, input and op result is rounded
 * to the type (relative error up to u each); in pre-LN residual towers these errors add along the residual
 * stream instead of compounding, and each LayerNorm re-normalises, so the features carry a few u of error
 * (measured here: 1.5u to 4.5u, printed by the test); 8u keeps about 2x headroom. The cosine bound is the same
 * relative error seen as an angle ({@code 1 - cos ~ e^2 / 2}); it is what zero-shot ranking depends on. A cast
 * that does not happen is caught by the dtype checks on the intermediates (the error bounds alone would pass
 * float32 results); a wrong cast gives errors of order 1.
 */
class PrecisionTest {
    private static final Path MODELS = Path.of(System.getProperty("clip4j.testdata")).resolve("models");

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "tiny-vit, BFLOAT16",
            "tiny-vit, FLOAT16",
            "tiny-rn, BFLOAT16",
            "tiny-rn, FLOAT16",
    })
    void reducedPrecisionOnTheCpuMatchesTheFloat32Reference(String model, Precision precision) {
        Path dir = MODELS.resolve(model);
        Path source = dir.resolve("state_dict.pt");
        StateDict sd = CheckpointReader.read(source);
        ClipConfig config = ConfigInference.infer(sd, source);
        Npy pixelsNpy = Npy.read(dir.resolve("pixel_values.npy"));
        Npy idsNpy = Npy.read(dir.resolve("input_ids.npy"));
        int nImages = (int) pixelsNpy.shape()[0];
        int nTexts = (int) idsNpy.shape()[0];
        torch.ScalarType expectedType = precision == Precision.BFLOAT16 ? torch.ScalarType.BFloat16
                : torch.ScalarType.Half;
        double u = precision == Precision.BFLOAT16 ? 0x1p-8 : 0x1p-11;
        String label = model + " " + precision;

        try (TorchClip clip = TorchClip.build(sd, config, 0, new Placement(Device.CPU, precision))) {
            assertEquals(precision, clip.precision());
            assertEquals(Device.CPU, clip.device());
            // Names, not the enum objects: JavaCPP returns a fresh enum object per call (see Placement.hasType).
            Map<String, String> types = new HashMap<>();
            Taps recorder = (name, value) -> types.put(name, value.scalar_type().toString());
            float[] image = clip.encodeImage(pixelsNpy.toFloatArray(), nImages, recorder);
            float[] text = clip.encodeText(idsNpy.toLongArray(), nTexts, recorder);

            // Activations run in the reduced type, LayerNorm outputs are rounded back to it.
            assertTrue(types.size() >= 4, label + " taps: " + types);
            types.forEach((name, type) -> assertEquals(expectedType.toString(), type, label + " dtype of " + name));

            int d = config.embedDim();
            check(label, "image_features", Npy.read(dir.resolve("image_features.npy")).toFloatArray(), image, d, u);
            check(label, "text_features", Npy.read(dir.resolve("text_features.npy")).toFloatArray(), text, d, u);
            // logit_scale stays float32 like the reference's parameter (a bfloat16 exp would be off by ~0.4%).
            float expected = (float) Math.exp(Double.parseDouble(metaField(dir, "logit_scale")));
            assertEquals(expected, clip.logitScale(), 1e-5f * expected, label + " logit_scale");
        }
    }

    static String metaField(Path dir, String field) {
        try {
            String json = Files.readString(dir.resolve("meta.json"));
            Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*([-0-9.eE+]+)").matcher(json);
            assertTrue(m.find(), field + " in meta.json");
            return m.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Asserts the bounds of the class comment: max|diff| &le; 8u scale and 1 - cosine &le; 32u&sup2; per row.
     *
     * @param d embed_dim (row length)
     * @param u unit roundoff of the compute type
     */
    static void check(String label, String what, float[] expected, float[] actual, int d, double u) {
        assertEquals(expected.length, actual.length, label + " " + what + " length");
        double maxRef = 0;
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
            double diff = Math.abs((double) expected[i] - actual[i]);
            maxDiff = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : Math.max(maxDiff, diff);
        }
        double scale = Math.max(1, maxRef);
        double tol = 8 * u * scale;
        double cosTol = 32 * u * u;
        double minCos = 1;
        for (int r = 0; r < expected.length / d; r++) {
            double dot = 0;
            double ne = 0;
            double na = 0;
            for (int j = r * d; j < (r + 1) * d; j++) {
                dot += (double) expected[j] * actual[j];
                ne += (double) expected[j] * expected[j];
                na += (double) actual[j] * actual[j];
            }
            minCos = Math.min(minCos, dot / Math.sqrt(ne * na));
        }
        System.out.printf("precision %-16s %-15s max|diff| = %.3g = %.2f u x scale (tolerance 8 u), "
                + "min cosine = 1 - %.3g (tolerance %.3g)%n", label, what, maxDiff, maxDiff / (u * scale), 1 - minCos,
                cosTol);
        assertTrue(maxDiff <= tol, label + " " + what + " max diff " + maxDiff + " > " + tol);
        assertTrue(1 - minCos <= cosTol, label + " " + what + " min cosine " + minCos);
    }
}
