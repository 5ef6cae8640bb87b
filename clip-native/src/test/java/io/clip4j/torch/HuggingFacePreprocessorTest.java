package io.clip4j.torch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.ClipModel;
import io.clip4j.checkpoint.CheckpointException;
import io.clip4j.checkpoint.ImageTransformConfig;
import io.clip4j.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.clip4j.torch.ClipModelEndToEndTest.assertNear;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Hugging Face CLIPModel directory whose {@code preprocessor_config.json} normalises with another mean/std
 * ([0.5, 0.4, 0.3] / [0.2, 0.25, 0.3]) and whose {@code config.json} declares tiny-openclip's heads (8 / 4) and GELU:
 * the same model as testdata/models/tiny-openclip, so its reference pixel values and features apply. Ignoring the
 * file (CLIP's mean/std) moves the pixel values and image features far outside the tolerance.
 */
class HuggingFacePreprocessorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DATA = Path.of(System.getProperty("clip4j.testdata"));
    private static final Path VIT = DATA.resolve("models/tiny-vit");
    private static final Path OPEN_CLIP = DATA.resolve("models/tiny-openclip");

    /** tiny-vit's model.safetensors with tiny-openclip's heads and activation in config.json, and this file. */
    private static Path directory(Path tmp, String preprocessor) throws IOException {
        ObjectNode config = (ObjectNode) JSON.readTree(VIT.resolve("config.json").toFile());
        ((ObjectNode) config.get("vision_config")).put("num_attention_heads", 8).put("hidden_act", "gelu");
        ((ObjectNode) config.get("text_config")).put("num_attention_heads", 4).put("hidden_act", "gelu");
        JSON.writeValue(tmp.resolve("config.json").toFile(), config);
        Files.copy(VIT.resolve("model.safetensors"), tmp.resolve("model.safetensors"));
        Files.writeString(tmp.resolve(ImageTransformConfig.HUGGING_FACE_FILE), preprocessor);
        return tmp;
    }

    @Test
    void itsMeanAndStdGiveTheReferencePixelValuesAndFeatures(@TempDir Path tmp) throws IOException {
        Path dir = directory(tmp, "{\"crop_size\": {\"height\": 224, \"width\": 224}, \"do_center_crop\": true,"
                + " \"do_normalize\": true, \"do_resize\": true, \"image_processor_type\": \"CLIPImageProcessor\","
                + " \"image_mean\": [0.5, 0.4, 0.3], \"image_std\": [0.2, 0.25, 0.3], \"resample\": 3,"
                + " \"rescale_factor\": 0.00392156862745098, \"size\": {\"shortest_edge\": 224},"
                + " \"processor_class\": \"CLIPProcessor\"}");
        try (ClipModel model = ClipModel.builder(dir).threads(2).build()) {
            OpenClipParityTest.assertReference(model);
        }
    }

    @Test
    void aSquareSizeGivesTheSquashReference(@TempDir Path tmp) throws IOException {
        Path dir = directory(tmp, "{\"image_mean\": [0.5, 0.4, 0.3], \"image_std\": [0.2, 0.25, 0.3],"
                + " \"size\": {\"height\": 224, \"width\": 224}}");
        try (ClipModel model = ClipModel.builder(dir).threads(2).build()) {
            assertNear(Npy.read(OPEN_CLIP.resolve("squash_image_features.npy")).toFloatArray(),
                    model.encodeImages(ClipModelEndToEndTest.images(VIT)).toArray(), "squash image_features");
        }
    }

    @Test
    void aFieldClip4jDoesNotComputeFailsTheLoadNamingFileAndField(@TempDir Path tmp) throws IOException {
        Path dir = directory(tmp, "{\"image_mean\": [0.5, 0.4, 0.3], \"resample\": 2}");
        CheckpointException e = assertThrows(CheckpointException.class, () -> ClipModel.load(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve(ImageTransformConfig.HUGGING_FACE_FILE)
                + ": resample = 2 is not supported"), e.getMessage());
    }
}
