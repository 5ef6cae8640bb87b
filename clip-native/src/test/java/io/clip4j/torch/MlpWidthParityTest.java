package io.clip4j.torch;

import io.clip4j.Activation;
import io.clip4j.ClipConfig;
import io.clip4j.ClipModel;
import io.clip4j.checkpoint.CheckpointException;
import io.clip4j.checkpoint.CheckpointReader;
import io.clip4j.checkpoint.OpenClipConfig;
import io.clip4j.checkpoint.StateDict;
import io.clip4j.io.Npy;
import io.clip4j.train.TrainableClip;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.clip4j.torch.ClipModelEndToEndTest.assertNear;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * testdata/models/tiny-mlp: an open_clip directory whose MLPs are not 4 x width (vision 64 -> 315, text 32 -> 139,
 * as ViT-g / ViT-bigG) and whose vision heads are 4, not 64 / 64 = 1, against reference features of openai/CLIP's
 * forward over the same weights (tiny-vit's images and texts). A loader building 4 x width MLPs cannot load the
 * weights; one using width / 64 heads misses the features by up to 1.05 (image) and 1.25 (text).
 */
class MlpWidthParityTest {
    private static final Path DATA = Path.of(System.getProperty("clip4j.testdata"));
    private static final Path VIT = DATA.resolve("models/tiny-vit");
    private static final Path DIR = DATA.resolve("models/tiny-mlp");
    private static final ClipConfig CONFIG = new ClipConfig(32, 224, new int[]{2}, 64, 32, 77, 49408, 32, 2, 2, 4,
            Activation.GELU).withMlpWidths(315, 139);

    private static void assertReference(ClipModel model) throws IOException {
        assertEquals(CONFIG, model.config());
        assertNear(Npy.read(DIR.resolve("image_features.npy")).toFloatArray(),
                model.encodeImages(ClipModelEndToEndTest.images(VIT)).toArray(), "image_features");
        assertNear(Npy.read(DIR.resolve("text_features.npy")).toFloatArray(),
                model.encodeTexts(ClipModelEndToEndTest.texts(VIT)).toArray(), "text_features");
    }

    @Test
    void theOpenClipDirectoryGivesTheReference() throws IOException {
        try (ClipModel model = ClipModel.builder(DIR).threads(2).build()) {
            assertReference(model);
        }
    }

    @Test
    void itsWeightsFileBesideTheConfigGivesTheReference() throws IOException {
        try (ClipModel model = ClipModel.builder(DIR.resolve(OpenClipConfig.SAFETENSORS_FILE)).threads(2).build()) {
            assertReference(model);
        }
    }

    @Test
    void theSameWeightsAsABareFileAreRefused(@TempDir Path tmp) throws IOException {
        Path bare = Files.copy(DIR.resolve(OpenClipConfig.SAFETENSORS_FILE), tmp.resolve("tiny-mlp.safetensors"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> ClipModel.builder(bare).build());
        assertTrue(e.getMessage().contains("are not 4 x width") && e.getMessage().contains("open_clip_config.json"),
                e.getMessage());
    }

    @Test
    void towersBuiltWithFourTimesWidthMlpsRefuseTheWeights() {
        StateDict sd = CheckpointReader.read(DIR);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> TorchClip.create(sd, CONFIG.withMlpWidths(4 * 64, 4 * 32)).close());
        assertTrue(e.getMessage().contains("mlp.c_fc"), e.getMessage());
    }

    @Test
    void trainingLoadsAndInitialisesTheConfiguredMlpWidths() throws IOException {
        try (TrainableClip t = TrainableClip.load(DIR); ClipModel model = t.asClipModel()) {
            assertReference(model);
        }
        Map<String, long[]> shapes = ReferenceShapes.of(CONFIG);
        assertArrayEquals(new long[]{315, 64}, shapes.get("visual.transformer.resblocks.1.mlp.c_fc.weight"));
        try (TrainableClip t = TrainableClip.initialize(CONFIG, 7)) {
            for (String name : new String[]{"visual.transformer.resblocks.0.mlp.c_fc.weight",
                    "visual.transformer.resblocks.1.mlp.c_proj.weight", "transformer.resblocks.0.mlp.c_fc.bias",
                    "transformer.resblocks.1.mlp.c_proj.weight"}) {
                Tensor p = t.parameters().get(name);
                long[] shape = new long[(int) p.dim()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = p.size(i);
                }
                assertArrayEquals(shapes.get(name), shape, name);
            }
        }
    }
}
