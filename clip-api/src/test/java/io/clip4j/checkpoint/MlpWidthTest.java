package io.clip4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.Activation;
import io.clip4j.ClipConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transformer MLP widths other than 4 x width (open_clip's ViT-g and ViT-bigG): read from the tensors, from a Hugging
 * Face {@code intermediate_size} and from open_clip's {@code mlp_ratio}, cross-checked, and refused in a bare state
 * dict, whose heads the reference rule would get wrong. Fixture: testdata/models/tiny-mlp (vision width 64, MLP 315,
 * head_width 16; text width 32, MLP 139, 2 heads).
 */
class MlpWidthTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path MLP = Fixtures.model("tiny-mlp");
    private static final Path VIT = Fixtures.model("tiny-vit");
    private static final ClipConfig TINY_MLP = new ClipConfig(32, 224, new int[]{2}, 64, 32, 77, 49408, 32, 2, 2, 4,
            Activation.GELU).withMlpWidths(315, 139);

    @TempDir
    Path tmp;

    @Test
    void theOpenClipDirectoryGivesMlpWidthsAndHeadsCrossCheckedAgainstTheTensors() {
        StateDict sd = CheckpointReader.read(MLP);
        assertEquals(TINY_MLP, ConfigInference.infer(sd, MLP));
        assertEquals(TINY_MLP, OpenClipConfig.find(MLP).orElseThrow().config());
        assertEquals(315, sd.get("visual.transformer.resblocks.1.mlp.c_proj.weight").size(1));
    }

    @Test
    void aMismatchedMlpRatioIsNamed() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("ratio"));
        ObjectNode json = (ObjectNode) JSON.readTree(MLP.resolve(OpenClipConfig.CONFIG_FILE).toFile());
        ((ObjectNode) json.get("model_cfg").get("text_cfg")).put("mlp_ratio", 4.0);
        JSON.writeValue(dir.resolve(OpenClipConfig.CONFIG_FILE).toFile(), json);
        Files.copy(MLP.resolve(OpenClipConfig.SAFETENSORS_FILE), dir.resolve(OpenClipConfig.SAFETENSORS_FILE));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ConfigInference.infer(CheckpointReader.read(dir), dir));
        assertTrue(e.getMessage().contains("text_cfg.mlp_ratio: int(width * mlp_ratio) = 128 but the weights"
                + " imply 139"), e.getMessage());
    }

    @Test
    void theSameWeightsAsABareFileAreRefusedWithTheReason() throws IOException {
        Path bare = Files.copy(MLP.resolve(OpenClipConfig.SAFETENSORS_FILE), tmp.resolve("tiny-mlp.safetensors"));
        StateDict sd = CheckpointReader.read(bare);
        CheckpointException e = assertThrows(CheckpointException.class, () -> ConfigInference.infer(sd, bare));
        assertTrue(e.getMessage().startsWith(bare.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("MLP widths (vision 315 for width 64, text 139 for width 32) are not"
                + " 4 x width"), e.getMessage());
        assertTrue(e.getMessage().contains("open_clip directory (open_clip_config.json)"), e.getMessage());
        assertThrows(CheckpointException.class, () -> ConfigInference.infer(sd));
        assertThrows(CheckpointException.class, () -> ConfigInference.infer(sd, bare, Activation.GELU));
        // named as open_clip names it but without its config beside it: still bare
        Path alone = Files.createDirectory(tmp.resolve("alone")).resolve(OpenClipConfig.SAFETENSORS_FILE);
        Files.copy(bare, alone);
        assertFalse(OpenClipConfig.find(alone).isPresent());
        assertThrows(CheckpointException.class, () -> ConfigInference.infer(CheckpointReader.read(alone), alone));
    }

    @Test
    void anOpenClipWeightsFileBesideItsConfigIsReadWithThatConfig() {
        Path file = MLP.resolve(OpenClipConfig.SAFETENSORS_FILE);
        assertTrue(OpenClipConfig.find(file).isPresent());
        assertEquals(TINY_MLP, ConfigInference.infer(CheckpointReader.read(file), file));
        assertEquals(TINY_MLP, ConfigInference.infer(CheckpointReader.read(file), file, Activation.GELU));
        CheckpointException act = assertThrows(CheckpointException.class,
                () -> ConfigInference.infer(CheckpointReader.read(file), file, Activation.QUICK_GELU));
        assertTrue(act.getMessage().startsWith(MLP.resolve(OpenClipConfig.CONFIG_FILE).toString()), act.getMessage());
        // tiny-openclip's open_clip_pytorch_model.bin (tiny-vit's state_dict.pt): its heads, not width / 64
        Path bin = OpenClipFixture.directory().resolve(OpenClipConfig.PYTORCH_FILE);
        assertEquals(8, ConfigInference.infer(CheckpointReader.read(bin), bin).visionHeads());
    }

    @Test
    void bareViTsOfOpenClipsWidthsWithOtherHeadWidthsAreRefused() {
        // ViT-H-14 (width 1280, head_width 80: 16 heads), its MLP the reference's 4 x width: only the width tells
        CheckpointException h = assertThrows(CheckpointException.class,
                () -> ConfigInference.infer(shapesOnly(1280, 5120, 1024, 4096)));
        assertTrue(h.getMessage().contains("vision width 1280 is that of open_clip's ViT-H, whose heads are 80 wide"
                + " (16 heads), not width / 64 = 20"), h.getMessage());
        assertTrue(h.getMessage().contains("Hugging Face directory (config.json)"), h.getMessage());
        for (int width : new int[]{1408, 1664, 1792}) {
            assertThrows(CheckpointException.class, () -> ConfigInference.infer(shapesOnly(width, 4 * width, 1024,
                    4096)), "width " + width);
        }
        // ViT-bigG's widths: the MLP rule names it first
        CheckpointException g = assertThrows(CheckpointException.class,
                () -> ConfigInference.infer(shapesOnly(1664, 8192, 1280, 5120)));
        assertTrue(g.getMessage().contains("MLP widths (vision 8192 for width 1664, text 5120 for width 1280)"),
                g.getMessage());
        // OpenAI's ViT-L/14 sizes (width 1024) and a reference-shaped text tower with another MLP width
        assertEquals(4096, ConfigInference.infer(shapesOnly(1024, 4096, 768, 3072)).visionMlpWidth());
        assertThrows(CheckpointException.class, () -> ConfigInference.infer(shapesOnly(1024, 4096, 768, 3000)));
    }

    @Test
    void huggingFaceIntermediateSizeIsReadAndCrossChecked() throws IOException {
        ClipConfig hf = HuggingFaceConfig.read(VIT.resolve("config.json"));
        assertEquals(512, hf.visionMlpWidth());
        assertEquals(512, hf.transformerMlpWidth());
        Path dir = Files.createDirectory(tmp.resolve("hf"));
        ObjectNode json = (ObjectNode) JSON.readTree(VIT.resolve("config.json").toFile());
        ((ObjectNode) json.get("vision_config")).put("intermediate_size", 640);
        JSON.writeValue(dir.resolve("config.json").toFile(), json);
        Files.copy(VIT.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ConfigInference.infer(CheckpointReader.read(dir), dir));
        assertTrue(e.getMessage().contains("config.json: vision_config.intermediate_size = 640 but the weights imply"
                + " 512"), e.getMessage());
        // absent: transformers' defaults (vision 3072, text 2048)
        ((ObjectNode) json.get("vision_config")).remove("intermediate_size");
        ((ObjectNode) json.get("text_config")).remove("intermediate_size");
        JSON.writeValue(dir.resolve("config.json").toFile(), json);
        ClipConfig defaults = HuggingFaceConfig.read(dir.resolve("config.json"));
        assertEquals(3072, defaults.visionMlpWidth());
        assertEquals(2048, defaults.transformerMlpWidth());
    }

    @Test
    void referenceCheckpointsStillInferFourTimesWidth() {
        ClipConfig vit = ConfigInference.infer(CheckpointReader.read(VIT.resolve("state_dict.pt")));
        assertEquals(4 * 128, vit.visionMlpWidth());
        assertEquals(4 * 128, vit.transformerMlpWidth());
        assertTrue(vit.hasReferenceMlpWidths());
        Path rnFile = Fixtures.model("tiny-rn").resolve("state_dict.pt");
        ClipConfig rn = ConfigInference.infer(CheckpointReader.read(rnFile));
        assertEquals(0, rn.visionMlpWidth());
        assertEquals(4 * rn.transformerWidth(), rn.transformerMlpWidth());
        for (String name : ClipConfig.openaiNames()) {
            ClipConfig c = ClipConfig.openai(name);
            assertTrue(c.hasReferenceMlpWidths(), name);
            assertEquals(4 * c.transformerWidth(), c.transformerMlpWidth(), name);
        }
    }

    /**
     * A ViT state dict whose tensors have the sizes ConfigInference reads and no elements (a 0 in every other
     * dimension): ViT-H-sized models need no weights. Patch 14, image 224, 1 block per tower.
     */
    private static StateDict shapesOnly(int visionWidth, int visionMlp, int textWidth, int textMlp) {
        Map<String, TensorData> m = new LinkedHashMap<>();
        put(m, "visual.proj", 0, 1024);
        put(m, "visual.conv1.weight", visionWidth, 0, 14, 14);
        put(m, "visual.positional_embedding", 16 * 16 + 1, 0);
        put(m, "visual.transformer.resblocks.0.attn.in_proj_weight", 0, visionWidth);
        put(m, "visual.transformer.resblocks.0.mlp.c_fc.weight", visionMlp, 0);
        put(m, "text_projection", 0, 1024);
        put(m, "positional_embedding", 77, 0);
        put(m, "token_embedding.weight", 49408, 0);
        put(m, "ln_final.weight", textWidth);
        put(m, "transformer.resblocks.0.attn.in_proj_weight", 0, textWidth);
        put(m, "transformer.resblocks.0.mlp.c_fc.weight", textMlp, 0);
        return new StateDict("shapes-only", m);
    }

    private static void put(Map<String, TensorData> m, String name, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        m.put(name, new TensorData(DType.F32, shape, ByteBuffer.allocate((int) n * 4)));
    }
}
