package io.clip4j.train;

import io.clip4j.ClipConfig;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    private static final int N = 8;

    @org.junit.jupiter.api.BeforeAll
    static void oneThread() {
        Trainer.setThreads(1); // fast on a busy machine; the determinism check needs a fixed count anyway
    }

    private static TrainOptions options(boolean freezeImage, boolean freezeText) {
        return TrainOptions.builder().totalSteps(20).learningRate(1e-3).warmupSteps(0).weightDecay(0.2)
                .freeze(freezeImage, freezeText).build();
    }

    @Test
    void oneStepLowersTheLossOfTheBatchForVitAndResNet() {
        for (ClipConfig c : List.of(TinyConfigs.vit(), TinyConfigs.resnet())) {
            float[] px = TinyConfigs.pixels(c, N, 1);
            long[] ids = TinyConfigs.ids(c, N, 2);
            // Adam's first step moves every weight by about lr: keep it small for the un-normalised ResNet
            TrainOptions o = TrainOptions.builder().totalSteps(10).learningRate(1e-4).build();
            try (TrainableClip m = TrainableClip.initialize(c, 5); Trainer t = new Trainer(m, o)) {
                double before = t.evaluateLoss(px, ids, N);
                Trainer.StepResult r = t.step(px, ids, N);
                assertEquals(before, r.loss(), 1e-5, "the step reports the loss before its update");
                double after = t.evaluateLoss(px, ids, N);
                assertTrue(after < before - 1e-4, c + ": loss " + before + " -> " + after);
                assertEquals(1, t.completedSteps());
            }
        }
    }

    @Test
    void initialisationFollowsTheReference() {
        try (TrainableClip m = TrainableClip.initialize(TinyConfigs.resnet(), 1)) {
            Map<String, float[]> s = m.snapshot();
            assertEquals((float) Math.log(1 / 0.07), s.get("logit_scale")[0], 1e-6);
            for (float v : s.get("visual.layer1.0.bn3.weight")) {
                assertEquals(0f, v); // zero-initialised last BatchNorm of each Bottleneck
            }
            for (float v : s.get("visual.bn3.weight")) {
                assertEquals(1f, v); // the stem's bn3 keeps the default
            }
            assertStd(s.get("token_embedding.weight"), 0.02);
            assertStd(s.get("positional_embedding"), 0.01);
            assertStd(s.get("visual.attnpool.q_proj.weight"), Math.pow(256, -0.5));
            assertStd(s.get("transformer.resblocks.0.attn.in_proj_weight"), Math.pow(64, -0.5));
            assertStd(s.get("transformer.resblocks.0.mlp.c_fc.weight"), Math.pow(128, -0.5));
            assertStd(s.get("transformer.resblocks.0.mlp.c_proj.weight"), Math.pow(64, -0.5) * Math.pow(2, -0.5));
            assertStd(s.get("text_projection"), Math.pow(64, -0.5));
        }
        try (TrainableClip m = TrainableClip.initialize(TinyConfigs.vit(), 1)) {
            Map<String, float[]> s = m.snapshot();
            assertStd(s.get("visual.positional_embedding"), Math.pow(64, -0.5));
            assertStd(s.get("visual.proj"), Math.pow(64, -0.5));
            // Xavier-uniform in_proj_weight of a vision block: U(+-sqrt(6/(W+3W)))
            assertStd(s.get("visual.transformer.resblocks.0.attn.in_proj_weight"), Math.sqrt(6.0 / 256) / Math.sqrt(3));
        }
    }

    private static void assertStd(float[] v, double expected) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        double std = Math.sqrt(s / v.length);
        assertEquals(expected, std, expected * 0.1, "std of " + v.length + " values");
    }

    @Test
    void sameSeedAndDataGiveIdenticalWeights() {
        Map<String, float[]> a = trainSteps(TinyConfigs.vit(), 3);
        Map<String, float[]> b = trainSteps(TinyConfigs.vit(), 3);
        assertEquals(a.keySet(), b.keySet());
        a.forEach((k, v) -> assertArrayEquals(v, b.get(k), k));
        Map<String, float[]> init = trainSteps(TinyConfigs.vit(), 0);
        assertFalse(java.util.Arrays.equals(init.get("visual.conv1.weight"), a.get("visual.conv1.weight")));
    }

    private static Map<String, float[]> trainSteps(ClipConfig c, int steps) {
        try (TrainableClip m = TrainableClip.initialize(c, 11); Trainer t = new Trainer(m, options(false, false))) {
            for (int i = 0; i < steps; i++) {
                t.step(TinyConfigs.pixels(c, N, 100 + i), TinyConfigs.ids(c, N, 200 + i), N);
            }
            return m.snapshot();
        }
    }

    @Test
    void weightDecayGroupsHoldOnlyLinearConvAndProjectionWeights() {
        for (ClipConfig c : List.of(TinyConfigs.vit(), TinyConfigs.resnet())) {
            try (TrainableClip m = TrainableClip.initialize(c, 1); Trainer t = new Trainer(m, options(false, false))) {
                List<Trainer.ParameterGroup> groups = t.parameterGroups();
                List<String> decay = groups.get(0).names();
                List<String> noDecay = groups.get(1).names();
                assertEquals(0.2, groups.get(0).weightDecay());
                assertEquals(0.0, groups.get(1).weightDecay());
                assertEquals(m.parameters().size(), decay.size() + noDecay.size());
                for (String n : decay) {
                    assertTrue(n.endsWith("conv1.weight") || n.endsWith("conv2.weight") || n.endsWith("conv3.weight")
                            || n.endsWith("downsample.0.weight") || n.endsWith("proj.weight")
                            || n.endsWith("in_proj_weight") || n.endsWith("c_fc.weight")
                            || n.equals("text_projection") || n.equals("visual.proj"), "decayed: " + n);
                }
                for (String n : List.of("token_embedding.weight", "positional_embedding", "logit_scale",
                        "ln_final.weight", "ln_final.bias", "transformer.resblocks.0.attn.in_proj_bias",
                        "transformer.resblocks.0.ln_1.weight", "transformer.resblocks.0.mlp.c_fc.bias")) {
                    assertTrue(noDecay.contains(n), "not decayed: " + n);
                }
                assertTrue(decay.contains("text_projection"));
                assertTrue(decay.contains("transformer.resblocks.0.attn.out_proj.weight"));
                if (c.isVit()) {
                    assertTrue(noDecay.containsAll(List.of("visual.class_embedding", "visual.positional_embedding",
                            "visual.ln_pre.weight")));
                    assertTrue(decay.containsAll(List.of("visual.conv1.weight", "visual.proj")));
                } else {
                    assertTrue(noDecay.containsAll(List.of("visual.attnpool.positional_embedding", "visual.bn1.weight",
                            "visual.layer1.0.downsample.1.weight", "visual.attnpool.q_proj.bias")));
                    assertTrue(decay.containsAll(List.of("visual.layer1.0.conv2.weight", "visual.attnpool.c_proj.weight")));
                }
                // What LibTorch holds: {weight_decay, lr, beta1, beta2, eps} per group
                List<double[]> held = t.optimizerGroupOptions();
                assertEquals(2, held.size());
                assertArrayEquals(new double[]{0.2, 1e-3, 0.9, 0.98, 1e-6}, held.get(0), 1e-12);
                assertArrayEquals(new double[]{0.0, 1e-3, 0.9, 0.98, 1e-6}, held.get(1), 1e-12);
            }
        }
    }

    @Test
    void frozenTowerWeightsDoNotChange() {
        ClipConfig c = TinyConfigs.resnet();
        for (boolean freezeImage : new boolean[]{true, false}) {
            try (TrainableClip m = TrainableClip.initialize(c, 3);
                 Trainer t = new Trainer(m, options(freezeImage, !freezeImage))) {
                Map<String, float[]> before = m.snapshot();
                for (int i = 0; i < 2; i++) {
                    t.step(TinyConfigs.pixels(c, N, i), TinyConfigs.ids(c, N, 50 + i), N);
                }
                Map<String, float[]> after = m.snapshot();
                for (String name : before.keySet()) {
                    boolean frozen = freezeImage ? TrainableClip.isImageParameter(name) : TrainableClip.isTextParameter(name);
                    boolean changed = !java.util.Arrays.equals(before.get(name), after.get(name));
                    if (frozen || name.endsWith("running_mean") || name.endsWith("running_var")) {
                        assertFalse(changed, name + " changed although frozen");
                    }
                }
                String trained = freezeImage ? "transformer.resblocks.0.mlp.c_fc.weight" : "visual.layer1.0.conv1.weight";
                assertFalse(java.util.Arrays.equals(before.get(trained), after.get(trained)), trained + " did not train");
                assertFalse(java.util.Arrays.equals(before.get("logit_scale"), after.get("logit_scale")));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> options(true, true));
    }

    @Test
    void aNonFiniteLossNamesTheStepAsTheMetricsLogNumbersIt() {
        // The message counted from 0 ("step 1: loss is NaN") while metrics.jsonl counts completed steps, whose
        // step 1 had a finite loss: the failing step is the log's next one.
        ClipConfig c = TinyConfigs.vit();
        TrainOptions o = TrainOptions.builder().totalSteps(10).learningRate(1e6).build();
        try (TrainableClip m = TrainableClip.initialize(c, 4); Trainer t = new Trainer(m, o)) {
            io.clip4j.ClipException e = null;
            for (int i = 0; i < 10 && e == null; i++) {
                try {
                    t.step(TinyConfigs.pixels(c, N, i), TinyConfigs.ids(c, N, i), N);
                } catch (io.clip4j.ClipException failed) {
                    e = failed;
                }
            }
            assertTrue(e != null, "a learning rate of 1e6 diverges");
            long completed = t.completedSteps();
            assertTrue(completed >= 1, "the first step starts from finite weights");
            assertTrue(e.getMessage().startsWith("step " + (completed + 1) + ": loss is "), e.getMessage());
        }
    }

    @Test
    void infiniteWeightDecayOrEpsIsRefused() {
        // Infinite weight decay made the weights NaN at the first step, reported as "loss is NaN (learning rate ...
        // too high?)"; an infinite eps made every Adam update 0, so nothing trained.
        IllegalArgumentException wd = assertThrows(IllegalArgumentException.class,
                () -> TrainOptions.builder().totalSteps(1).weightDecay(Double.POSITIVE_INFINITY).build());
        assertTrue(wd.getMessage().startsWith("bad optimiser setting: weight decay Infinity,"), wd.getMessage());
        IllegalArgumentException eps = assertThrows(IllegalArgumentException.class,
                () -> TrainOptions.builder().totalSteps(1).eps(Double.POSITIVE_INFINITY).build());
        assertTrue(eps.getMessage().contains("eps Infinity"), eps.getMessage());
    }

    @Test
    void settingsThatRoundToZeroOrInfinityInFloat32AreRefused() {
        // Finite in double but not in float32, where LibTorch computes the update: eps 1e-50 rounds to 0, so every
        // weight with a zero gradient (unused token embeddings) became 0 / 0 = NaN at the first step, which
        // returned normally; weight decay 1e300 made the decay factor -infinity.
        double[][] refused = {{1e-50, 5e-4, 0.2}, {1e300, 5e-4, 0.2}, {1e-6, 1e-50, 0.2}, {1e-6, 1e300, 0},
            {1e-6, 5e-4, 1e300}};
        for (double[] r : refused) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainOptions.builder()
                    .totalSteps(1).eps(r[0]).learningRate(r[1]).weightDecay(r[2]).build(), Arrays.toString(r));
            assertTrue(e.getMessage().startsWith("optimiser setting beyond float32"), e.getMessage());
        }
        ClipConfig c = TinyConfigs.vit();
        TrainOptions tiniest = TrainOptions.builder().totalSteps(2).eps(1e-44).build();
        try (TrainableClip m = TrainableClip.initialize(c, 3); Trainer t = new Trainer(m, tiniest)) {
            t.step(TinyConfigs.pixels(c, N, 1), TinyConfigs.ids(c, N, 2), N);
            m.snapshot().forEach((k, v) -> {
                for (float x : v) {
                    assertTrue(Float.isFinite(x), k);
                }
            });
        }
    }

    @Test
    void aLibTorchFailureInAStepIsOneLineWithoutTheNativeBacktrace() {
        // The step's message carried LibTorch's C++ stack trace (2 KB) after its one-line reason.
        ClipConfig c = TinyConfigs.vit();
        try (TrainableClip m = TrainableClip.initialize(c, 3);
             Trainer t = new Trainer(m, TrainOptions.builder().totalSteps(2).build())) {
            m.freeze(true, true); // behind the trainer's back: the loss has no graph to differentiate
            io.clip4j.ClipException e = assertThrows(io.clip4j.ClipException.class,
                    () -> t.step(TinyConfigs.pixels(c, N, 1), TinyConfigs.ids(c, N, 2), N));
            assertEquals("step 1: LibTorch failed: element 0 of tensors does not require grad and does not have a "
                    + "grad_fn", e.getMessage());
            assertEquals(0, t.completedSteps());
        }
    }

    @Test
    void aNullFolderOrPrecisionIsANullPointerExceptionNamingIt() {
        // They were ClipExceptions reading "null: cannot save training state: Cannot invoke ...", as if a file had
        // failed, and toTensorData(null) an unnamed NullPointerException.
        ClipConfig c = TinyConfigs.vit();
        try (TrainableClip m = TrainableClip.initialize(c, 3);
             Trainer t = new Trainer(m, TrainOptions.builder().totalSteps(2).build())) {
            assertEquals("dir", assertThrows(NullPointerException.class, () -> t.saveState(null, Map.of())).getMessage());
            assertEquals("dir", assertThrows(NullPointerException.class, () -> t.loadState(null)).getMessage());
            assertEquals("dir", assertThrows(NullPointerException.class,
                    () -> Trainer.completeInterruptedSave(null)).getMessage());
            assertEquals("precision", assertThrows(NullPointerException.class, () -> m.toTensorData(null)).getMessage());
        }
    }

    @Test
    void theLossOfOnePairIsZeroNotMinusZero() {
        // One pair has nothing to be confused with: both cross-entropies are 0, and -0.5 * 0 printed as "-0.0".
        ClipConfig c = TinyConfigs.vit();
        try (TrainableClip m = TrainableClip.initialize(c, 3);
             Trainer t = new Trainer(m, TrainOptions.builder().totalSteps(2).build())) {
            assertEquals("0.0", Double.toString(t.evaluateLoss(TinyConfigs.pixels(c, 1, 1), TinyConfigs.ids(c, 1, 2), 1)));
        }
    }

    @Test
    void stepsFromTwoThreadsRunOneAfterAnother() throws Exception {
        // Unsynchronised, the second thread's backward failed ("modified by an inplace operation") and both threads
        // reported step 1: the trainer is documented as usable from several threads, one call at a time.
        ClipConfig c = TinyConfigs.vit();
        float[] px = TinyConfigs.pixels(c, N, 1);
        long[] ids = TinyConfigs.ids(c, N, 2);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (TrainableClip m = TrainableClip.initialize(c, 3);
             Trainer t = new Trainer(m, TrainOptions.builder().totalSteps(100).build())) {
            java.util.concurrent.Callable<List<Long>> steps = () -> {
                List<Long> taken = new java.util.ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    taken.add(t.step(px, ids, N).step());
                }
                return taken;
            };
            java.util.concurrent.Future<List<Long>> a = pool.submit(steps);
            java.util.concurrent.Future<List<Long>> b = pool.submit(steps);
            java.util.Set<Long> all = new java.util.TreeSet<>(a.get());
            all.addAll(b.get());
            assertEquals(8, all.size(), all.toString());
            assertEquals(8, t.completedSteps());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void convolutionInputGradientsMatchTheDefinition() {
        // LibTorch 2.10's oneDNN float32 conv backward-data is wrong on some AVX-512 CPUs (every call off, ~1% NaN):
        // the trainer's backward must not use it. The reference is the definition, a transposed convolution in
        // float64 (no oneDNN kernel for double).
        io.clip4j.torch.NativeLibraries.ensureLoaded();
        torch.manual_seed(7);
        for (int i = 0; i < 20; i++) {
            try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
                Tensor x = torch.randn(8, 8, 8, 8).set_requires_grad(true);
                Tensor w = torch.randn(8, 8, 3, 3);
                Tensor g = torch.randn(8, 8, 8, 8);
                Tensor y = torch.conv2d(x, w, new TensorOptional(), new long[]{1, 1}, new long[]{1, 1},
                        new long[]{1, 1}, 1);
                Trainer.backwardWithoutOneDnn(y.mul(g).sum());
                Tensor ref = torch.conv_transpose2d(g.to(torch.ScalarType.Double), w.to(torch.ScalarType.Double),
                        new TensorOptional(), new long[]{1, 1}, new long[]{1, 1}, new long[]{0, 0}, 1,
                        new long[]{1, 1});
                double err = x.grad().to(torch.ScalarType.Double).sub(ref).abs().max().item_double();
                assertTrue(err < 1e-4, "call " + i + ": input gradient off by " + err);
            }
        }
    }

    @Test
    void logitScaleIsClampedAtLn100() {
        try (TrainableClip m = TrainableClip.initialize(TinyConfigs.vit(), 1)) {
            try (org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
                m.logitScale().fill_(new org.bytedeco.pytorch.Scalar(7.0));
            }
            m.clampLogitScale();
            assertEquals(Math.log(100), m.snapshot().get("logit_scale")[0], 1e-6);
            assertEquals(100f, m.temperatureScale(), 1e-3);
        }
    }

    @Test
    void temperatureScaleIsTheExpTheLossUsesNotClampedAt100() {
        // ln(100) as a float16 checkpoint stores it (4.6054688): the loss and a loaded model use exp 100.03; the
        // training view's logitScale() said 100, which ClipModel.logitScale() documents as not clamped.
        try (TrainableClip m = TrainableClip.initialize(TinyConfigs.vit(), 1)) {
            try (org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
                m.logitScale().fill_(new org.bytedeco.pytorch.Scalar(4.6054688));
            }
            assertEquals((float) Math.exp(4.6054688), m.temperatureScale(), 1e-4f);
            assertEquals(m.temperatureScale(), m.asClipModel().logitScale());
            assertTrue(m.temperatureScale() > 100.02f);
        }
    }

    @Test
    void everyMethodThatTouchesTensorsAfterCloseIsAClipException() {
        // temperatureScale, clampLogitScale, freeze, logitScale, parameters and the ClipModel view's logitScale()
        // called JavaCPP on the freed tensors: NullPointerException("This pointer address is NULL.").
        TrainableClip m = TrainableClip.initialize(TinyConfigs.vit(), 1);
        io.clip4j.ClipModel view = m.asClipModel();
        m.close();
        m.close(); // idempotent
        java.util.List<org.junit.jupiter.api.function.Executable> calls = java.util.List.of(m::temperatureScale,
                m::clampLogitScale, () -> m.freeze(true, false), m::logitScale, m::parameters, m::buffers,
                m::snapshot, () -> m.toTensorData(CheckpointPrecision.FLOAT32), view::logitScale,
                () -> view.encodeText("a cat"), m::asClipModel); // the view was made for a closed model
        for (org.junit.jupiter.api.function.Executable call : calls) {
            io.clip4j.ClipException e = assertThrows(io.clip4j.ClipException.class, call);
            assertEquals("the trainable model is closed", e.getMessage());
        }
    }

    @Test
    void theTrainingViewRefusesWhatALoadedModelRefuses() {
        // It checked only the array length: a NaN pixel gave NaN features, an id past the vocabulary LibTorch's
        // unwrapped index error, n = 0 an empty result and a null array a NullPointerException.
        try (TrainableClip m = TrainableClip.initialize(TinyConfigs.vit(), 1)) {
            io.clip4j.ClipModel view = m.asClipModel();
            int s = m.config().imageResolution();
            int ctx = m.config().contextLength();
            float[] nan = new float[3 * s * s];
            nan[5] = Float.NaN;
            long[] past = new long[ctx];
            past[1] = m.config().vocabSize();
            String[][] cases = {
                {"pixelValues[5] is NaN: pixel values must be finite"},
                {"ids[1] (text 0, position 1) = " + m.config().vocabSize() + " is outside [0, vocab_size "},
                {"the number of items for pixelValues must be >= 1, got 0"},
                {"ids is null"},
            };
            java.util.List<org.junit.jupiter.api.function.Executable> calls = java.util.List.of(
                    () -> view.encodePixels(nan, 1), () -> view.encodeTokens(past, 1),
                    () -> view.encodePixels(new float[0], 0), () -> view.encodeTokens(null, 1));
            for (int i = 0; i < calls.size(); i++) {
                io.clip4j.ClipException e = assertThrows(io.clip4j.ClipException.class, calls.get(i));
                assertTrue(e.getMessage().startsWith(cases[i][0]), e.getMessage());
            }
            float[] one = new float[3 * s * s];
            assertEquals(m.config().embedDim(), view.encodePixels(one, 1).dim(), "valid input still encodes");
        }
    }

    @Test
    void aClosedTrainerIsAClipException(@TempDir Path dir) {
        // step and optimizerGroupOptions failed with NullPointerException ("this.optimizer" is null), saveState with
        // a ClipException quoting it.
        try (TrainableClip m = TrainableClip.initialize(TinyConfigs.vit(), 1)) {
            Trainer t = new Trainer(m, options(false, false));
            t.close();
            t.close(); // idempotent
            int s = m.config().imageResolution();
            java.util.List<org.junit.jupiter.api.function.Executable> calls = java.util.List.of(
                    () -> t.step(new float[2 * 3 * s * s], new long[2 * m.config().contextLength()], 2),
                    t::optimizerGroupOptions, () -> t.saveState(dir, java.util.Map.of()), () -> t.loadState(dir));
            for (org.junit.jupiter.api.function.Executable call : calls) {
                io.clip4j.ClipException e = assertThrows(io.clip4j.ClipException.class, call);
                assertEquals("the trainer is closed", e.getMessage());
            }
        }
    }

    @Test
    void aStepRefusesNonFinitePixelsAndIdsOutsideTheVocabularyByName() {
        // A NaN pixel was reported as "loss is NaN (learning rate 0.001 too high?)", and an id past the vocabulary
        // as LibTorch's "index out of range in self" followed by its whole native backtrace (some 4 KB).
        ClipConfig c = TinyConfigs.vit();
        try (TrainableClip m = TrainableClip.initialize(c, 1); Trainer t = new Trainer(m, options(false, false))) {
            float[] nan = TinyConfigs.pixels(c, N, 0);
            nan[5] = Float.NaN;
            long[] past = TinyConfigs.ids(c, N, 0);
            past[1] = c.vocabSize();
            long[] negative = TinyConfigs.ids(c, N, 0);
            negative[c.contextLength() + 2] = -1;
            Map<String, float[]> before = m.snapshot();
            String[] expected = {"pixelValues[5] is NaN: pixel values must be finite",
                "ids[1] (text 0, position 1) = " + c.vocabSize() + " is outside [0, vocab_size " + c.vocabSize() + ")",
                "ids[" + (c.contextLength() + 2) + "] (text 1, position 2) = -1 is outside [0, vocab_size "
                        + c.vocabSize() + ")"};
            java.util.List<org.junit.jupiter.api.function.Executable> calls = java.util.List.of(
                    () -> t.step(nan, TinyConfigs.ids(c, N, 0), N), () -> t.step(TinyConfigs.pixels(c, N, 0), past, N),
                    () -> t.step(TinyConfigs.pixels(c, N, 0), negative, N));
            for (int i = 0; i < calls.size(); i++) {
                io.clip4j.ClipException e = assertThrows(io.clip4j.ClipException.class, calls.get(i));
                assertEquals(expected[i], e.getMessage());
            }
            assertEquals(0, t.completedSteps());
            Map<String, float[]> after = m.snapshot();
            for (String name : before.keySet()) {
                assertTrue(java.util.Arrays.equals(before.get(name), after.get(name)), name + " changed");
            }
        }
    }

    @Test
    void evaluateLossChecksItsBatchLikeStep() {
        // evaluateLoss copied the arrays whole into tensors sized from n: a longer array wrote past the tensor's
        // native memory, a shorter one left uninitialised values in the loss; after close it ran on regardless.
        try (TrainableClip m = TrainableClip.initialize(TinyConfigs.vit(), 1)) {
            Trainer t = new Trainer(m, options(false, false));
            int px = 3 * m.config().imageResolution() * m.config().imageResolution();
            int ctx = m.config().contextLength();
            long[] ids = new long[2 * ctx];
            ids[0] = 49406;
            ids[1] = 49407;
            ids[ctx] = 49406;
            ids[ctx + 1] = 49407;
            double loss = t.evaluateLoss(new float[2 * px], ids, 2);
            assertEquals(Math.log(2), loss, 1e-5, "identical pairs: every logit equal, so the loss is ln n");
            for (org.junit.jupiter.api.function.Executable call : java.util.List.<org.junit.jupiter.api.function.Executable>of(
                    () -> t.evaluateLoss(new float[3 * px], ids, 2), () -> t.evaluateLoss(new float[px], ids, 2),
                    () -> t.evaluateLoss(new float[2 * px], new long[3 * ctx], 2),
                    () -> t.evaluateLoss(new float[0], new long[0], 0))) {
                io.clip4j.ClipException e = assertThrows(io.clip4j.ClipException.class, call);
                assertTrue(e.getMessage().startsWith("an evaluation batch needs n >= 1 images"), e.getMessage());
            }
            long[] badIds = ids.clone();
            badIds[1] = 49408; // past the vocabulary
            io.clip4j.ClipException e = assertThrows(io.clip4j.ClipException.class,
                    () -> t.evaluateLoss(new float[2 * px], badIds, 2));
            assertEquals("ids[1] (text 0, position 1) = 49408 is outside [0, vocab_size 49408)", e.getMessage());
            t.close();
            e = assertThrows(io.clip4j.ClipException.class, () -> t.evaluateLoss(new float[2 * px], ids, 2));
            assertEquals("the trainer is closed", e.getMessage());
        }
    }

    @Test
    void resumingFromSavedStateContinuesExactly(@TempDir Path dir) {
        ClipConfig c = TinyConfigs.vit();
        TrainOptions o = TrainOptions.builder().totalSteps(4).learningRate(1e-3).warmupSteps(2).gradClipNorm(1.0).build();
        Map<String, float[]> straight;
        try (TrainableClip m = TrainableClip.initialize(c, 21); Trainer t = new Trainer(m, o)) {
            for (int i = 0; i < 4; i++) {
                t.step(TinyConfigs.pixels(c, N, i), TinyConfigs.ids(c, N, 10 + i), N);
            }
            straight = m.snapshot();
        }
        try (TrainableClip m = TrainableClip.initialize(c, 21); Trainer t = new Trainer(m, o)) {
            for (int i = 0; i < 2; i++) {
                t.step(TinyConfigs.pixels(c, N, i), TinyConfigs.ids(c, N, 10 + i), N);
            }
            t.saveState(dir, Map.of("seed", 21));
        }
        try (TrainableClip m = TrainableClip.initialize(c, 999); Trainer t = new Trainer(m, o)) {
            assertEquals(21, t.loadState(dir).get("seed").asInt());
            assertEquals(2, t.completedSteps());
            for (int i = 2; i < 4; i++) {
                t.step(TinyConfigs.pixels(c, N, i), TinyConfigs.ids(c, N, 10 + i), N);
            }
            Map<String, float[]> resumed = m.snapshot();
            straight.forEach((k, v) -> assertArrayEquals(v, resumed.get(k), k));
        }
    }

    @Test
    void aStateOfADeeperModelIsRefusedAndLeavesTheTrainerAsItWas(@TempDir Path dir) {
        // The weights were copied before the optimiser file was read: the deeper model's blocks 0 overwrote this
        // model's, its blocks 1 were ignored, and only then was the optimiser file refused.
        ClipConfig shallow = TinyConfigs.vit();
        ClipConfig deep = new ClipConfig(32, 32, new int[]{2}, 64, 8, 16, 49408, 64, 1, 2, 1);
        TrainOptions o = TrainOptions.builder().totalSteps(4).build();
        try (TrainableClip m = TrainableClip.initialize(deep, 5); Trainer t = new Trainer(m, o)) {
            t.step(TinyConfigs.pixels(deep, N, 1), TinyConfigs.ids(deep, N, 2), N);
            t.saveState(dir, Map.of());
        }
        Map<String, float[]> twin;
        try (TrainableClip m = TrainableClip.initialize(shallow, 6); Trainer t = new Trainer(m, o)) {
            t.step(TinyConfigs.pixels(shallow, N, 3), TinyConfigs.ids(shallow, N, 4), N);
            t.step(TinyConfigs.pixels(shallow, N, 5), TinyConfigs.ids(shallow, N, 6), N);
            twin = m.snapshot();
        }
        try (TrainableClip m = TrainableClip.initialize(shallow, 6); Trainer t = new Trainer(m, o)) {
            t.step(TinyConfigs.pixels(shallow, N, 3), TinyConfigs.ids(shallow, N, 4), N);
            Map<String, float[]> before = m.snapshot();
            io.clip4j.ClipException e = assertThrows(io.clip4j.ClipException.class, () -> t.loadState(dir));
            assertTrue(e.getMessage().contains("visual.transformer.resblocks.1"), e.getMessage());
            assertEquals(1, t.completedSteps());
            Map<String, float[]> after = m.snapshot();
            before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));
            // the optimiser state is this run's too: the next step is the one of a trainer that never tried to load
            t.step(TinyConfigs.pixels(shallow, N, 5), TinyConfigs.ids(shallow, N, 6), N);
            Map<String, float[]> stepped = m.snapshot();
            twin.forEach((k, v) -> assertArrayEquals(v, stepped.get(k), k));
        }
    }

    @Test
    void aStateLoadedInsideTheCallersPointerScopeOutlivesIt(@TempDir Path dir) {
        // loadState builds a new optimiser: JavaCPP attached it to a PointerScope the caller had open (as
        // TrainableClip's encode methods ask for), which freed it when that scope closed, under the trainer.
        ClipConfig c = TinyConfigs.vit();
        TrainOptions o = TrainOptions.builder().totalSteps(4).build();
        Map<String, float[]> twin;
        try (TrainableClip m = TrainableClip.initialize(c, 6); Trainer t = new Trainer(m, o)) {
            t.step(TinyConfigs.pixels(c, N, 3), TinyConfigs.ids(c, N, 4), N);
            t.saveState(dir, Map.of());
            t.step(TinyConfigs.pixels(c, N, 5), TinyConfigs.ids(c, N, 6), N);
            twin = m.snapshot();
        }
        try (TrainableClip m = TrainableClip.initialize(c, 7); Trainer t = new Trainer(m, o)) {
            try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
                t.loadState(dir);
            }
            t.step(TinyConfigs.pixels(c, N, 5), TinyConfigs.ids(c, N, 6), N);
            Map<String, float[]> resumed = m.snapshot();
            twin.forEach((k, v) -> assertArrayEquals(v, resumed.get(k), k));
        }
    }

    @Test
    void aSaveThatFailsWhileWritingLeavesThePreviousStateUsable(@TempDir Path dir) throws Exception {
        // The weights used to be moved into place before the optimiser file was written: a save failing (or killed)
        // there left step-4 weights beside step-2 trainer.json, refused on resume, and the step-2 state was lost.
        ClipConfig c = TinyConfigs.vit();
        TrainOptions o = TrainOptions.builder().totalSteps(4).learningRate(1e-3).build();
        Map<String, float[]> atStep2 = null;
        try (TrainableClip m = TrainableClip.initialize(c, 5); Trainer t = new Trainer(m, o)) {
            for (int i = 0; i < 4; i++) {
                t.step(TinyConfigs.pixels(c, N, i), TinyConfigs.ids(c, N, i), N);
                if (i == 1) {
                    t.saveState(dir, Map.of());
                    atStep2 = m.snapshot();
                }
            }
            java.nio.file.Files.createDirectory(dir.resolve(Trainer.OPTIMIZER + ".new")); // the archive cannot go there
            io.clip4j.ClipException e = assertThrows(io.clip4j.ClipException.class, () -> t.saveState(dir, Map.of()));
            assertTrue(e.getMessage().contains("cannot save training state"), e.getMessage());
        }
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
            assertEquals(java.util.Set.of(Trainer.WEIGHTS, Trainer.OPTIMIZER, Trainer.STATE),
                    files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()),
                    "staged files are removed");
        }
        try (TrainableClip m = TrainableClip.initialize(c, 5); Trainer t = new Trainer(m, o)) {
            t.loadState(dir);
            assertEquals(2, t.completedSteps());
            Map<String, float[]> loaded = m.snapshot();
            atStep2.forEach((k, v) -> assertArrayEquals(v, loaded.get(k), k));
        }
    }

    @Test
    void aSaveKilledWhileMovingItsFilesIsCompletedOnResume(@TempDir Path dir) throws Exception {
        // Ctrl-C during a save's moves left step-3 weights in place (or none: a replacing move deleted the target
        // first) beside step-2 optimizer.pt and trainer.json, and the staged rest: refused, or "no such checkpoint
        // file", so the run could not be resumed at all. Every staged file was whole, so the save can be completed.
        ClipConfig c = TinyConfigs.vit();
        TrainOptions o = TrainOptions.builder().totalSteps(4).learningRate(1e-3).build();
        Path full = dir.resolve("full");
        Map<String, float[]> atStep3 = null;
        try (TrainableClip m = TrainableClip.initialize(c, 8); Trainer t = new Trainer(m, o)) {
            for (int i = 0; i < 3; i++) {
                t.step(TinyConfigs.pixels(c, N, i), TinyConfigs.ids(c, N, i), N);
                if (i == 1) {
                    t.saveState(dir.resolve("weights-moved"), Map.of());
                    t.saveState(dir.resolve("weights-gone"), Map.of());
                    t.saveState(dir.resolve("json-gone"), Map.of());
                }
            }
            t.saveState(full, Map.of());
            atStep3 = m.snapshot();
        }
        java.util.function.BiConsumer<String, Path> put = (name, to) -> {
            try {
                java.nio.file.Files.copy(full.resolve(name), to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        Path moved = dir.resolve("weights-moved"); // killed after the first move
        put.accept(Trainer.WEIGHTS, moved.resolve(Trainer.WEIGHTS));
        put.accept(Trainer.OPTIMIZER, moved.resolve(Trainer.OPTIMIZER + ".new"));
        put.accept(Trainer.STATE, moved.resolve(Trainer.STATE + ".new"));
        Path gone = dir.resolve("weights-gone"); // killed inside the first move, after the target was deleted
        java.nio.file.Files.delete(gone.resolve(Trainer.WEIGHTS));
        put.accept(Trainer.WEIGHTS, gone.resolve(Trainer.WEIGHTS + ".new"));
        put.accept(Trainer.OPTIMIZER, gone.resolve(Trainer.OPTIMIZER + ".new"));
        put.accept(Trainer.STATE, gone.resolve(Trainer.STATE + ".new"));
        Path json = dir.resolve("json-gone"); // killed inside the last move
        put.accept(Trainer.WEIGHTS, json.resolve(Trainer.WEIGHTS));
        put.accept(Trainer.OPTIMIZER, json.resolve(Trainer.OPTIMIZER));
        java.nio.file.Files.delete(json.resolve(Trainer.STATE));
        put.accept(Trainer.STATE, json.resolve(Trainer.STATE + ".new"));
        for (Path d : List.of(moved, gone, json)) {
            if (d == gone) { // what the command line does before it reads the weights to build the model
                assertEquals(3, Trainer.completeInterruptedSave(d));
                assertEquals(-1, Trainer.completeInterruptedSave(d), "nothing left to complete");
            }
            try (TrainableClip m = TrainableClip.initialize(c, 8); Trainer t = new Trainer(m, o)) {
                t.loadState(d);
                assertEquals(3, t.completedSteps(), d.toString());
                Map<String, float[]> loaded = m.snapshot();
                atStep3.forEach((k, v) -> assertArrayEquals(v, loaded.get(k), d + " " + k));
            }
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(d)) {
                assertEquals(java.util.Set.of(Trainer.WEIGHTS, Trainer.OPTIMIZER, Trainer.STATE),
                        files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
            }
        }
        // Killed while the staged trainer.json was being written: nothing was moved, the step-2 state stands.
        Path cut = dir.resolve("cut");
        try (TrainableClip m = TrainableClip.initialize(c, 8); Trainer t = new Trainer(m, o)) {
            t.step(TinyConfigs.pixels(c, N, 0), TinyConfigs.ids(c, N, 0), N);
            t.step(TinyConfigs.pixels(c, N, 1), TinyConfigs.ids(c, N, 1), N);
            t.saveState(cut, Map.of());
        }
        put.accept(Trainer.WEIGHTS, cut.resolve(Trainer.WEIGHTS + ".new"));
        put.accept(Trainer.OPTIMIZER, cut.resolve(Trainer.OPTIMIZER + ".new"));
        String text = java.nio.file.Files.readString(full.resolve(Trainer.STATE));
        java.nio.file.Files.writeString(cut.resolve(Trainer.STATE + ".new"), text.substring(0, text.length() / 2));
        assertEquals(-1, Trainer.completeInterruptedSave(cut));
        try (TrainableClip m = TrainableClip.initialize(c, 8); Trainer t = new Trainer(m, o)) {
            t.loadState(cut);
            assertEquals(2, t.completedSteps());
        }
    }

    @Test
    void aSaveDeletesTheTemporaryWeightsOfSavesKilledWhileWriting(@TempDir Path dir) throws Exception {
        // Each Ctrl-C while the weights were being written left a full copy (<staged name>.<hex>.tmp) in state/.
        ClipConfig c = TinyConfigs.vit();
        TrainOptions o = TrainOptions.builder().totalSteps(2).learningRate(1e-3).build();
        java.nio.file.Files.createDirectories(dir);
        Path stale = java.nio.file.Files.write(dir.resolve(Trainer.WEIGHTS + ".new.7d25a67484a25ef7.tmp"), new byte[64]);
        Path other = java.nio.file.Files.write(dir.resolve("notes.tmp"), new byte[1]); // not the writer's: kept
        try (TrainableClip m = TrainableClip.initialize(c, 2); Trainer t = new Trainer(m, o)) {
            t.step(TinyConfigs.pixels(c, N, 0), TinyConfigs.ids(c, N, 0), N);
            t.saveState(dir, Map.of());
        }
        assertFalse(java.nio.file.Files.exists(stale));
        assertTrue(java.nio.file.Files.exists(other));
    }

    @Test
    void aStateFromAnInterruptedSaveOrWithAnEditedStepCountIsRefused(@TempDir Path dir) throws Exception {
        // trainer.json "completed_steps": "abc" resumed at step 0 with trained weights, 99 "finished" a 4-step
        // run; weights of step 4 beside trainer.json of step 2 (a save killed between the files) resumed silently.
        ClipConfig c = TinyConfigs.vit();
        TrainOptions o = TrainOptions.builder().totalSteps(4).learningRate(1e-3).build();
        Path early = dir.resolve("early");
        Path late = dir.resolve("late");
        try (TrainableClip m = TrainableClip.initialize(c, 3); Trainer t = new Trainer(m, o)) {
            for (int i = 0; i < 4; i++) {
                t.step(TinyConfigs.pixels(c, N, i), TinyConfigs.ids(c, N, i), N);
                if (i == 1) {
                    t.saveState(early, Map.of());
                }
            }
            t.saveState(late, Map.of());
        }
        Path json = early.resolve(Trainer.STATE);
        String good = java.nio.file.Files.readString(json);
        java.util.function.Consumer<String> refused = expected -> {
            try (TrainableClip m = TrainableClip.initialize(c, 3); Trainer t = new Trainer(m, o)) {
                io.clip4j.ClipException e = assertThrows(io.clip4j.ClipException.class, () -> t.loadState(early));
                assertTrue(e.getMessage().contains(expected), e.getMessage());
                assertFalse(e.getMessage().contains("Exception raised from"), e.getMessage()); // no C++ trace
                assertEquals(0, t.completedSteps());
            }
        };
        for (String steps : new String[]{"\"abc\"", "99", "-3", "1.5", "null"}) {
            java.nio.file.Files.writeString(json, good.replace("\"completed_steps\" : 2", "\"completed_steps\" : "
                    + steps));
            refused.accept("completed_steps must be a whole number from 0 to the run's 4 steps");
        }
        java.nio.file.Files.writeString(json, good.replace("\"completed_steps\" : 2,", ""));
        refused.accept("completed_steps must be");
        java.nio.file.Files.writeString(json, good);
        java.nio.file.Files.copy(late.resolve(Trainer.WEIGHTS), early.resolve(Trainer.WEIGHTS),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        refused.accept("weights.safetensors is not the file trainer.json was saved with");
        java.nio.file.Files.copy(late.resolve(Trainer.STATE), json, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        java.nio.file.Files.write(early.resolve(Trainer.OPTIMIZER), new byte[100]);
        refused.accept("optimizer.pt is not the file");
        // without the digests (a state saved before they were recorded) a broken archive still reads as one line
        java.nio.file.Files.writeString(json, java.nio.file.Files.readString(json).replaceAll(
                "(?s),\\s*\"files\" : \\{[^}]*}", ""));
        refused.accept("optimizer.pt: PytorchStreamReader failed reading zip archive");
        java.nio.file.Files.delete(json);
        refused.accept("no trainer.json");
    }
}
