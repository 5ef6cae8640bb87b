package io.clip4j.torch;

import io.clip4j.Activation;
import io.clip4j.ClipModel;
import io.clip4j.ImagePipeline;
import io.clip4j.checkpoint.CheckpointException;
import io.clip4j.checkpoint.CheckpointReader;
import io.clip4j.checkpoint.OpenClipConfig;
import io.clip4j.checkpoint.OpenClipFixture;
import io.clip4j.checkpoint.SafetensorsWriter;
import io.clip4j.image.ImagePreprocessor;
import io.clip4j.io.Npy;
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
 * An open_clip directory (testdata/models/tiny-openclip: tiny-vit's weights, head_width 16 and text heads 4, GELU,
 * mean/std [0.5, 0.4, 0.3] / [0.2, 0.25, 0.3]) against reference features computed from the images and texts with
 * that configuration (and with open_clip's resize_mode 'squash'). Ignoring any of heads, activation, mean/std or the
 * resize mode moves the features far outside the tolerance.
 */
class OpenClipParityTest {
    private static final Path DATA = Path.of(System.getProperty("clip4j.testdata"));
    private static final Path VIT = DATA.resolve("models/tiny-vit");
    private static final Path DIR = OpenClipFixture.directory();
    private static final double[] MEAN = {0.5, 0.4, 0.3};
    private static final double[] STD = {0.2, 0.25, 0.3};

    static void assertReference(ClipModel model) throws IOException {
        assertEquals(8, model.config().visionHeads());
        assertEquals(4, model.config().transformerHeads());
        assertEquals(Activation.GELU, model.config().activation());
        // preprocessing: tiny-vit's CLIP-normalised pixel_values brought to this mean/std
        float[] clip = Npy.read(VIT.resolve("pixel_values.npy")).toFloatArray();
        float[] expected = new float[clip.length];
        int plane = 224 * 224;
        double[] clipMean = ImagePreprocessor.clipMean();
        double[] clipStd = ImagePreprocessor.clipStd();
        for (int i = 0; i < clip.length; i++) {
            int c = i / plane % 3;
            double rgb = clip[i] * clipStd[c] + clipMean[c];
            expected[i] = (float) ((rgb - MEAN[c]) / STD[c]);
        }
        assertArrayEquals(expected, model.preprocess(ClipModelEndToEndTest.images(VIT)), 1e-5f, "pixel_values");
        assertNear(Npy.read(DIR.resolve("image_features.npy")).toFloatArray(),
                model.encodeImages(ClipModelEndToEndTest.images(VIT)).toArray(), "image_features");
        assertNear(Npy.read(DIR.resolve("text_features.npy")).toFloatArray(),
                model.encodeTexts(ClipModelEndToEndTest.texts(VIT)).toArray(), "text_features");
    }

    @Test
    void openClipPytorchModelBinGivesTheReference() throws IOException {
        try (ClipModel model = ClipModel.builder(DIR).threads(2).build()) {
            assertReference(model);
        }
    }

    @Test
    void theWeightsFileNamedAloneIsReadWithTheConfigBesideIt() throws IOException {
        // what open_clip's hub download leaves: heads, GELU and mean/std must still come from open_clip_config.json
        try (ClipModel model = ClipModel.builder(DIR.resolve(OpenClipConfig.PYTORCH_FILE)).threads(2).build()) {
            assertReference(model);
        }
    }

    @Test
    void openClipModelSafetensorsGivesTheReference(@TempDir Path tmp) throws IOException {
        Files.copy(DIR.resolve(OpenClipConfig.CONFIG_FILE), tmp.resolve(OpenClipConfig.CONFIG_FILE));
        SafetensorsWriter.write(tmp.resolve(OpenClipConfig.SAFETENSORS_FILE),
                CheckpointReader.read(VIT.resolve("state_dict.pt")).asMap(), Map.of());
        try (ClipModel model = ClipModel.load(tmp)) {
            assertReference(model);
        }
    }

    @Test
    void squashResizeModeGivesItsReferenceOnBothImagePipelines(@TempDir Path tmp) throws IOException {
        String config = Files.readString(DIR.resolve(OpenClipConfig.CONFIG_FILE));
        Files.writeString(tmp.resolve(OpenClipConfig.CONFIG_FILE), config.replace("\"shortest\"", "\"squash\""));
        Files.copy(VIT.resolve("state_dict.pt"), tmp.resolve(OpenClipConfig.PYTORCH_FILE));
        float[] expected = Npy.read(DIR.resolve("squash_image_features.npy")).toFloatArray();
        for (ImagePipeline pipeline : new ImagePipeline[]{ImagePipeline.JAVA, ImagePipeline.KERNELS}) {
            try (ClipModel model = ClipModel.builder(tmp).imagePipeline(pipeline).threads(2).build()) {
                assertEquals(pipeline, ((TorchClipModel) model).imagePipeline());
                assertNear(expected, model.encodeImages(ClipModelEndToEndTest.images(VIT)).toArray(),
                        "squash image_features, " + pipeline);
                assertNear(Npy.read(DIR.resolve("text_features.npy")).toFloatArray(),
                        model.encodeTexts(ClipModelEndToEndTest.texts(VIT)).toArray(), "text_features");
            }
        }
    }

    @Test
    void requestingQuickGeluAgainstTheConfigIsACheckpointError() {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ClipModel.builder(DIR).activation(Activation.QUICK_GELU).build());
        assertTrue(e.getMessage().contains(OpenClipConfig.CONFIG_FILE + ": declares GELU (quick_gelu false) but"
                + " QUICK_GELU was requested"), e.getMessage());
    }
}
