package io.clip4j.torch;

import io.clip4j.Activation;
import io.clip4j.ClipModel;
import io.clip4j.checkpoint.CheckpointException;
import io.clip4j.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.clip4j.torch.ClipModelEndToEndTest.assertNear;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GELU towers (open_clip's LAION models) against testdata/models/tiny-vit-gelu: tiny-vit's weights with GELU in
 * place of QuickGELU, from a Hugging Face config that says {@code hidden_act: "gelu"} or from a state dict with
 * {@code Builder.activation(GELU)}.
 */
class GeluParityTest {
    private static final Path DATA = Path.of(System.getProperty("clip4j.testdata"));
    private static final Path VIT = DATA.resolve("models/tiny-vit");
    private static final Path GELU = DATA.resolve("models/tiny-vit-gelu");

    private static void assertGeluFeatures(ClipModel model) {
        assertEquals(Activation.GELU, model.config().activation());
        float[] px = Npy.read(VIT.resolve("pixel_values.npy")).toFloatArray();
        long[] ids = Npy.read(VIT.resolve("input_ids.npy")).toLongArray();
        assertNear(Npy.read(GELU.resolve("image_features.npy")).toFloatArray(), model.encodePixels(px, 4).toArray(),
                "image_features");
        assertNear(Npy.read(GELU.resolve("text_features.npy")).toFloatArray(), model.encodeTokens(ids, ids.length / 77).toArray(),
                "text_features");
    }

    private static Path hfDir(Path tmp, String act) throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("hf-" + act));
        Files.copy(VIT.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        String config = Files.readString(VIT.resolve("config.json"));
        Files.writeString(dir.resolve("config.json"), config.replace("\"quick_gelu\"", "\"" + act + "\""));
        return dir;
    }

    @Test
    void huggingFaceConfigWithGeluGivesTheGeluReference(@TempDir Path tmp) throws IOException {
        try (ClipModel model = ClipModel.builder(hfDir(tmp, "gelu")).threads(2).build()) {
            assertGeluFeatures(model);
        }
    }

    @Test
    void stateDictWithRequestedGeluGivesTheGeluReference() {
        for (String f : new String[]{"state_dict.pt", "model.pt"}) {
            try (ClipModel model = ClipModel.builder(VIT.resolve(f)).activation(Activation.GELU).threads(2).build()) {
                assertGeluFeatures(model);
            }
        }
    }

    @Test
    void requestingAnotherActivationThanTheConfigIsACheckpointError(@TempDir Path tmp) throws IOException {
        Path dir = hfDir(tmp, "gelu");
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ClipModel.builder(dir).activation(Activation.QUICK_GELU).build());
        assertTrue(e.getMessage().contains("declares GELU but QUICK_GELU was requested"), e.getMessage());
    }
}
