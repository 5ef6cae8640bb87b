package io.clip4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4j.ClipConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hugging Face directory and safetensors files through {@link CheckpointReader}. */
class HuggingFaceCheckpointTest {
    private static final Path DIR = Fixtures.model("tiny-vit");

    @TempDir
    Path tmp;

    @Test
    void directoryGivesOpenAiNamesAndShapes() {
        StateDict sd = CheckpointReader.read(DIR);
        Fixtures.assertNamesAndShapes("tiny-vit", sd);
        // Every dtype as in the OpenAI state dict, except token_embedding which the HF file stores as F16
        // (tiny-vit/README.md: its values are fp16-exact).
        Fixtures.dtypes("tiny-vit").forEach((k, d) -> {
            if (!k.equals("token_embedding.weight")) {
                assertEquals(d, sd.get(k).dtype(), k);
            }
        });
        assertEquals(DType.F16, sd.get("token_embedding.weight").dtype());
    }

    @Test
    void qkvConcatenatedInOrderAndProjectionTransposed() {
        StateDict hf = SafetensorsReader.read(DIR.resolve("model.safetensors"));
        StateDict sd = CheckpointReader.read(DIR);
        float[] inProj = sd.get("transformer.resblocks.1.attn.in_proj_weight").toFloatArray();
        float[] k = hf.get("text_model.encoder.layers.1.self_attn.k_proj.weight").toFloatArray();
        float[] kRows = java.util.Arrays.copyOfRange(inProj, 128 * 128, 2 * 128 * 128);
        assertArrayEquals(k, kRows);
        float[] vb = hf.get("vision_model.encoder.layers.0.self_attn.v_proj.bias").toFloatArray();
        float[] inBias = sd.get("visual.transformer.resblocks.0.attn.in_proj_bias").toFloatArray();
        assertArrayEquals(vb, java.util.Arrays.copyOfRange(inBias, 256, 384));
        float[] hfProj = hf.get("visual_projection.weight").toFloatArray(); // [64, 128]
        float[] proj = sd.get("visual.proj").toFloatArray(); // [128, 64]
        for (int r = 0; r < 128; r++) {
            for (int c = 0; c < 64; c++) {
                assertEquals(hfProj[c * 128 + r], proj[r * 64 + c]);
            }
        }
    }

