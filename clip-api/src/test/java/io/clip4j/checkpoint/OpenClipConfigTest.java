package io.clip4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.Activation;
import io.clip4j.ClipConfig;
import io.clip4j.image.ImagePreprocessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code open_clip_config.json} (testdata/models/tiny-openclip: tiny-vit's weights with head_width 16, text heads 4,
 * GELU and a non-CLIP mean/std): the mapping to {@link ClipConfig}, the cross-check against the tensors, the choice
 * of weights, and the refusal of every option clip4j does not compute.
 */
class OpenClipConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DIR = OpenClipFixture.directory();
    private static final Path VIT = Fixtures.model("tiny-vit");
    /** tiny-vit's sizes with open_clip's heads: vision 128 // 16 = 8 (not 128 / 64 = 2), text 4 (not 2); GELU. */
    private static final ClipConfig EXPECTED = new ClipConfig(64, 224, new int[]{2}, 128, 32, 77, 49408, 128, 4, 2, 8,
            Activation.GELU);

    @TempDir
    Path tmp;

    private static ObjectNode fixtureJson() throws IOException {
        return (ObjectNode) JSON.readTree(DIR.resolve(OpenClipConfig.CONFIG_FILE).toFile());
    }

    /** The fixture's JSON with {@code value} put at {@code path} ("model_cfg.vision_cfg.ls_init_value"). */
    private static ObjectNode with(String path, Object value) throws IOException {
        ObjectNode root = fixtureJson();
        String[] parts = path.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            node = node.has(parts[i]) ? (ObjectNode) node.get(parts[i]) : node.putObject(parts[i]);
        }
        node.set(parts[parts.length - 1], JSON.valueToTree(value));
        return root;
    }

    private Path write(JsonNode json) throws IOException {
        Path f = Files.createTempFile(tmp, "open_clip", ".json");
        JSON.writeValue(f.toFile(), json);
        return f;
    }

    /** A model directory with this config and the fixture's weights (a copy of tiny-vit's state_dict.pt). */
    private Path modelDir(JsonNode json) throws IOException {
        Path dir = Files.createTempDirectory(tmp, "oc");
        JSON.writeValue(dir.resolve(OpenClipConfig.CONFIG_FILE).toFile(), json);
        Files.copy(VIT.resolve("state_dict.pt"), dir.resolve(OpenClipConfig.PYTORCH_FILE));
        return dir;
    }

    @Test
    void theFixtureGivesHeadsActivationAndMeanStdFromTheJson() {
        OpenClipConfig oc = OpenClipConfig.find(DIR).orElseThrow();
        assertEquals(EXPECTED, oc.config());
        assertArrayEquals(new double[]{0.5, 0.4, 0.3}, oc.transform().mean());
        assertArrayEquals(new double[]{0.2, 0.25, 0.3}, oc.transform().std());
        StateDict sd = CheckpointReader.read(DIR);
        assertEquals(CheckpointReader.read(VIT.resolve("state_dict.pt")).keys(), sd.keys());
        assertEquals(EXPECTED, ConfigInference.infer(sd, DIR));
        assertEquals(EXPECTED, ConfigInference.infer(sd, DIR, Activation.GELU));
        // the tensors alone would say 2 and 2 heads and QuickGELU: the JSON must win
        assertEquals(2, ConfigInference.infer(sd).visionHeads());
    }

    @Test
    void checkpointConfigGivesTheModelAndItsPreprocessing() throws IOException {
        CheckpointConfig oc = CheckpointConfig.infer(CheckpointReader.read(DIR), DIR, null);
        assertEquals(EXPECTED, oc.model());
        assertArrayEquals(new double[]{0.5, 0.4, 0.3}, oc.transform().mean());
        assertEquals(DIR.resolve(OpenClipConfig.CONFIG_FILE), oc.transform().source().orElseThrow());
        // a Hugging Face directory: config.json's model, preprocessor_config.json's mean, read (and refused) when asked
        Path hf = Files.createTempDirectory(tmp, "hf");
        Files.copy(VIT.resolve(HuggingFaceConfig.CONFIG_FILE), hf.resolve(HuggingFaceConfig.CONFIG_FILE));
        Files.copy(VIT.resolve("model.safetensors"), hf.resolve("model.safetensors"));
        Files.writeString(hf.resolve(ImageTransformConfig.HUGGING_FACE_FILE), "{\"image_mean\": [0.1, 0.2, 0.3]}");
        CheckpointConfig c = CheckpointConfig.infer(CheckpointReader.read(hf), hf, null);
        assertEquals(HuggingFaceConfig.read(VIT.resolve(HuggingFaceConfig.CONFIG_FILE)), c.model());
        assertArrayEquals(new double[]{0.1, 0.2, 0.3}, c.transform().mean());
        Files.writeString(hf.resolve(ImageTransformConfig.HUGGING_FACE_FILE), "{\"resample\": 0}");
        CheckpointConfig refused = CheckpointConfig.infer(CheckpointReader.read(hf), hf, null);
        assertThrows(CheckpointException.class, refused::transform);
    }

    @Test
    void defaultsAreOpenClipsGeluClipMeanStdAndHeadWidth64() throws IOException {
        ObjectNode json = fixtureJson();
        json.remove("preprocess_cfg");
        ObjectNode model = (ObjectNode) json.get("model_cfg");
        model.remove("quick_gelu");
        ((ObjectNode) model.get("vision_cfg")).remove("head_width");
        ((ObjectNode) model.get("text_cfg")).remove("heads");
        OpenClipConfig oc = OpenClipConfig.read(write(json));
        assertEquals(Activation.GELU, oc.config().activation());
        assertEquals(2, oc.config().visionHeads());
        assertEquals(8, oc.config().transformerHeads());
        assertArrayEquals(ImagePreprocessor.clipMean(), oc.transform().mean());
        assertArrayEquals(ImagePreprocessor.clipStd(), oc.transform().std());
        assertEquals(Activation.QUICK_GELU, OpenClipConfig.read(write(with("model_cfg.quick_gelu", true))).config()
                .activation());
    }

    @Test
    void headsFollowOpenClipForViTgBigGAndResNets() throws IOException {
        // open_clip's ViT-g-14.json: width 1408, head_width 88 -> 16 heads (1408 / 64 = 22 would be wrong),
        // mlp_ratio 4.3637 -> int(1408 * 4.3637) = int(6144.0896) = 6144
        String vitG = "{\"model_cfg\": {\"embed_dim\": 1024, \"vision_cfg\": {\"image_size\": 224, \"layers\": 40,"
                + " \"width\": 1408, \"head_width\": 88, \"mlp_ratio\": 4.3637, \"patch_size\": 14},"
                + " \"text_cfg\": {\"context_length\": 77, \"vocab_size\": 49408, \"width\": 1024, \"heads\": 16,"
                + " \"layers\": 12}}}";
        assertEquals(new ClipConfig(1024, 224, new int[]{40}, 1408, 14, 77, 49408, 1024, 16, 12, 16, Activation.GELU)
                .withMlpWidths(6144, 4096), OpenClipConfig.read(write(JSON.readTree(vitG))).config());
        // open_clip's ViT-bigG-14.json (SDXL's second text encoder): 1664 / 104 = 16 heads, int(1664 * 4.9231) =
        // int(8192.0384) = 8192; text width 1280, 20 heads, 32 layers
        String bigG = "{\"model_cfg\": {\"embed_dim\": 1280, \"vision_cfg\": {\"image_size\": 224, \"layers\": 48,"
                + " \"width\": 1664, \"head_width\": 104, \"mlp_ratio\": 4.9231, \"patch_size\": 14},"
                + " \"text_cfg\": {\"context_length\": 77, \"vocab_size\": 49408, \"width\": 1280, \"heads\": 20,"
                + " \"layers\": 32}}}";
        assertEquals(new ClipConfig(1280, 224, new int[]{48}, 1664, 14, 77, 49408, 1280, 20, 32, 16, Activation.GELU)
                .withMlpWidths(8192, 5120), OpenClipConfig.read(write(JSON.readTree(bigG))).config());
        ObjectNode g = (ObjectNode) JSON.readTree(vitG);
        ((ObjectNode) g.get("model_cfg").get("vision_cfg")).remove("mlp_ratio");
        assertEquals(16, OpenClipConfig.read(write(g)).config().visionHeads());
        assertEquals(4 * 1408, OpenClipConfig.read(write(g)).config().visionMlpWidth());
        // open_clip's RN50 config with quick_gelu: OpenAI's RN50 (attention-pool heads 64 * 32 // 64 = 32)
        String rn50 = "{\"model_cfg\": {\"embed_dim\": 1024, \"quick_gelu\": true, \"vision_cfg\": {\"image_size\":"
                + " 224, \"layers\": [3, 4, 6, 3], \"width\": 64, \"patch_size\": null}, \"text_cfg\":"
                + " {\"context_length\": 77, \"vocab_size\": 49408, \"width\": 512, \"heads\": 8, \"layers\": 12}}}";
        assertEquals(ClipConfig.openai("RN50"), OpenClipConfig.read(write(JSON.readTree(rn50))).config());
        ObjectNode rn = (ObjectNode) JSON.readTree(rn50);
        ((ObjectNode) rn.get("model_cfg").get("vision_cfg")).put("head_width", 32);
        assertEquals(64, OpenClipConfig.read(write(rn)).config().visionHeads());
    }

    @Test
    void everyOptionClip4jDoesNotComputeIsRefusedByName() throws IOException {
        Map<String, Object> refused = new java.util.LinkedHashMap<>();
        refused.put("model_cfg.custom_text", true);
        refused.put("model_cfg.init_logit_bias", -10.0);
        refused.put("model_cfg.nonscalar_logit_scale", true);
        refused.put("model_cfg.multimodal_cfg", Map.of("width", 512));
        refused.put("model_cfg.vision_cfg.timm_model_name", "vit_base_patch16_224");
        refused.put("model_cfg.vision_cfg.ls_init_value", 1e-5);
        refused.put("model_cfg.vision_cfg.attentional_pool", true);
        refused.put("model_cfg.vision_cfg.no_ln_pre", true);
        refused.put("model_cfg.vision_cfg.pos_embed_type", "sin_cos_2d");
        refused.put("model_cfg.vision_cfg.pool_type", "avg");
        refused.put("model_cfg.vision_cfg.act_kwargs", Map.of("approximate", "tanh"));
        refused.put("model_cfg.vision_cfg.norm_kwargs", Map.of("eps", 1e-6));
        refused.put("model_cfg.vision_cfg.image_size", new int[]{224, 256});
        refused.put("model_cfg.vision_cfg.head_width", 200);
        refused.put("model_cfg.vision_cfg.qk_norm", true);
        refused.put("model_cfg.text_cfg.hf_model_name", "xlm-roberta-base");
        refused.put("model_cfg.text_cfg.hf_tokenizer_name", "timm/ViT-B-16-SigLIP");
        refused.put("model_cfg.text_cfg.tokenizer_kwargs", Map.of("clean", "canonicalize"));
        refused.put("model_cfg.vision_cfg.mlp_ratio", -1.0);
        refused.put("model_cfg.text_cfg.mlp_ratio", "4");
        refused.put("model_cfg.text_cfg.ls_init_value", 1e-5);
        refused.put("model_cfg.text_cfg.embed_cls", true);
        refused.put("model_cfg.text_cfg.no_causal_mask", true);
        refused.put("model_cfg.text_cfg.pool_type", "last");
        refused.put("model_cfg.text_cfg.proj_type", "none");
        refused.put("model_cfg.text_cfg.proj_bias", true);
        refused.put("model_cfg.text_cfg.act_kwargs", Map.of("approximate", "tanh"));
        refused.put("model_cfg.text_cfg.norm_kwargs", Map.of("eps", 1e-6));
        refused.put("preprocess_cfg.interpolation", "bilinear");
        refused.put("preprocess_cfg.resize_mode", "longest");
        refused.put("preprocess_cfg.mode", "L");
        refused.put("preprocess_cfg.size", 336);
        refused.put("preprocess_cfg.mean", new double[]{0.5, 0.5});
        refused.put("preprocess_cfg.std", new double[]{0.5, 0, 0.5});
        refused.put("tokenizer_cfg", Map.of());
        for (Map.Entry<String, Object> e : refused.entrySet()) {
            Path file = write(with(e.getKey(), e.getValue()));
            CheckpointException x = assertThrows(CheckpointException.class, () -> OpenClipConfig.read(file), e.getKey());
            String leaf = e.getKey().substring(e.getKey().lastIndexOf('.') + 1);
            assertTrue(x.getMessage().startsWith(file.toString()) && x.getMessage().contains(leaf), x.getMessage());
        }
        CheckpointException resize = assertThrows(CheckpointException.class,
                () -> OpenClipConfig.read(write(with("preprocess_cfg.resize_mode", "longest"))));
        assertTrue(resize.getMessage().contains("resize_mode = \"longest\" is not supported"), resize.getMessage());
    }

    @Test
    void mlpRatioGivesPythonsIntOfTheDoubleProduct() throws IOException {
        // 100 * 4.35 is 434.99999999999994 in double precision: Python's int() gives 434, exact decimals 435
        ObjectNode json = with("model_cfg.vision_cfg.width", 100);
        ((ObjectNode) json.get("model_cfg").get("vision_cfg")).put("head_width", 50).put("mlp_ratio", 4.35);
        ((ObjectNode) json.get("model_cfg").get("text_cfg")).put("mlp_ratio", 1.15); // 128 * 1.15 = 147.2
        ClipConfig c = OpenClipConfig.read(write(json)).config();
        assertEquals(434, c.visionMlpWidth());
        assertEquals(147, c.transformerMlpWidth());
        assertEquals(2, c.visionHeads());
        CheckpointException big = assertThrows(CheckpointException.class,
                () -> OpenClipConfig.read(write(with("model_cfg.text_cfg.mlp_ratio", 10000.0))));
        assertTrue(big.getMessage().contains("text_cfg.mlp_ratio 10000.0 gives an MLP width int(128 * 10000.0) outside"
                + " 1..1048576"), big.getMessage());
        CheckpointException zero = assertThrows(CheckpointException.class,
                () -> OpenClipConfig.read(write(with("model_cfg.vision_cfg.mlp_ratio", 0))));
        assertTrue(zero.getMessage().contains("vision_cfg.mlp_ratio must be a number above 0, got 0"),
                zero.getMessage());
    }

    @Test
    void trainingOnlyAndDefaultValuedOptionsAreAccepted() throws IOException {
        Map<String, Object> harmless = new java.util.LinkedHashMap<>();
        harmless.put("model_cfg.vision_cfg.patch_dropout", 0.5);
        harmless.put("preprocess_cfg.interpolation", "random"); // training only; open_clip evaluates bicubic
        harmless.put("model_cfg.vision_cfg.output_tokens", true);
        harmless.put("model_cfg.vision_cfg.final_ln_after_pool", true);
        harmless.put("model_cfg.vision_cfg.attn_pooler_heads", 16);
        harmless.put("model_cfg.vision_cfg.timm_pool", "");
        harmless.put("model_cfg.vision_cfg.pool_type", "tok");
        harmless.put("model_cfg.vision_cfg.image_size", new int[]{224, 224});
        harmless.put("model_cfg.vision_cfg.act_kwargs", Map.of());
        harmless.put("model_cfg.vision_cfg.mlp_ratio", 4.0);
        harmless.put("model_cfg.text_cfg.mlp_ratio", 4);
        harmless.put("model_cfg.text_cfg.final_ln_after_pool", true);
        harmless.put("model_cfg.text_cfg.pad_id", 1);
        harmless.put("model_cfg.text_cfg.hf_proj_type", "linear");
        harmless.put("model_cfg.text_cfg.proj_type", "linear");
        harmless.put("model_cfg.init_logit_scale", 2.3);
        harmless.put("model_cfg.output_dict", true);
        harmless.put("preprocess_cfg.size", new int[]{224, 224});
        harmless.put("preprocess_cfg.fill_color", 0);
        harmless.put("preprocess_cfg.mode", "RGB");
        for (Map.Entry<String, Object> e : harmless.entrySet()) {
            assertEquals(EXPECTED, OpenClipConfig.read(write(with(e.getKey(), e.getValue()))).config(), e.getKey());
        }
        assertArrayEquals(new double[]{0.5, 0.5, 0.5},
                OpenClipConfig.read(write(with("preprocess_cfg.mean", 0.5))).transform().mean(), "one number for all channels");
        assertFalse(OpenClipConfig.find(DIR).orElseThrow().transform().squash());
        OpenClipConfig squash = OpenClipConfig.read(write(with("preprocess_cfg.resize_mode", "squash")));
        assertTrue(squash.transform().squash());
        assertEquals(EXPECTED, squash.config());
    }

    @Test
    void declaredSizesAreCrossCheckedAgainstTheTensorsAndTheActivationAgainstRequests() throws IOException {
        Path dir = modelDir(with("model_cfg.vision_cfg.width", 256));
        CheckpointException width = assertThrows(CheckpointException.class,
                () -> ConfigInference.infer(CheckpointReader.read(dir), dir));
        assertTrue(width.getMessage().contains(OpenClipConfig.CONFIG_FILE + ": vision_cfg.width = 256 but the weights"
                + " imply 128"), width.getMessage());
        Path resnet = modelDir(with("model_cfg.vision_cfg.layers", new int[]{1, 1, 1, 1}));
        CheckpointException kind = assertThrows(CheckpointException.class,
                () -> ConfigInference.infer(CheckpointReader.read(resnet), resnet));
        assertTrue(kind.getMessage().contains("declares a ResNet but the weights are a ViT"), kind.getMessage());
        CheckpointException act = assertThrows(CheckpointException.class,
                () -> ConfigInference.infer(CheckpointReader.read(DIR), DIR, Activation.QUICK_GELU));
        assertTrue(act.getMessage().contains(OpenClipConfig.CONFIG_FILE + ": declares GELU (quick_gelu false) but"
                + " QUICK_GELU was requested"), act.getMessage());
        // an unsupported option is named even where it also changes the tensors' names (CustomTextCLIP's text.*)
        Path custom = modelDir(with("model_cfg.custom_text", true));
        CheckpointException c = assertThrows(CheckpointException.class,
                () -> ConfigInference.infer(CheckpointReader.read(custom), custom));
        assertTrue(c.getMessage().contains("custom_text"), c.getMessage());
    }

    @Test
    void safetensorsArePreferredAndMissingWeightsAreNamed() throws IOException {
        Path dir = modelDir(fixtureJson());
        Files.delete(dir.resolve(OpenClipConfig.PYTORCH_FILE));
        CheckpointException none = assertThrows(CheckpointException.class, () -> CheckpointReader.read(dir));
        assertTrue(none.getMessage().contains("neither " + OpenClipConfig.SAFETENSORS_FILE + " nor "
                + OpenClipConfig.PYTORCH_FILE), none.getMessage());
        StateDict sd = CheckpointReader.read(VIT.resolve("state_dict.pt"));
        SafetensorsWriter.write(dir.resolve(OpenClipConfig.SAFETENSORS_FILE), sd.asMap(), Map.of());
        Files.write(dir.resolve(OpenClipConfig.PYTORCH_FILE), "not read".getBytes()); // would fail if it were
        assertEquals(sd.keys(), CheckpointReader.read(dir).keys());
        assertEquals(EXPECTED, ConfigInference.infer(CheckpointReader.read(dir), dir));
    }

    @Test
    void brokenJsonNamesTheFileLineAndColumnWithoutJacksonsInternals() throws IOException {
        Path json = Files.writeString(tmp.resolve("open_clip_config.json"), "{\"model_cfg\": {\n");
        CheckpointException e = assertThrows(CheckpointException.class, () -> OpenClipConfig.read(json));
        assertTrue(e.getMessage().startsWith(json + ": open_clip config is not valid JSON (line 2, column 1): "),
                e.getMessage());
        assertFalse(e.getMessage().contains("Source"), e.getMessage());
        Path mismatched = Files.writeString(tmp.resolve("mismatched.json"), "{\"model_cfg\": {]}");
        e = assertThrows(CheckpointException.class, () -> OpenClipConfig.read(mismatched));
        assertTrue(e.getMessage().contains("is not valid JSON (line 1, column 16): Unexpected close marker"), e.getMessage());
        assertFalse(e.getMessage().contains("Source"), e.getMessage());
        // Python's json.load refuses "Extra data"; so does clip4j, instead of reading the first object only
        Path twice = Files.writeString(tmp.resolve("twice.json"), "{\"model_cfg\": {}}\n{\"model_cfg\": {}}");
        e = assertThrows(CheckpointException.class, () -> OpenClipConfig.read(twice));
        assertTrue(e.getMessage().endsWith("more content after the first JSON value"), e.getMessage());
    }

    @Test
    void configJsonThatIsAPipeOrADeviceIsNotRead() throws Exception {
        // Found by fuzzing: next to open_clip_config.json, a config.json that is a named pipe blocked
        // CheckpointReader.read forever, and one linked to /dev/zero ran out of heap: HuggingFaceConfig.isClipConfig
        // (is the directory a transformers one?) read it without checking it is a file.
        Path dir = modelDir(fixtureJson());
        Path pipe = dir.resolve("config.json");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor() == 0, "mkfifo unavailable");
        java.time.Duration seconds10 = java.time.Duration.ofSeconds(10);
        StateDict sd = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(seconds10,
                () -> CheckpointReader.read(dir));
        assertEquals(EXPECTED, ConfigInference.infer(sd, dir));
        CheckpointException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(seconds10,
                () -> assertThrows(CheckpointException.class, () -> OpenClipConfig.read(pipe)));
        assertEquals(pipe + ": open_clip config is not a regular file (a device or named pipe)", e.getMessage());
        Files.delete(pipe);
        Files.createSymbolicLink(pipe, Path.of("/dev/zero"));
        assertEquals(sd.keys(), org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(seconds10,
                () -> CheckpointReader.read(dir)).keys());
    }

    @Test
    void huggingFaceFilesKeepPrecedence() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("both"));
        Files.copy(DIR.resolve(OpenClipConfig.CONFIG_FILE), dir.resolve(OpenClipConfig.CONFIG_FILE));
        Files.copy(VIT.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(VIT.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        assertFalse(OpenClipConfig.find(dir).isPresent());
        ClipConfig c = ConfigInference.infer(CheckpointReader.read(dir), dir);
        assertEquals(HuggingFaceConfig.read(VIT.resolve("config.json")), c);
        assertEquals(Activation.QUICK_GELU, c.activation());
        assertFalse(OpenClipConfig.find(VIT.resolve("state_dict.pt")).isPresent());
        assertFalse(OpenClipConfig.find(VIT).isPresent());
    }
}
