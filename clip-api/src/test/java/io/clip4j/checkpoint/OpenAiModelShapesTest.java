package io.clip4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.Activation;
import io.clip4j.ClipConfig;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The state_dict layouts of OpenAI's nine released CLIP models, as openai/CLIP's {@code clip/model.py} builds them
 * ({@code testdata/openai-shapes/}, see its {@code gen.py} and {@code testdata/ORIGIN.md}), give the models'
 * published configurations through {@link ConfigInference}, the path {@code ClipModel.load} takes for a bare OpenAI
 * checkpoint; the ViTs do so under Hugging Face {@code CLIPModel} names too, through {@link HuggingFaceKeys}.
 *
 * <p>The expected values are a table written out by hand from open_clip's {@code src/open_clip/model_configs/*.json}
 * (the CLIP paper's Tables 19 and 20 list the same sizes; the paper was not at hand to re-read when this was written)
 * and parameter counts from open_clip's {@code docs/model_profile.csv}; the vision heads are the reference's for each
 * model (a ViT's 64-wide heads, a ResNet attention pool's 64-wide heads over 32 x its stem width), written as numbers.
 * Nothing here derives them with the rules ConfigInference uses. The tensors have their
 * real shapes but no memory of their own: each views a read-only mapping of one sparse file, whose pages are never
 * read unless a conversion copies them.
 */
class OpenAiModelShapesTest {
    private static final Path SHAPES = Path.of(System.getProperty("clip4j.testdata"), "openai-shapes");
    /** Larger than any tensor of the nine models (RN50x64's token_embedding, 49408 x 1024 float32: 202 MB). */
    private static final long SPARSE_BYTES = 256L << 20;

    @TempDir
    static Path tmp;
    private static ByteBuffer zeros;

    /**
     * One row of the expected table. {@code visionLayers} is the ResNet's four stage depths or the ViT's one layer
     * count; {@code patch} 0 for a ResNet; {@code mparams} open_clip's model_profile.csv (millions, 2 decimals).
     */
    private record Expected(String name, String file, int embedDim, int resolution, int[] visionLayers,
                            int visionWidth, int patch, int visionHeads, int textWidth, int textHeads,
                            int textLayers, double mparams) {
        boolean vit() {
            return patch > 0;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<Expected> MODELS = List.of(
            // name, file, embed_dim, image_size, vision layers, vision width, patch, vision heads,
            // text width, text heads, text layers, Mparams
            new Expected("RN50", "RN50.json", 1024, 224, new int[]{3, 4, 6, 3}, 64, 0, 32, 512, 8, 12, 102.01),
            new Expected("RN101", "RN101.json", 512, 224, new int[]{3, 4, 23, 3}, 64, 0, 32, 512, 8, 12, 119.69),
            new Expected("RN50x4", "RN50x4.json", 640, 288, new int[]{4, 6, 10, 6}, 80, 0, 40, 640, 10, 12, 178.30),
            new Expected("RN50x16", "RN50x16.json", 768, 384, new int[]{6, 8, 18, 8}, 96, 0, 48, 768, 12, 12,
                    290.98),
            new Expected("RN50x64", "RN50x64.json", 1024, 448, new int[]{3, 15, 36, 10}, 128, 0, 64, 1024, 16, 12,
                    623.26),
            new Expected("ViT-B/32", "ViT-B-32.json", 512, 224, new int[]{12}, 768, 32, 12, 512, 8, 12, 151.28),
            new Expected("ViT-B/16", "ViT-B-16.json", 512, 224, new int[]{12}, 768, 16, 12, 512, 8, 12, 149.62),
            new Expected("ViT-L/14", "ViT-L-14.json", 768, 224, new int[]{24}, 1024, 14, 16, 768, 12, 12, 427.62),
            new Expected("ViT-L/14@336px", "ViT-L-14-336px.json", 768, 336, new int[]{24}, 1024, 14, 16, 768, 12, 12,
                    427.94));

    @BeforeAll
    static void mapSparseFile() throws IOException {
        Path f = tmp.resolve("sparse.bin");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(SPARSE_BYTES); // a hole: no disk blocks, no page-cache pages until read
            zeros = raf.getChannel().map(FileChannel.MapMode.READ_ONLY, 0, SPARSE_BYTES);
        }
    }

    static Stream<Arguments> models() {
        return MODELS.stream().map(Arguments::of);
    }

    static Stream<Arguments> vits() {
        return MODELS.stream().filter(Expected::vit).map(Arguments::of);
    }

    /** The reference layout of one model: name to (dtype, shape), in state_dict order, plus its header. */
    private record Layout(JsonNode header, Map<String, TensorData> tensors) {
    }

    private static Layout layout(Expected e) throws IOException {
        JsonNode doc = new ObjectMapper().readTree(SHAPES.resolve(e.file()).toFile());
        assertEquals(e.name(), doc.get("model").asText(), e.file());
        Map<String, TensorData> m = new LinkedHashMap<>();
        for (JsonNode t : doc.get("tensors")) {
            long[] shape = new long[t.get(2).size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.get(2).get(i).asLong();
            }
            m.put(t.get(0).asText(), shapeOnly(dtype(t.get(1).asText()), shape));
        }
        return new Layout(doc, m);
    }

    private static DType dtype(String torchName) {
        switch (torchName) {
            case "float16": return DType.F16;
            case "float32": return DType.F32;
            case "int64": return DType.I64;
            default: throw new AssertionError("dtype " + torchName);
        }
    }

    /** A tensor of this shape viewing the sparse mapping: nothing is allocated. */
    private static TensorData shapeOnly(DType dtype, long... shape) {
        long bytes = dtype.byteSize();
        for (long s : shape) {
            bytes *= s;
        }
        assertTrue(bytes <= SPARSE_BYTES, "tensor of " + bytes + " bytes");
        return new TensorData(dtype, shape, zeros.duplicate().limit((int) bytes));
    }

    /** BatchNorm statistics and counters are buffers, not parameters. */
    private static boolean isBuffer(String key) {
        return key.endsWith(".running_mean") || key.endsWith(".running_var") || key.endsWith(".num_batches_tracked");
    }

    private static long parameters(Map<String, TensorData> tensors) {
        long n = 0;
        for (Map.Entry<String, TensorData> t : tensors.entrySet()) {
            if (!isBuffer(t.getKey())) {
                n += t.getValue().numel();
            }
        }
        return n;
    }

    private static void assertConfig(Expected e, ClipConfig c) {
        String m = e.name() + ": " + c;
        assertEquals(e.embedDim(), c.embedDim(), m);
        assertEquals(e.resolution(), c.imageResolution(), m);
        assertEquals(e.vit(), c.isVit(), m);
        assertArrayEquals(e.visionLayers(), c.visionLayers(), m);
        assertEquals(e.visionWidth(), c.visionWidth(), m);
        assertEquals(e.patch(), c.visionPatchSize(), m);
        assertEquals(e.visionHeads(), c.visionHeads(), m);
        assertEquals(77, c.contextLength(), m);
        assertEquals(49408, c.vocabSize(), m);
        assertEquals(e.textWidth(), c.transformerWidth(), m);
        assertEquals(e.textHeads(), c.transformerHeads(), m);
        assertEquals(e.textLayers(), c.transformerLayers(), m);
        assertEquals(4 * e.textWidth(), c.transformerMlpWidth(), m);
        assertEquals(e.vit() ? 4 * e.visionWidth() : 0, c.visionMlpWidth(), m);
        assertEquals(Activation.QUICK_GELU, c.activation(), m);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void openAiStateDictInfersThePublishedConfiguration(Expected e) throws IOException {
        Layout l = layout(e);
        StateDict sd = new StateDict(e.file(), l.tensors());
        ClipConfig c = ConfigInference.infer(sd);
        assertConfig(e, c);
        // The same through the entry point for a checkpoint path (a bare file: no config.json or
        // open_clip_config.json beside it), and equal to clip4j's own table of the nine models.
        assertEquals(c, ConfigInference.infer(sd, tmp.resolve("model.pt")), e.name());
        assertEquals(ClipConfig.openai(e.name()), c, e.name());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void referenceLayoutHasThePublishedParameterCount(Expected e) throws IOException {
        Layout l = layout(e);
        long n = parameters(l.tensors());
        assertEquals(l.header().get("parameter_count").asLong(), n, e.name() + ": torch's count in the JSON");
        assertEquals(e.mparams(), Math.round(n / 1e4) / 100.0, 1e-9, e.name() + ": open_clip's model_profile.csv");
        // The hyperparameters the generator built the model with are the table's.
        JsonNode hp = l.header().get("hyperparameters");
        assertEquals(e.embedDim(), hp.get("embed_dim").asInt(), e.name());
        assertEquals(e.resolution(), hp.get("image_resolution").asInt(), e.name());
        assertEquals(e.visionWidth(), hp.get("vision_width").asInt(), e.name());
        assertEquals(e.textWidth(), hp.get("transformer_width").asInt(), e.name());
    }

    /**
     * OpenAI's TorchScript archives hold three int64 scalars beside the state_dict (which build_model deletes), and
     * the ResNets' BatchNorms a num_batches_tracked counter: none of them changes the configuration, and strict
     * loading lets them go unread.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void archiveBuffersAndBatchCountersChangeNothingAndMayGoUnread(Expected e) throws IOException {
        Map<String, TensorData> m = new LinkedHashMap<>(layout(e).tensors());
        m.put("input_resolution", shapeOnly(DType.I64));
        m.put("context_length", shapeOnly(DType.I64));
        m.put("vocab_size", shapeOnly(DType.I64));
        StateDict sd = new StateDict(e.file(), m);
        assertConfig(e, ConfigInference.infer(sd));
        Set<String> read = new HashSet<>();
        for (String k : sd.keys()) {
            if (!k.endsWith(".num_batches_tracked") && !k.equals("input_resolution") && !k.equals("context_length")
                    && !k.equals("vocab_size")) {
                read.add(k);
            }
        }
        UnusedTensors.requireAllUsed(sd, read);
    }

    /**
     * The ViTs under Hugging Face {@code CLIPModel} names (transformers' {@code modeling_clip.py} module paths, as its
     * {@code convert_clip_original_pytorch_to_hf.py} fills them): q/k/v split out of in_proj, the two projections as
     * Linear weights {@code [embed, width]}, and the position_ids buffers older transformers saved.
     * {@link HuggingFaceKeys#toOpenAi} must give back the reference layout exactly, names, order and shapes.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("vits")
    void huggingFaceNamesGiveBackTheReferenceLayout(Expected e) throws IOException {
        Map<String, TensorData> ref = layout(e).tensors();
        Map<String, TensorData> hf = huggingFace(e, ref);
        StateDict converted = HuggingFaceKeys.toOpenAi(new StateDict(e.file() + " (HF names)", hf));
        assertEquals(new ArrayList<>(ref.keySet()), new ArrayList<>(converted.keys()), e.name());
        for (Map.Entry<String, TensorData> t : ref.entrySet()) {
            TensorData got = converted.get(t.getKey());
            assertArrayEquals(t.getValue().shape(), got.shape(), e.name() + ": " + t.getKey());
            assertEquals(t.getValue().dtype(), got.dtype(), e.name() + ": " + t.getKey());
        }
        assertConfig(e, ConfigInference.infer(converted));
        long positionIds = hf.get("text_model.embeddings.position_ids").numel()
                + hf.get("vision_model.embeddings.position_ids").numel();
        assertEquals(parameters(ref), parameters(hf) - positionIds, e.name() + ": the same parameters");
    }

    /** The OpenAI layout renamed as transformers' CLIPModel names it (written from modeling_clip.py). */
    private static Map<String, TensorData> huggingFace(Expected e, Map<String, TensorData> ref) {
        Map<String, TensorData> hf = new LinkedHashMap<>();
        int tw = e.textWidth();
        int vw = e.visionWidth();
        long positions = ref.get("visual.positional_embedding").size(0);
        hf.put("logit_scale", shapeOnly(DType.F32));
        hf.put("text_model.embeddings.token_embedding.weight", shapeOnly(DType.F32, 49408, tw));
        hf.put("text_model.embeddings.position_embedding.weight", shapeOnly(DType.F32, 77, tw));
        hf.put("text_model.embeddings.position_ids", shapeOnly(DType.I64, 1, 77));
        layers(hf, "text_model.encoder.layers.", e.textLayers(), tw);
        hf.put("text_model.final_layer_norm.weight", shapeOnly(DType.F32, tw));
        hf.put("text_model.final_layer_norm.bias", shapeOnly(DType.F32, tw));
        hf.put("vision_model.embeddings.class_embedding", shapeOnly(DType.F32, vw));
        hf.put("vision_model.embeddings.patch_embedding.weight", shapeOnly(DType.F16, vw, 3, e.patch(), e.patch()));
        hf.put("vision_model.embeddings.position_embedding.weight", shapeOnly(DType.F32, positions, vw));
        hf.put("vision_model.embeddings.position_ids", shapeOnly(DType.I64, 1, positions));
        hf.put("vision_model.pre_layrnorm.weight", shapeOnly(DType.F32, vw));
        hf.put("vision_model.pre_layrnorm.bias", shapeOnly(DType.F32, vw));
        layers(hf, "vision_model.encoder.layers.", e.visionLayers()[0], vw);
        hf.put("vision_model.post_layernorm.weight", shapeOnly(DType.F32, vw));
        hf.put("vision_model.post_layernorm.bias", shapeOnly(DType.F32, vw));
        hf.put("visual_projection.weight", shapeOnly(DType.F16, e.embedDim(), vw));
        hf.put("text_projection.weight", shapeOnly(DType.F16, e.embedDim(), tw));
        return hf;
    }

    private static void layers(Map<String, TensorData> hf, String prefix, int layers, int width) {
        for (int i = 0; i < layers; i++) {
            String p = prefix + i + ".";
            for (String proj : new String[]{"k_proj", "v_proj", "q_proj", "out_proj"}) {
                hf.put(p + "self_attn." + proj + ".weight", shapeOnly(DType.F16, width, width));
                hf.put(p + "self_attn." + proj + ".bias", shapeOnly(DType.F16, width));
            }
            hf.put(p + "layer_norm1.weight", shapeOnly(DType.F32, width));
            hf.put(p + "layer_norm1.bias", shapeOnly(DType.F32, width));
            hf.put(p + "mlp.fc1.weight", shapeOnly(DType.F16, 4L * width, width));
            hf.put(p + "mlp.fc1.bias", shapeOnly(DType.F16, 4L * width));
            hf.put(p + "mlp.fc2.weight", shapeOnly(DType.F16, width, 4L * width));
            hf.put(p + "mlp.fc2.bias", shapeOnly(DType.F16, width));
            hf.put(p + "layer_norm2.weight", shapeOnly(DType.F32, width));
            hf.put(p + "layer_norm2.bias", shapeOnly(DType.F32, width));
        }
    }

    @Test
    void everyPublishedModelIsCovered() {
        List<String> names = new ArrayList<>();
        MODELS.forEach(e -> names.add(e.name()));
        assertEquals(new ArrayList<>(ClipConfig.openaiNames()), names);
    }
}
