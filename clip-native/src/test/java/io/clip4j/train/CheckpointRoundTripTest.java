package io.clip4j.train;

import io.clip4j.Activation;
import io.clip4j.ClipConfig;
import io.clip4j.ClipException;
import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.checkpoint.CheckpointException;
import io.clip4j.checkpoint.CheckpointReader;
import io.clip4j.checkpoint.ConfigInference;
import io.clip4j.checkpoint.DType;
import io.clip4j.checkpoint.SafetensorsWriter;
import io.clip4j.checkpoint.StateDict;
import io.clip4j.checkpoint.TensorData;
import io.clip4j.io.Npy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointRoundTripTest {
    private static final Path MODELS = Path.of(System.getProperty("clip4j.testdata")).resolve("models");

    @BeforeAll
    static void oneThread() {
        Trainer.setThreads(1);
    }

    @Test
    void writtenCheckpointLoadsThroughClipModelWithIdenticalOutputs(@TempDir Path dir) {
        for (ClipConfig c : List.of(TinyConfigs.vit(), TinyConfigs.resnet())) {
            float[] px = TinyConfigs.pixels(c, 3, 7);
            long[] ids = TinyConfigs.ids(c, 3, 8);
            try (TrainableClip m = TrainableClip.initialize(c, 4);
                 Trainer t = new Trainer(m, TrainOptions.builder().totalSteps(5).learningRate(1e-4).build())) {
                t.step(TinyConfigs.pixels(c, 4, 1), TinyConfigs.ids(c, 4, 2), 4); // not just the initial weights
                Path file = dir.resolve((c.isVit() ? "vit" : "rn") + ".safetensors");
                SafetensorsWriter.write(file, m.toTensorData(CheckpointPrecision.FLOAT32), Map.of());
                ClipModel view = m.asClipModel();
                try (ClipModel loaded = ClipModel.load(file)) {
                    assertEquals(c, loaded.config());
                    assertArrayEquals(view.encodePixels(px, 3).toArray(), loaded.encodePixels(px, 3).toArray(), 1e-6f);
                    assertArrayEquals(view.encodeTokens(ids, 3).toArray(), loaded.encodeTokens(ids, 3).toArray(), 1e-6f);
                    assertEquals(m.temperatureScale(), loaded.logitScale(), 1e-6f);
                }
                if (!c.isVit()) {
                    StateDict sd = CheckpointReader.read(file);
                    assertEquals(DType.I64, sd.get("visual.bn1.num_batches_tracked").dtype());
                }
            }
        }
    }

    @Test
    void float16CheckpointUsesTheReferenceDtypeMix(@TempDir Path dir) {
        ClipConfig c = TinyConfigs.vit();
        try (TrainableClip m = TrainableClip.initialize(c, 4)) {
            Path file = dir.resolve("half.safetensors");
            SafetensorsWriter.write(file, m.toTensorData(CheckpointPrecision.FLOAT16), Map.of());
            StateDict sd = CheckpointReader.read(file);
            // The dtypes the reference convert_weights produces (see testdata/README.md, tiny-vit)
            for (String k : List.of("text_projection", "visual.proj", "visual.conv1.weight",
                    "transformer.resblocks.0.attn.in_proj_weight", "transformer.resblocks.0.mlp.c_fc.bias")) {
                assertEquals(DType.F16, sd.get(k).dtype(), k);
            }
            for (String k : List.of("logit_scale", "token_embedding.weight", "positional_embedding",
                    "visual.class_embedding", "ln_final.weight", "visual.transformer.resblocks.0.ln_1.bias")) {
                assertEquals(DType.F32, sd.get(k).dtype(), k);
            }
            float[] exact = m.snapshot().get("visual.proj");
            float[] half = sd.get("visual.proj").toFloatArray();
            for (int i = 0; i < exact.length; i++) {
                assertEquals(exact[i], half[i], Math.abs(exact[i]) * 1e-3 + 1e-7);
            }
            float[] px = TinyConfigs.pixels(c, 2, 3);
            try (ClipModel loaded = ClipModel.load(file)) {
                float[] a = m.asClipModel().encodePixels(px, 2).toArray();
                float[] b = loaded.encodePixels(px, 2).toArray();
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i], b[i], 0.02 * (1 + Math.abs(a[i])), "feature " + i);
                }
            }
        }
    }

    @Test
    void fineTuningStartsFromTheCheckpointAndReproducesTheReference() {
        for (String name : List.of("tiny-vit", "tiny-rn")) {
            Path dir = MODELS.resolve(name);
            float[] px = Npy.read(dir.resolve("pixel_values.npy")).toFloatArray();
            long[] ids = Npy.read(dir.resolve("input_ids.npy")).toLongArray();
            float[] expectedImg = Npy.read(dir.resolve("image_features.npy")).toFloatArray();
            float[] expectedTxt = Npy.read(dir.resolve("text_features.npy")).toFloatArray();
            try (TrainableClip m = TrainableClip.load(dir.resolve("state_dict.pt"))) {
                ClipModel view = m.asClipModel();
                assertClose(expectedImg, view.encodePixels(px, 4), name + " image_features");
                assertClose(expectedTxt, view.encodeTokens(ids, 8), name + " text_features");
                assertTrue(m.parameters().get("visual.proj") != null || !m.config().isVit());
            }
        }
    }

    @Test
    void theActivationIsRecordedInTheWeightsAndRestoredByLoadAndResume(@TempDir Path dir) {
        ClipConfig c = TinyConfigs.vit().withActivation(Activation.GELU);
        float[] px = TinyConfigs.pixels(c, 2, 3);
        TrainOptions options = TrainOptions.builder().totalSteps(5).learningRate(1e-4).build();
        Path state = dir.resolve("state");
        float[] trained;
        try (TrainableClip m = TrainableClip.initialize(c, 4); Trainer t = new Trainer(m, options)) {
            t.step(TinyConfigs.pixels(c, 4, 1), TinyConfigs.ids(c, 4, 2), 4);
            t.saveState(state, Map.of());
            trained = m.asClipModel().encodePixels(px, 2).toArray();
            Path file = dir.resolve("model.safetensors");
            SafetensorsWriter.write(file, m.toTensorData(CheckpointPrecision.FLOAT32),
                    ConfigInference.safetensorsMetadata(m.config()));
            try (ClipModel loaded = ClipModel.load(file)) {
                assertEquals(c, loaded.config());
                assertArrayEquals(trained, loaded.encodePixels(px, 2).toArray(), 1e-6f);
            }
        }
        assertEquals("gelu", CheckpointReader.read(state.resolve("weights.safetensors")).metadata()
                .get(ConfigInference.ACTIVATION_METADATA));
        // --resume's path: the saved weights give the model, loadState the optimiser and step
        try (TrainableClip m = TrainableClip.load(state.resolve("weights.safetensors"));
             Trainer t = new Trainer(m, options)) {
            assertEquals(c, m.config());
            t.loadState(state);
            assertEquals(1, t.completedSteps());
            assertArrayEquals(trained, m.asClipModel().encodePixels(px, 2).toArray(), 1e-6f);
        }
        // a model of the other activation does not take the saved state
        try (TrainableClip m = TrainableClip.initialize(TinyConfigs.vit(), 4); Trainer t = new Trainer(m, options)) {
            ClipException e = assertThrows(ClipException.class, () -> t.loadState(state));
            assertTrue(e.getMessage().contains("record clip4j.activation gelu, this model computes quick_gelu"),
                    e.getMessage());
        }
    }

    @Test
    void fineTuningIsStrictLikeLoading(@TempDir Path dir) {
        ClipConfig c = TinyConfigs.resnet();
        Map<String, TensorData> weights;
        try (TrainableClip m = TrainableClip.initialize(c, 4)) {
            weights = m.toTensorData(CheckpointPrecision.FLOAT32);
        }
        // what the reference drops is accepted: the archive buffers, the causal mask, BatchNorm counters
        Map<String, TensorData> ok = new LinkedHashMap<>(weights);
        ok.put("context_length", SafetensorsWriter.int64(new long[]{16}));
        ok.put("transformer.resblocks.0.attn_mask", SafetensorsWriter.float32(new float[256], 16, 16));
        try (TrainableClip m = TrainableClip.fromStateDict(new StateDict("ok", ok), c)) {
            assertEquals(c, m.config());
        }
        for (String extra : List.of("logit_bias", "transformer.resblocks.0.ls_1.gamma", "attn_pool.query")) {
            Map<String, TensorData> more = new LinkedHashMap<>(weights);
            more.put(extra, SafetensorsWriter.float32(new float[64], 64));
            Path file = dir.resolve(extra + ".safetensors");
            SafetensorsWriter.write(file, more, Map.of());
            CheckpointException e = assertThrows(CheckpointException.class, () -> TrainableClip.load(file));
            assertTrue(e.getMessage().startsWith(file + ": unexpected tensor '" + extra + "' (1 in all)"),
                    e.getMessage());
            assertThrows(CheckpointException.class, () -> ClipModel.load(file), "inference agrees");
        }
    }

    @Test
    void nonFiniteWeightsAreNeitherTrainedFromNorWritten(@TempDir Path dir) {
        // An --init with a NaN weight trained (an unused token's row unnoticed, written back); a diverged model's
        // NaN weights, or fp16 exports beyond 65504 (written as inf), were written without complaint.
        ClipConfig c = TinyConfigs.vit();
        Map<String, TensorData> weights;
        try (TrainableClip m = TrainableClip.initialize(c, 4)) {
            weights = m.toTensorData(CheckpointPrecision.FLOAT32);
        }
        Map<String, TensorData> nan = new LinkedHashMap<>(weights);
        float[] emb = weights.get("token_embedding.weight").toFloatArray();
        emb[7] = Float.NaN;
        nan.put("token_embedding.weight", SafetensorsWriter.float32(emb, weights.get("token_embedding.weight").shape()));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> TrainableClip.fromStateDict(new StateDict("nan", nan), c));
        assertTrue(e.getMessage().startsWith("nan: tensor 'token_embedding.weight' holds NaN"), e.getMessage());

        Map<String, TensorData> big = new LinkedHashMap<>(weights);
        float[] proj = weights.get("visual.proj").toFloatArray();
        proj[0] = 1e6f;
        big.put("visual.proj", SafetensorsWriter.float32(proj, weights.get("visual.proj").shape()));
        try (TrainableClip m = TrainableClip.fromStateDict(new StateDict("big", big), c);
             Trainer t = new Trainer(m, TrainOptions.builder().totalSteps(2).build())) {
            assertEquals(1e6f, m.toTensorData(CheckpointPrecision.FLOAT32).get("visual.proj").toFloatArray()[0]);
            io.clip4j.ClipException half = assertThrows(io.clip4j.ClipException.class,
                    () -> m.toTensorData(CheckpointPrecision.FLOAT16));
            assertTrue(half.getMessage().contains("'visual.proj' holds 1000000.0, beyond float16's range"),
                    half.getMessage());
            try (org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
                m.parameters().get("ln_final.weight").fill_(new org.bytedeco.pytorch.Scalar(Double.NaN));
            }
            io.clip4j.ClipException save = assertThrows(io.clip4j.ClipException.class,
                    () -> t.saveState(dir, Map.of()));
            assertTrue(save.getMessage().contains("weight 'ln_final.weight' is NaN"), save.getMessage());
            assertFalse(java.nio.file.Files.exists(dir.resolve(Trainer.WEIGHTS)));
        }
    }

    private static void assertClose(float[] expected, Features got, String what) {
        float[] g = got.toArray();
        double max = 0;
        for (float v : expected) {
            max = Math.max(max, Math.abs(v));
        }
        assertEquals(expected.length, g.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], g[i], 1e-4 * Math.max(1, max), what + " [" + i + "]");
        }
    }
}
