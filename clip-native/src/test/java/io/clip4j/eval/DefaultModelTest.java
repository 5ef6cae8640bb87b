package io.clip4j.eval;

import io.clip4j.Activation;
import io.clip4j.ClipConfig;
import io.clip4j.ClipModel;
import io.clip4j.checkpoint.CheckpointException;
import io.clip4j.checkpoint.CheckpointReader;
import io.clip4j.checkpoint.ConfigInference;
import io.clip4j.checkpoint.StateDict;
import io.clip4j.data.IdxDataset;
import io.clip4j.data.LabeledDataset;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bundled default model ({@code models/default/model.safetensors}) still scores what its model card states:
 * zero-shot accuracy on the first 1500 Fashion-MNIST test images (the committed subset), which
 * {@code scripts/eval-default-model.sh} measured with {@code clip eval zero-shot} when the model was trained.
 */
class DefaultModelTest {
    private static final Path MODEL = Path.of(System.getProperty("clip4j.testdata")).getParent()
            .resolve("models/default/model.safetensors");
    /** MODEL_CARD.md, "zero-shot on the first 1500 test images", template "a photo of a {}.". */
    private static final double CARD_TOP1 = 1349 / 1500.0;
    private static final double CARD_TOP5 = 1497 / 1500.0;
    /** Half a percentage point: the evaluation is deterministic; this only absorbs last-bit differences. */
    private static final double TOLERANCE = 0.005;

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(DefaultModelTest.class.getResource("/fashion-mnist-subset/" + name).toURI());
    }

    @Test
    void zeroShotOnFashionMnistSubsetMatchesModelCard() throws Exception {
        assertTrue(Files.isRegularFile(MODEL), "bundled model missing: " + MODEL);
        LabeledDataset subset = IdxDataset.read(resource("t10k-images-idx3-ubyte.gz"),
                resource("t10k-labels-idx1-ubyte.gz"), IdxDataset.FASHION_MNIST_CLASSES, "fashion-mnist");
        assertEquals(1500, subset.size());
        try (ClipModel model = ClipModel.load(MODEL)) {
            ClipConfig c = model.config();
            // the architecture the card documents
            assertEquals(128, c.embedDim());
            assertEquals(48, c.imageResolution());
            assertArrayEquals(new int[]{3}, c.visionLayers());
            assertEquals(128, c.visionWidth());
            assertEquals(8, c.visionPatchSize());
            assertEquals(32, c.contextLength());
            assertEquals(128, c.transformerWidth());
            assertEquals(2, c.transformerLayers());
            ClassificationAccuracy a = ZeroShotEvaluator.evaluate(model, subset, List.of("a photo of a {}."), 100)
                    .accuracy();
            assertEquals(1500, a.n());
            assertEquals(CARD_TOP1, a.top1(), TOLERANCE, "zero-shot top-1 on the subset");
            assertEquals(CARD_TOP5, a.top5(), TOLERANCE, "zero-shot top-5 on the subset");
        }
    }

    /**
     * The model records its activation (QuickGELU, what the trainer used) in its safetensors metadata, as the
     * trainer now writes it, so asking for GELU is refused instead of silently changing every output.
     */
    @Test
    void recordsItsActivationSoAnotherIsRefused() {
        StateDict sd = CheckpointReader.read(MODEL);
        assertEquals("quick_gelu", sd.metadata().get(ConfigInference.ACTIVATION_METADATA));
        assertEquals(Activation.QUICK_GELU, ConfigInference.infer(sd, MODEL, null).activation());
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ConfigInference.infer(sd, MODEL, Activation.GELU));
        assertTrue(e.getMessage().contains("clip4j.activation"), e.getMessage());
    }
}