    @Test
    void directoryWithoutConfigJsonReadsItsSafetensors() throws IOException {
        Path d = Files.createDirectory(tmp.resolve("no-config"));
        Files.copy(DIR.resolve("model.safetensors"), d.resolve("model.safetensors"));
        StateDict sd = CheckpointReader.read(d);
        Fixtures.assertNamesAndShapes("tiny-vit", sd);
        assertArrayEquals(CheckpointReader.read(DIR).get("visual.proj").toFloatArray(),
                sd.get("visual.proj").toFloatArray());
        assertEquals(ConfigInference.infer(CheckpointReader.read(DIR)), ConfigInference.infer(sd, d));
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(empty));
        assertTrue(e.getMessage().contains("safetensors"), e.getMessage());
    }

    @Test
    void singleHuggingFaceSafetensorsFileIsDetectedByContent() throws IOException {
        Path f = tmp.resolve("weights.bin");
        Files.copy(DIR.resolve("model.safetensors"), f);
        Fixtures.assertNamesAndShapes("tiny-vit", CheckpointReader.read(f));
    }

    @Test
    void configFromTensorsAndFromConfigJsonMatchMeta() {
        StateDict sd = CheckpointReader.read(DIR);
        ClipConfig expected = Fixtures.config("tiny-vit");
        assertEquals(expected, ConfigInference.infer(sd));
        assertEquals(expected, HuggingFaceConfig.read(DIR.resolve("config.json")));
        assertEquals(expected, ConfigInference.infer(sd, DIR));
    }

    @Test
    void configJsonContradictingTheWeightsIsRejected() throws IOException {
        Path dir = copyDir();
        String json = Files.readString(dir.resolve("config.json")).replace("\"patch_size\": 32", "\"patch_size\": 16");
        Files.writeString(dir.resolve("config.json"), json);
        StateDict sd = CheckpointReader.read(dir);
        CheckpointException e = assertThrows(CheckpointException.class, () -> ConfigInference.infer(sd, dir));
        assertTrue(e.getMessage().contains("patch_size"), e.getMessage());
    }

    @Test
    void missingKeyIsNamed() throws IOException {
        Path dir = copyDir();
        Path st = dir.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(st);
        // Rename one tensor in the header without changing its length: the mapping then lacks it.
        String header = new String(all, 8, 8816, StandardCharsets.ISO_8859_1);
        String changed = header.replace("\"text_model.final_layer_norm.bias\"", "\"text_model.final_layer_norm.xias\"");
        assertTrue(!changed.equals(header));
        System.arraycopy(changed.getBytes(StandardCharsets.ISO_8859_1), 0, all, 8, 8816);
        Files.write(st, all);
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(dir));
        assertTrue(e.getMessage().contains("'text_model.final_layer_norm.bias'")
                && e.getMessage().contains("ln_final.bias"), e.getMessage());
    }

    @Test
    void hiddenActSelectsTheActivationAndUnsupportedValuesAreRejected() throws IOException {
        Path dir = copyDir();
        String config = Files.readString(dir.resolve("config.json"));
        StateDict sd = CheckpointReader.read(dir);
        assertEquals(io.clip4j.Activation.QUICK_GELU, ConfigInference.infer(sd, dir).activation());
        // Both towers "gelu": open_clip's LAION models. It used to be ignored (quick_gelu features).
        Files.writeString(dir.resolve("config.json"), config.replace("\"quick_gelu\"", "\"gelu\""));
        assertEquals(io.clip4j.Activation.GELU, ConfigInference.infer(sd, dir).activation());
        Files.writeString(dir.resolve("config.json"), config.replaceFirst("\"quick_gelu\"", "\"gelu\""));
        CheckpointException e = assertThrows(CheckpointException.class, () -> ConfigInference.infer(sd, dir));
        assertTrue(e.getMessage().contains("declare different hidden_act values"), e.getMessage());
        Files.writeString(dir.resolve("config.json"), config.replace("\"quick_gelu\"", "\"gelu_new\""));
        e = assertThrows(CheckpointException.class, () -> ConfigInference.infer(sd, dir));
        assertTrue(e.getMessage().contains("hidden_act \"gelu_new\" is not supported"), e.getMessage());
        Files.writeString(dir.resolve("config.json"), config.replaceFirst("1e-05", "1e-06"));
        e = assertThrows(CheckpointException.class, () -> ConfigInference.infer(sd, dir));
        assertTrue(e.getMessage().contains("layer_norm_eps 1.0E-6 is not supported"), e.getMessage());
    }

    @Test
    void emptyProjectionKeepsADimensionBeyondAnIntWhenTransposed() throws IOException {
        // A tensor without elements may declare any dimension. The transpose used to cast the sizes to int, so
        // [2^32 + 64, 0] came back as [0, 64]: an embed_dim of 64 where the file says 4294967360.
        Path dir = Files.createDirectory(tmp.resolve("hf-empty-projection"));
        java.util.Map<String, TensorData> m = new java.util.LinkedHashMap<>(
                SafetensorsReader.read(DIR.resolve("model.safetensors")).asMap());
        m.put("text_projection.weight", new TensorData(DType.F16, new long[]{(1L << 32) + 64, 0},
                java.nio.ByteBuffer.allocate(0)));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), m, java.util.Map.of());
        StateDict sd = CheckpointReader.read(dir);
        assertArrayEquals(new long[]{0, (1L << 32) + 64}, sd.get("text_projection").shape());
        CheckpointException e = assertThrows(CheckpointException.class, () -> ConfigInference.infer(sd));
        assertTrue(e.getMessage().contains("implausible size"), e.getMessage());
    }

    @Test
    void layerIndexBeyondAnIntIsAnUnexpectedTensor() throws IOException {
        // Used to surface as "unreadable checkpoint: java.lang.NumberFormatException".
        Path dir = Files.createDirectory(tmp.resolve("hf-big-index"));
        java.util.Map<String, TensorData> m = new java.util.LinkedHashMap<>(
                SafetensorsReader.read(DIR.resolve("model.safetensors")).asMap());
        m.put("text_model.encoder.layers.99999999999.mlp.fc1.bias", SafetensorsWriter.float32(new float[]{1}, 1));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), m, java.util.Map.of());
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(dir));
        assertTrue(e.getMessage().contains("unexpected tensor 'text_model.encoder.layers.99999999999.mlp.fc1.bias'"),
                e.getMessage());
    }

    @Test
    void shardNameThatIsNoPathIsABadShardName() throws IOException {
        Path dir = copyDir();
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\":{\"a\":\"x\\u0000y\"}}");
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(dir));
        assertTrue(e.getMessage().contains("bad shard file name"), e.getMessage());
    }

    @Test
    void shardThatIsNoRegularFileIsRejectedWithoutOpeningIt() throws Exception {
        // A named pipe listed in the index used to block CheckpointReader.read forever (FileChannel.open waits for
        // a writer).
        Path dir = copyDir();
        Path pipe = dir.resolve("pipe.safetensors");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor() == 0, "mkfifo unavailable");
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\":{\"a\":\"pipe.safetensors\"}}");
        CheckpointException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(10), () -> assertThrows(CheckpointException.class,
                        () -> CheckpointReader.read(dir)));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\":{\"a\":\"gone.safetensors\"}}");
        e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(dir));
        assertTrue(e.getMessage().contains("\"gone.safetensors\" is missing"), e.getMessage());
    }

    @Test
    void directoryWithoutConfigOrWeightsIsRejected() throws IOException {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertThrows(CheckpointException.class, () -> CheckpointReader.read(empty));
        Files.writeString(empty.resolve("config.json"), "{}");
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(empty));
        assertTrue(e.getMessage().contains("safetensors"), e.getMessage());
    }

    @Test
    void weightsFileNamedAloneIsRefusedWhereTheConfigJsonBesideItDeclaresAnotherModel() throws IOException {
        Path dir = copyDir();
        Path file = dir.resolve("model.safetensors");
        StateDict sd = CheckpointReader.read(file);
        // config.json declares what the reference rules give (as OpenAI's models do): the file loads as before.
        assertEquals(Fixtures.config("tiny-vit"), ConfigInference.infer(sd, file, null));
        String config = Files.readString(dir.resolve("config.json"));
        // LAION's models: "gelu", which a bare state dict would run as QuickGELU (features silently wrong).
        Files.writeString(dir.resolve("config.json"), config.replace("\"quick_gelu\"", "\"gelu\""));
        CheckpointException e = assertThrows(CheckpointException.class, () -> ConfigInference.infer(sd, file, null));
        assertTrue(e.getMessage().contains("activation QUICK_GELU (config.json: GELU)")
                && e.getMessage().contains("load the directory " + dir.toAbsolutePath()), e.getMessage());
        assertThrows(CheckpointException.class, () -> ConfigInference.infer(sd, file)); // train --init's path
        assertEquals(io.clip4j.Activation.GELU,
                ConfigInference.infer(sd, file, io.clip4j.Activation.GELU).activation()); // asked for: as declared
        // Heads other than width / 64, which the weights cannot show.
        Files.writeString(dir.resolve("config.json"), config.replace("\"num_attention_heads\": 2",
                "\"num_attention_heads\": 4"));
        e = assertThrows(CheckpointException.class, () -> ConfigInference.infer(sd, file, null));
        assertTrue(e.getMessage().contains("vision_heads 2 (config.json: 4), transformer_heads 2 (config.json: 4)"),
                e.getMessage());
        assertEquals(4, ConfigInference.infer(sd, dir, null).visionHeads()); // the directory is right
        // Another file beside it (a torch.save state dict) is not one that config.json governs.
        Path other = dir.resolve("state_dict.safetensors");
        Files.copy(file, other);
        assertEquals(Fixtures.config("tiny-vit"), ConfigInference.infer(CheckpointReader.read(other), other, null));
    }

    @Test
    void aTimmDirectoryWithoutOpenClipsFilesIsNamedAsNotClip() throws IOException {
        // timm's fine-tuned CLIP image towers (timm/vit_*_clip_*.openai_ft_*): timm's config.json and image weights.
        Path dir = Files.createDirectory(tmp.resolve("timm"));
        Files.writeString(dir.resolve("config.json"), "{\"architecture\": \"vit_base_patch32_clip_224\","
                + " \"num_classes\": 1000, \"pretrained_cfg\": {\"tag\": \"openai_ft_in1k\"}}");
        java.util.Map<String, TensorData> m = new java.util.LinkedHashMap<>();
        m.put("cls_token", SafetensorsWriter.float32(new float[4], 1, 1, 4));
        m.put("patch_embed.proj.weight", SafetensorsWriter.float32(new float[4 * 3 * 2 * 2], 4, 3, 2, 2));
        m.put("head.weight", SafetensorsWriter.float32(new float[8], 2, 4));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), m, java.util.Map.of());
        StateDict sd = CheckpointReader.read(dir);
        CheckpointException e = assertThrows(CheckpointException.class, () -> ConfigInference.infer(sd, dir));
        assertTrue(e.getMessage().startsWith(dir + ": not a CLIP checkpoint: none of CLIP's text tower tensors")
                && e.getMessage().contains("its 3 tensors are 'cls_token', 'patch_embed.proj.weight', 'head.weight'"),
                e.getMessage());
        assertThrows(CheckpointException.class, () -> ConfigInference.infer(sd)); // named alone: the same
    }

    private Path copyDir() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("hf"));
        Files.copy(DIR.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(DIR.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        return dir;
    }

    @Test
    void aDirectoryWithPytorchModelBinReadsLikeItsSafetensors(@TempDir Path tmp) throws IOException {
        // transformers' older uploads (e.g. openai/clip-vit-base-patch32 on main) have pytorch_model.bin only.
        Path dir = Files.createDirectories(tmp.resolve("hf"));
        Files.copy(DIR.resolve("config.json"), dir.resolve("config.json"));
        TorchSaveFiles.writeFloat32(dir.resolve("pytorch_model.bin"), SafetensorsReader.read(DIR.resolve("model.safetensors")));
        StateDict fromBin = CheckpointReader.read(dir);
        StateDict fromSafetensors = CheckpointReader.read(DIR);
        assertEquals(fromSafetensors.asMap().keySet(), fromBin.asMap().keySet());
        for (String name : fromSafetensors.asMap().keySet()) {
            assertArrayEquals(fromSafetensors.get(name).shape(), fromBin.get(name).shape(), name);
            assertArrayEquals(fromSafetensors.get(name).toFloatArray(), fromBin.get(name).toFloatArray(), name);
        }
    }
}
