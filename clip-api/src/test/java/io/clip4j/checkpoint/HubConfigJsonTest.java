package io.clip4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.Activation;
import io.clip4j.ClipConfig;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real {@code config.json} files of the OpenAI ViTs on the Hugging Face hub ({@code testdata/hf-configs/}, copied
 * verbatim from public mirrors; {@code testdata/ORIGIN.md} says which) read as the published OpenAI configurations.
 * These files are the old transformers 4.12 / 4.16 serialisation: a full {@code text_config} / {@code vision_config}
 * (all of {@code PretrainedConfig}'s generation fields) plus the legacy {@code text_config_dict} /
 * {@code vision_config_dict}, present as an object in some and as {@code null} in others. No verbatim copy of
 * openai/clip-vit-large-patch14-336's was found, so ViT-L/14@336px is not covered here.
 */
class HubConfigJsonTest {
    private static final Path CONFIGS = Path.of(System.getProperty("clip4j.testdata"), "hf-configs");
    private static final Path SHAPES = Path.of(System.getProperty("clip4j.testdata"), "openai-shapes");
    /** Larger than any tensor of the ViTs (ViT-L/14's token_embedding, 49408 x 768 float32: 152 MB). */
    private static final long SPARSE_BYTES = 160L << 20;

    @TempDir
    static Path tmp;
    private static ByteBuffer zeros;

    @BeforeAll
    static void mapSparseFile() throws IOException {
        Path f = tmp.resolve("sparse.bin");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(SPARSE_BYTES); // a hole: no disk blocks, no pages until read
            zeros = raf.getChannel().map(FileChannel.MapMode.READ_ONLY, 0, SPARSE_BYTES);
        }
    }

    /** Hub repository (under openai/), OpenAI model name, testdata/openai-shapes file. */
    static Stream<Arguments> hubModels() {
        return Stream.of(
                Arguments.of("clip-vit-base-patch32", "ViT-B/32", "ViT-B-32.json"),
                Arguments.of("clip-vit-base-patch16", "ViT-B/16", "ViT-B-16.json"),
                Arguments.of("clip-vit-large-patch14", "ViT-L/14", "ViT-L-14.json"));
    }

    @ParameterizedTest(name = "openai/{0}")
    @MethodSource("hubModels")
    void realConfigJsonReadsAsThePublishedModel(String repo, String openai, String shapes) {
        Path json = CONFIGS.resolve(repo).resolve(HuggingFaceConfig.CONFIG_FILE);
        assertTrue(HuggingFaceConfig.isClipConfig(json), json.toString());
        ClipConfig c = HuggingFaceConfig.read(json);
        ClipConfig want = ClipConfig.openai(openai);
        String m = repo + ": " + c;
        // Field by field first, so that a failure names the field; then the whole (MLP widths included).
        assertEquals(want.embedDim(), c.embedDim(), m + " embed_dim");
        assertEquals(want.imageResolution(), c.imageResolution(), m + " image_resolution");
        assertEquals(1, c.visionLayers().length, m + " a ViT");
        assertEquals(want.visionLayers()[0], c.visionLayers()[0], m + " vision_layers");
        assertEquals(want.visionWidth(), c.visionWidth(), m + " vision_width");
        assertEquals(want.visionPatchSize(), c.visionPatchSize(), m + " vision_patch_size");
        assertEquals(want.visionHeads(), c.visionHeads(), m + " vision heads");
        assertEquals(want.contextLength(), c.contextLength(), m + " context_length");
        assertEquals(want.vocabSize(), c.vocabSize(), m + " vocab_size");
        assertEquals(want.transformerWidth(), c.transformerWidth(), m + " transformer_width");
        assertEquals(want.transformerHeads(), c.transformerHeads(), m + " transformer_heads");
        assertEquals(want.transformerLayers(), c.transformerLayers(), m + " transformer_layers");
        assertEquals(4 * want.visionWidth(), c.visionMlpWidth(), m + " vision intermediate_size");
        assertEquals(4 * want.transformerWidth(), c.transformerMlpWidth(), m + " text intermediate_size");
        assertEquals(Activation.QUICK_GELU, c.activation(), m + " hidden_act");
        assertEquals(want, c, repo);
    }

    /**
     * The directory's {@code config.json} cross-checked against a state dict with the shapes the reference
     * {@code clip/model.py} gives that model ({@code testdata/openai-shapes/}, tensors without memory), the path
     * {@code CheckpointReader} takes for a Hugging Face directory: the file and the weights agree, and the result is
     * the published configuration.
     */
    @ParameterizedTest(name = "openai/{0}")
    @MethodSource("hubModels")
    void realConfigJsonAgreesWithTheModelsWeightShapes(String repo, String openai, String shapes) throws IOException {
        StateDict sd = new StateDict(shapes, layout(SHAPES.resolve(shapes), openai));
        assertEquals(ClipConfig.openai(openai), ConfigInference.infer(sd, CONFIGS.resolve(repo)), repo);
    }

    /**
     * The legacy {@code *_config_dict} wins over the full section, as transformers reads it: the files of that era
     * whose {@code text_config} holds {@code CLIPTextConfig}'s defaults (hidden 512, 8 heads, intermediate 2048)
     * while {@code text_config_dict} holds ViT-L/14's text tower. Made from the real ViT-L/14 file by putting those
     * defaults into its {@code text_config} and ViT-B's vision sizes into its {@code vision_config}.
     */
    @Test
    void legacyDictsWinOverDefaultFilledSections() throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(
                CONFIGS.resolve("clip-vit-large-patch14").resolve(HuggingFaceConfig.CONFIG_FILE).toFile());
        ObjectNode text = (ObjectNode) root.get("text_config");
        text.put("hidden_size", 512).put("num_attention_heads", 8).put("intermediate_size", 2048);
        ObjectNode vision = (ObjectNode) root.get("vision_config");
        vision.put("hidden_size", 768).put("num_attention_heads", 12).put("intermediate_size", 3072)
                .put("num_hidden_layers", 12).put("patch_size", 32);
        Path dir = Files.createDirectories(tmp.resolve("l14-default-sections"));
        Path file = dir.resolve(HuggingFaceConfig.CONFIG_FILE);
        json.writeValue(file.toFile(), root);
        assertEquals(ClipConfig.openai("ViT-L/14"), HuggingFaceConfig.read(file));
    }

    /**
     * Where the {@code *_config_dict} is an object, transformers takes every field of the tower from
     * {@code CLIPTextConfig(**text_config_dict)} (resp. vision): one the {@code *_dict} leaves out takes the class
     * default, not the full section's value ({@code CLIPConfig.__init__}: {@code text_config.update(
     * CLIPTextConfig(**text_config_dict).to_dict())}). The real ViT-L/14 file's dicts give the widths, heads and layers
     * but leave out the positions, vocabulary, hidden_act and image size; here its full sections are given other
     * values for those, which must not be read.
     */
    @Test
    void fieldsTheLegacyDictLeavesOutTakeTransformersDefaultsNotTheSections() throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(
                CONFIGS.resolve("clip-vit-large-patch14").resolve(HuggingFaceConfig.CONFIG_FILE).toFile());
        ((ObjectNode) root.get("text_config")).put("max_position_embeddings", 64).put("vocab_size", 1000)
                .put("hidden_act", "gelu");
        ((ObjectNode) root.get("vision_config")).put("image_size", 336).put("hidden_act", "gelu");
        Path dir = Files.createDirectories(tmp.resolve("l14-other-sections"));
        Path file = dir.resolve(HuggingFaceConfig.CONFIG_FILE);
        json.writeValue(file.toFile(), root);
        assertEquals(ClipConfig.openai("ViT-L/14"), HuggingFaceConfig.read(file));

        // With the *_dict null (the ViT-B/32 file's form), the sections are what counts.
        root.putNull("text_config_dict");
        root.putNull("vision_config_dict");
        json.writeValue(file.toFile(), root);
        ClipConfig c = HuggingFaceConfig.read(file);
        assertEquals(64, c.contextLength(), c.toString());
        assertEquals(1000, c.vocabSize(), c.toString());
        assertEquals(336, c.imageResolution(), c.toString());
        assertEquals(Activation.GELU, c.activation(), c.toString());
    }

    /** The reference layout of one model (OpenAI names), each tensor viewing the sparse mapping. */
    private static Map<String, TensorData> layout(Path file, String model) throws IOException {
        JsonNode doc = new ObjectMapper().readTree(file.toFile());
        assertEquals(model, doc.get("model").asText(), file.toString());
        Map<String, TensorData> m = new LinkedHashMap<>();
        for (JsonNode t : doc.get("tensors")) {
            long[] shape = new long[t.get(2).size()];
            DType dtype;
            switch (t.get(1).asText()) {
                case "float16": dtype = DType.F16; break;
                case "float32": dtype = DType.F32; break;
                case "int64": dtype = DType.I64; break;
                default: throw new AssertionError("dtype " + t.get(1));
            }
            long bytes = dtype.byteSize();
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.get(2).get(i).asLong();
                bytes *= shape[i];
            }
            assertTrue(bytes <= SPARSE_BYTES, "tensor of " + bytes + " bytes");
            m.put(t.get(0).asText(), new TensorData(dtype, shape, zeros.duplicate().limit((int) bytes)));
        }
        return m;
    }
}
