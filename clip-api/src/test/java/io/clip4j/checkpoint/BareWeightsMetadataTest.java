package io.clip4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4j.Activation;
import io.clip4j.ClipConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What bare weights (a state dict, as clip4j's trainer writes) record beyond their tensors: the activation in the
 * safetensors {@code __metadata__}, read back by {@link ConfigInference}; which configurations they can hold at all
 * ({@link ConfigInference#requireBuildableFromBareWeights}); and strict loading's exemptions ({@link UnusedTensors}).
 */
class BareWeightsMetadataTest {
    /** A ViT of width 64 and a text tower of width 64 (one head each by the reference rule), tensors of zeros. */
    private static final ClipConfig TINY = new ClipConfig(8, 32, new int[]{1}, 64, 32, 4, 10, 64, 1, 1, 1);

    @TempDir
    Path tmp;

    private static Map<String, TensorData> tensors() {
        Map<String, TensorData> m = new LinkedHashMap<>();
        put(m, "text_projection", 64, 8);
        put(m, "positional_embedding", 4, 64);
        put(m, "token_embedding.weight", 10, 64);
        put(m, "ln_final.weight", 64);
        put(m, "transformer.resblocks.0.mlp.c_fc.weight", 256, 64);
        put(m, "visual.proj", 64, 8);
        put(m, "visual.conv1.weight", 64, 3, 32, 32);
        put(m, "visual.positional_embedding", 2, 64);
        put(m, "visual.transformer.resblocks.0.attn.in_proj_weight", 192, 64);
        put(m, "visual.transformer.resblocks.0.mlp.c_fc.weight", 256, 64);
        return m;
    }

    private static void put(Map<String, TensorData> m, String name, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        m.put(name, SafetensorsWriter.float32(new float[(int) n], shape));
    }

    private Path write(String name, Map<String, String> metadata) {
        Path f = tmp.resolve(name);
        SafetensorsWriter.write(f, tensors(), metadata);
        return f;
    }

    @Test
    void shardsMayDisagreeOnOtherToolsMetadataButNotOnClip4jsAndNullMetadataIsNone() throws IOException {
        Map<String, TensorData> a = new LinkedHashMap<>();
        Map<String, TensorData> b = new LinkedHashMap<>();
        StringBuilder weightMap = new StringBuilder();
        for (Map.Entry<String, TensorData> e : tensors().entrySet()) {
            boolean first = a.size() <= b.size();
            (first ? a : b).put(e.getKey(), e.getValue());
            weightMap.append(weightMap.length() == 0 ? "" : ", ").append('"').append(e.getKey()).append("\": \"")
                    .append(first ? "a" : "b").append(".safetensors\"");
        }
        Path dir = Files.createDirectory(tmp.resolve("sharded"));
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\": {" + weightMap + "}}");
        SafetensorsWriter.write(dir.resolve("a.safetensors"), a, Map.of("format", "pt", "shard", "1"));
        SafetensorsWriter.write(dir.resolve("b.safetensors"), b, Map.of("format", "pt", "shard", "2"));
        assertEquals(Map.of("format", "pt", "shard", "1"), CheckpointReader.read(dir).metadata(), "first value kept");

        SafetensorsWriter.write(dir.resolve("a.safetensors"), a, Map.of(ConfigInference.ACTIVATION_METADATA, "gelu"));
        SafetensorsWriter.write(dir.resolve("b.safetensors"), b,
                Map.of(ConfigInference.ACTIVATION_METADATA, "quick_gelu"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(dir));
        assertTrue(e.getMessage().contains("different __metadata__ values of 'clip4j.activation'"), e.getMessage());

        // "__metadata__": null is no metadata (the safetensors crate reads an Option), not a corrupt file
        byte[] header = "{\"__metadata__\": null, \"x\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}"
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer file = ByteBuffer.allocate(8 + header.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(header.length).put(header).putFloat(1.5f);
        Path nullMeta = Files.write(tmp.resolve("null-metadata.safetensors"), file.array());
        StateDict sd = CheckpointReader.read(nullMeta);
        assertTrue(sd.metadata().isEmpty());
        assertEquals(Set.of("x"), sd.keys());
    }

    @Test
    void theRecordedActivationIsExposedAndGivesTheConfiguration() {
        Path f = write("gelu.safetensors", ConfigInference.safetensorsMetadata(TINY.withActivation(Activation.GELU)));
        StateDict sd = CheckpointReader.read(f);
        assertEquals(Map.of("format", "pt", "producer", "clip4j", ConfigInference.ACTIVATION_METADATA, "gelu"),
                sd.metadata());
        assertEquals(TINY.withActivation(Activation.GELU), ConfigInference.infer(sd));
        assertEquals(TINY.withActivation(Activation.GELU), ConfigInference.infer(sd, f));
        assertEquals(TINY.withActivation(Activation.GELU), ConfigInference.infer(sd, f, Activation.GELU));
        assertEquals(TINY.withActivation(Activation.GELU), ConfigInference.infer(sd, f, null));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ConfigInference.infer(sd, f, Activation.QUICK_GELU));
        assertTrue(e.getMessage().contains("records GELU (__metadata__ clip4j.activation) but QUICK_GELU was"
                + " requested"), e.getMessage());

        Path q = write("quick.safetensors", ConfigInference.safetensorsMetadata(TINY));
        StateDict quick = CheckpointReader.read(q);
        assertEquals(TINY, ConfigInference.infer(quick, q));
        assertThrows(CheckpointException.class, () -> ConfigInference.infer(quick, q, Activation.GELU));
    }

    @Test
    void withoutMetadataTheActivationIsTheReferencesOrTheCallersChoice() {
        Path f = write("bare.safetensors", Map.of("format", "pt"));
        StateDict sd = CheckpointReader.read(f);
        assertEquals(TINY, ConfigInference.infer(sd, f));
        assertEquals(TINY.withActivation(Activation.GELU), ConfigInference.infer(sd, f, Activation.GELU));
    }

    @Test
    void aDirectoryHoldingTheFileKeepsItsMetadata() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("out"));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors(),
                ConfigInference.safetensorsMetadata(TINY.withActivation(Activation.GELU)));
        assertEquals(Activation.GELU, ConfigInference.infer(CheckpointReader.read(dir), dir).activation());
    }

    @Test
    void unknownValuesAndKeysAreNamed() {
        Path bad = write("bad.safetensors", Map.of(ConfigInference.ACTIVATION_METADATA, "relu"));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ConfigInference.infer(CheckpointReader.read(bad), bad));
        assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("clip4j.activation \"relu\" is not supported"), e.getMessage());

        Path key = write("key.safetensors", Map.of("clip4j.heads", "3"));
        e = assertThrows(CheckpointException.class, () -> ConfigInference.infer(CheckpointReader.read(key)));
        assertTrue(e.getMessage().contains("__metadata__ key 'clip4j.heads' is not one clip4j knows"),
                e.getMessage());
        // keys of other producers are theirs
        Path other = write("other.safetensors", Map.of("format", "pt", "modelspec.title", "x"));
        assertEquals(TINY, ConfigInference.infer(CheckpointReader.read(other)));
    }

    @Test
    void metadataThatIsNotAnObjectOfStringsIsCorrupt() throws IOException {
        String header = "{\"__metadata__\":{\"clip4j.activation\":1},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).putFloat(0f);
        Path f = Files.write(tmp.resolve("num.safetensors"), b.array());
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(f));
        assertTrue(e.getMessage().contains("__metadata__ value of 'clip4j.activation' is not a string: 1"),
                e.getMessage());
    }

    @Test
    void aConfigurationBareWeightsCannotHoldIsRefused() {
        assertEquals(TINY, ConfigInference.requireBuildableFromBareWeights("m", TINY));
        ClipConfig vitL = new ClipConfig(768, 224, new int[]{24}, 1024, 14, 77, 49408, 768, 12, 12, 16);
        assertEquals(vitL, ConfigInference.requireBuildableFromBareWeights("m", vitL));
        for (int w : new int[]{1280, 1408, 1664, 1792}) {
            ClipConfig c = new ClipConfig(512, 224, new int[]{2}, w, 14, 77, 49408, 512, 8, 2, w / 64);
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> ConfigInference.requireBuildableFromBareWeights("the model", c));
            assertTrue(e.getMessage().startsWith("the model: vision width " + w + " is that of open_clip's"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("bare weights training writes cannot record heads"), e.getMessage());
        }
        ClipConfig heads = new ClipConfig(8, 32, new int[]{1}, 128, 32, 4, 10, 64, 1, 1, 4);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ConfigInference.requireBuildableFromBareWeights("m", heads));
        assertTrue(e.getMessage().contains("heads (vision 4, text 1) are not the reference's width / 64 (vision 2,"
                + " text 1)"), e.getMessage());
        assertThrows(CheckpointException.class,
                () -> ConfigInference.requireBuildableFromBareWeights("m", TINY.withMlpWidths(100, 256)));
    }

    @Test
    void aRefusedBareVitSaysHowToGiveItsOpenClipConfiguration() {
        Map<String, TensorData> m = new LinkedHashMap<>();
        put(m, "text_projection", 64, 8);
        put(m, "positional_embedding", 4, 64);
        put(m, "token_embedding.weight", 10, 64);
        put(m, "ln_final.weight", 64);
        put(m, "transformer.resblocks.0.mlp.c_fc.weight", 256, 64);
        put(m, "visual.proj", 1280, 8);
        m.put("visual.conv1.weight", new TensorData(DType.F32, new long[]{1280, 0, 32, 32}, ByteBuffer.allocate(0)));
        put(m, "visual.positional_embedding", 2, 1280);
        put(m, "visual.transformer.resblocks.0.attn.in_proj_weight", 3840, 0);
        m.put("visual.transformer.resblocks.0.mlp.c_fc.weight",
                new TensorData(DType.F32, new long[]{5120, 0}, ByteBuffer.allocate(0)));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ConfigInference.infer(new StateDict("vit-h.bin", m)));
        assertTrue(e.getMessage().startsWith("vit-h.bin: vision width 1280 is that of open_clip's ViT-H"),
                e.getMessage());
        assertTrue(e.getMessage().contains("name it open_clip_pytorch_model.bin (torch archive) or"
                + " open_clip_model.safetensors and put beside it an open_clip_config.json holding {\"model_cfg\""),
                e.getMessage());
        assertTrue(e.getMessage().contains("model_configs/<name>.json"), e.getMessage());
    }

    @Test
    void strictLoadingExemptsOnlyTheBuffersTheReferenceDrops() {
        Set<String> read = Set.of("visual.bn1.running_var", "visual.conv1.weight");
        assertTrue(UnusedTensors.isExempt("input_resolution", read));
        assertTrue(UnusedTensors.isExempt("context_length", read));
        assertTrue(UnusedTensors.isExempt("vocab_size", read));
        assertTrue(UnusedTensors.isExempt("attn_mask", read));
        assertTrue(UnusedTensors.isExempt("transformer.resblocks.3.attn_mask", read));
        assertTrue(UnusedTensors.isExempt("visual.bn1.num_batches_tracked", read));
        assertFalse(UnusedTensors.isExempt("visual.bn2.num_batches_tracked", read));
        assertFalse(UnusedTensors.isExempt("logit_bias", read));
        assertFalse(UnusedTensors.isExempt("transformer.resblocks.0.ls_1.gamma", read));
        Map<String, TensorData> m = new LinkedHashMap<>();
        put(m, "visual.conv1.weight", 1);
        put(m, "vocab_size", 1);
        put(m, "logit_bias", 1);
        put(m, "attn_pool.query", 1);
        UnusedTensors.requireAllUsed(new StateDict("a", Map.of("visual.conv1.weight", m.get("visual.conv1.weight"))),
                read);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> UnusedTensors.requireAllUsed(new StateDict("a.pt", m), read));
        assertTrue(e.getMessage().startsWith("a.pt: unexpected tensor 'logit_bias' (2 in all)"), e.getMessage());
    }
}
