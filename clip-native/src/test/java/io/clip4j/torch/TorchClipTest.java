package io.clip4j.torch;

import io.clip4j.ClipConfig;
import io.clip4j.ClipException;
import io.clip4j.checkpoint.CheckpointException;
import io.clip4j.checkpoint.DType;
import io.clip4j.checkpoint.StateDict;
import io.clip4j.checkpoint.TensorData;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Engine behaviour that does not need reference numbers: validation, threads, memory, lifecycle. */
class TorchClipTest {
    /** A small ViT and a small ResNet (context 77, vocabulary 49408 like every CLIP). */
    static final ClipConfig SMALL_VIT = new ClipConfig(32, 64, new int[]{2}, 128, 16, 77, 49408, 64, 1, 2, 2);
    static final ClipConfig SMALL_RN = new ClipConfig(32, 64, new int[]{1, 1, 1, 1}, 16, 0, 77, 49408, 64, 1, 1, 8);

    private static TorchClip vit;
    private static TorchClip rn;

    @BeforeAll
    static void build() {
        vit = TorchClip.create(RandomStateDicts.create(SMALL_VIT, 1), SMALL_VIT);
        rn = TorchClip.create(RandomStateDicts.create(SMALL_RN, 2), SMALL_RN);
    }

    @AfterAll
    static void free() {
        vit.close();
        rn.close();
    }

    static float[] randomPixels(int n, int s, long seed) {
        Random r = new Random(seed);
        float[] p = new float[n * 3 * s * s];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) r.nextGaussian();
        }
        return p;
    }

    /** Token rows like clip.tokenize: start, some tokens, end-of-text, zero padding. */
    static long[] randomIds(int n, int ctx, long seed) {
        Random r = new Random(seed);
        long[] ids = new long[n * ctx];
        for (int i = 0; i < n; i++) {
            int len = 1 + r.nextInt(ctx - 2);
            ids[i * ctx] = 49406;
            for (int j = 1; j < len; j++) {
                ids[i * ctx + j] = r.nextInt(49406);
            }
            ids[i * ctx + len] = 49407;
        }
        return ids;
    }

    @Test
    void outputsHaveEmbedDimAndBatchOfOneEqualsRow() {
        for (TorchClip clip : new TorchClip[]{vit, rn}) {
            ClipConfig c = clip.config();
            int s = c.imageResolution();
            float[] pixels = randomPixels(3, s, 7);
            float[] all = clip.encodeImage(pixels, 3);
            assertEquals(3 * c.embedDim(), all.length);
            for (int i = 0; i < 3; i++) {
                float[] one = clip.encodeImage(Arrays.copyOfRange(pixels, i * 3 * s * s, (i + 1) * 3 * s * s), 1);
                assertClose(Arrays.copyOfRange(all, i * c.embedDim(), (i + 1) * c.embedDim()), one, 1e-5);
            }
            long[] ids = randomIds(4, 77, 9);
            float[] txt = clip.encodeText(ids, 4);
            assertEquals(4 * c.embedDim(), txt.length);
            float[] one = clip.encodeText(Arrays.copyOfRange(ids, 2 * 77, 3 * 77), 1);
            assertClose(Arrays.copyOfRange(txt, 2 * c.embedDim(), 3 * c.embedDim()), one, 1e-5);
        }
    }

    @Test
    void textPoolsTheFirstMaximumId() {
        // Two rows identical up to the first end-of-text token; the second has a later, duplicate 49407 and
        // different tokens after it. Causal attention + first-argmax pooling make their features equal.
        long[] ids = new long[2 * 77];
        long[] prefix = {49406, 320, 1125, 539, 49407};
        for (int r = 0; r < 2; r++) {
            System.arraycopy(prefix, 0, ids, r * 77, prefix.length);
        }
        ids[77 + 5] = 2368;
        ids[77 + 6] = 49407;
        float[] f = vit.encodeText(ids, 2);
        int d = vit.config().embedDim();
        assertClose(Arrays.copyOfRange(f, 0, d), Arrays.copyOfRange(f, d, 2 * d), 1e-6);
    }

    @Test
    void eightThreadsMatchSingleThreadedResults() throws Exception {
        int s = vit.config().imageResolution();
        int d = vit.config().embedDim();
        List<float[]> pixels = new ArrayList<>();
        List<long[]> ids = new ArrayList<>();
        List<float[]> expectImage = new ArrayList<>();
        List<float[]> expectText = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            pixels.add(randomPixels(2, s, 100 + i));
            ids.add(randomIds(2, 77, 200 + i));
            expectImage.add(vit.encodeImage(pixels.get(i), 2));
            expectText.add(vit.encodeText(ids.get(i), 2));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int k = t;
                futures.add(pool.submit(() -> {
                    for (int rep = 0; rep < 5; rep++) {
                        int i = (k + rep) % 8;
                        assertClose(expectImage.get(i), vit.encodeImage(pixels.get(i), 2), 1e-5);
                        assertClose(expectText.get(i), vit.encodeText(ids.get(i), 2), 1e-5);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(2 * d, expectImage.get(0).length);
    }

    @Test
    void repeatedCallsFreeEveryNativeObject() {
        float[] pixels = randomPixels(2, rn.config().imageResolution(), 3);
        long[] ids = randomIds(2, 77, 4);
        rn.encodeImage(pixels, 2);
        rn.encodeText(ids, 2);
        long count = Pointer.totalCount();
        long bytes = Pointer.totalBytes();
        for (int i = 0; i < 20; i++) {
            float[] img = rn.encodeImage(pixels, 2);
            float[] txt = rn.encodeText(ids, 2);
            rn.probs(rn.logitsPerImage(img, 2, txt, 2), 2, 2);
        }
        // Every JavaCPP-owned native object made by those calls (tensors, option objects, input buffers) is gone.
        assertEquals(count, Pointer.totalCount());
        assertEquals(bytes, Pointer.totalBytes());
    }

    @Test
    void callsInsideACallerPointerScopeSurviveItsClose() {
        long[] ids = randomIds(2, 77, 11);
        float[] expected = vit.encodeText(ids, 2);
        float[] inside;
        TorchClip built;
        try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
            inside = vit.encodeText(ids, 2);
            built = TorchClip.create(RandomStateDicts.create(SMALL_VIT, 1), SMALL_VIT);
        }
        // The caller's scope must not have taken the model's weights with it.
        try (TorchClip clip = built) {
            assertClose(vit.encodeText(ids, 2), clip.encodeText(ids, 2), 1e-6);
        }
        assertClose(expected, inside, 1e-6);
    }

    @Test
    void closeFreesTheWeightsAndLaterCallsFail() {
        long before = Pointer.totalCount();
        TorchClip clip = TorchClip.create(RandomStateDicts.create(SMALL_VIT, 5), SMALL_VIT);
        assertTrue(Pointer.totalCount() > before);
        clip.close();
        assertEquals(before, Pointer.totalCount());
        clip.close(); // idempotent
        ClipException e = assertThrows(ClipException.class, () -> clip.encodeText(randomIds(1, 77, 1), 1));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void threadCountIsApplied() {
        int old = torch.get_num_threads();
        try (TorchClip clip = TorchClip.create(RandomStateDicts.create(SMALL_RN, 6), SMALL_RN, 1)) {
            assertEquals(1, torch.get_num_threads());
            assertEquals(SMALL_RN.embedDim(), clip.encodeText(randomIds(1, 77, 2), 1).length);
        } finally {
            torch.set_num_threads(old);
        }
        assertThrows(ClipException.class, () -> TorchClip.create(RandomStateDicts.create(SMALL_RN, 6), SMALL_RN, -1));
    }

    @Test
    void badInputsThrowClipExceptionNamingTheInput() {
        int s = vit.config().imageResolution();
        ClipException e = assertThrows(ClipException.class, () -> vit.encodeImage(new float[3 * s * s - 1], 1));
        assertTrue(e.getMessage().contains("pixelValues"), e.getMessage());
        assertThrows(ClipException.class, () -> vit.encodeImage(new float[0], 0));
        assertThrows(ClipException.class, () -> vit.encodeImage(null, 1));
        // A NaN pixel came back as NaN features, which the model blamed on the checkpoint's weights.
        float[] nan = new float[2 * 3 * s * s];
        nan[3 * s * s + 7] = Float.NaN;
        e = assertThrows(ClipException.class, () -> vit.encodeImage(nan, 2));
        assertEquals("pixelValues[" + (3 * s * s + 7) + "] is NaN: pixel values must be finite", e.getMessage());
        long[] ids = randomIds(1, 77, 1);
        ids[5] = 49408;
        e = assertThrows(ClipException.class, () -> vit.encodeText(ids, 1));
        assertTrue(e.getMessage().contains("ids[5]"), e.getMessage());
        ids[5] = -1;
        assertThrows(ClipException.class, () -> vit.encodeText(ids, 1));
        assertThrows(ClipException.class, () -> vit.encodeText(new long[76], 1));
        assertThrows(ClipException.class, () -> vit.logitsPerImage(new float[32], 1, new float[31], 1));
        assertThrows(ClipException.class, () -> vit.probs(new float[3], 2, 2));
    }

    @Test
    void missingOrMisshapenTensorsThrowCheckpointException() {
        Map<String, long[]> shapes = ReferenceShapes.of(SMALL_VIT);
        shapes.remove("ln_final.bias");
        StateDict missing = RandomStateDicts.create(shapes, 1);
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchClip.create(missing, SMALL_VIT));
        assertTrue(e.getMessage().contains("ln_final.bias"), e.getMessage());

        shapes = ReferenceShapes.of(SMALL_VIT);
        shapes.put("visual.proj", new long[]{128, 33});
        StateDict wrong = RandomStateDicts.create(shapes, 1);
        e = assertThrows(CheckpointException.class, () -> TorchClip.create(wrong, SMALL_VIT));
        assertTrue(e.getMessage().contains("visual.proj") && e.getMessage().contains("[128, 33]"), e.getMessage());

        // vision heads that do not divide the width (an HF config can say so): named after the checkpoint
        ClipConfig threeHeads = new ClipConfig(32, 64, new int[]{2}, 128, 16, 77, 49408, 64, 1, 2, 3);
        StateDict named = new StateDict("model.safetensors", RandomStateDicts.create(SMALL_VIT, 1).asMap());
        e = assertThrows(CheckpointException.class, () -> TorchClip.create(named, threeHeads));
        assertTrue(e.getMessage().startsWith("model.safetensors: ") && e.getMessage().contains("3"), e.getMessage());

        Map<String, TensorData> m = new LinkedHashMap<>(RandomStateDicts.create(SMALL_VIT, 1).asMap());
        m.put("logit_scale", new TensorData(DType.I64, new long[]{}, ByteBuffer.allocate(8)));
        e = assertThrows(CheckpointException.class, () -> TorchClip.create(new StateDict("x", m), SMALL_VIT));
        assertTrue(e.getMessage().contains("logit_scale"), e.getMessage());
    }

    @Test
    void tensorsTheArchitectureDoesNotUseAreRejectedLikeAStrictLoadStateDict() {
        // open_clip's layer scale (ls_init_value) adds a gain per block; ignoring it changes every feature
        Map<String, long[]> shapes = ReferenceShapes.of(SMALL_VIT);
        shapes.put("visual.transformer.resblocks.0.ls_1.gamma", new long[]{128});
        shapes.put("logit_bias", new long[]{});
        StateDict layerScale = RandomStateDicts.create(shapes, 1);
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchClip.create(layerScale, SMALL_VIT));
        assertTrue(e.getMessage().contains("unexpected tensor 'visual.transformer.resblocks.0.ls_1.gamma' (2 in all)"),
                e.getMessage());

        // what the reference's build_model drops or never loads is accepted, and changes nothing
        Map<String, TensorData> m = new LinkedHashMap<>(RandomStateDicts.create(SMALL_VIT, 1).asMap());
        for (String buffer : List.of("input_resolution", "context_length", "vocab_size")) {
            m.put(buffer, new TensorData(DType.I64, new long[]{}, ByteBuffer.allocate(8)));
        }
        m.put("attn_mask", new TensorData(DType.F32, new long[]{77, 77}, ByteBuffer.allocate(77 * 77 * 4)));
        m.put("transformer.resblocks.0.attn_mask",
                new TensorData(DType.F32, new long[]{77, 77}, ByteBuffer.allocate(77 * 77 * 4)));
        float[] pixels = randomPixels(1, SMALL_VIT.imageResolution(), 3);
        try (TorchClip clip = TorchClip.create(new StateDict("x", m), SMALL_VIT)) {
            assertArrayEquals(vit.encodeImage(pixels, 1), clip.encodeImage(pixels, 1));
        }

        // a BatchNorm counter is bookkeeping only next to the statistics it counts
        Map<String, TensorData> rnTensors = new LinkedHashMap<>(RandomStateDicts.create(SMALL_RN, 2).asMap());
        assertTrue(rnTensors.containsKey("visual.bn1.num_batches_tracked"), "the ResNet fixture has BN counters");
        rnTensors.put("visual.bn9.num_batches_tracked", new TensorData(DType.I64, new long[]{}, ByteBuffer.allocate(8)));
        e = assertThrows(CheckpointException.class, () -> TorchClip.create(new StateDict("rn", rnTensors), SMALL_RN));
        assertTrue(e.getMessage().contains("'visual.bn9.num_batches_tracked' (1 in all)"), e.getMessage());
    }

    @Test
    void logitScaleIsExpOfTheCheckpointValueAsInTheReference() {
        assertEquals((float) Math.exp(Math.log(1 / 0.07)), vit.logitScale(), 1e-5f);
        Map<String, TensorData> m = new LinkedHashMap<>(RandomStateDicts.create(SMALL_VIT, 1).asMap());
        // ln(100) stored as float16 (a checkpoint saved in half precision): 4.6054688, exp 100.0299. The reference
        // and transformers use it as it is; clamping at 100 gave logits 3e-4 (relative) off theirs.
        ByteBuffer h = ByteBuffer.allocate(2).order(java.nio.ByteOrder.LITTLE_ENDIAN).putShort(0, (short) 0x449b);
        m.put("logit_scale", new TensorData(DType.F16, new long[]{}, h));
        try (TorchClip clip = TorchClip.create(new StateDict("x", m), SMALL_VIT)) {
            assertEquals((float) Math.exp(4.6054688), clip.logitScale(), 1e-4f);
            assertTrue(clip.logitScale() > 100.02f);
        }
        ByteBuffer b = ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(0, 5.0f);
        m.put("logit_scale", new TensorData(DType.F32, new long[]{}, b));
        try (TorchClip clip = TorchClip.create(new StateDict("x", m), SMALL_VIT)) {
            assertEquals((float) Math.exp(5.0), clip.logitScale(), 1e-4f);
        }
        // exp(+inf), or an overflow above about 88.7: every logit infinite
        for (float v : new float[]{Float.POSITIVE_INFINITY, 89f}) {
            b.putFloat(0, v);
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> TorchClip.create(new StateDict("inf", m), SMALL_VIT));
            assertEquals("inf: logit_scale " + v + " gives exp(logit_scale) = infinity: every logit would be infinite",
                    e.getMessage());
        }
        // Finite but beyond the kernels' 1e30: refused at load for every pipeline (the fused kernels refused it
        // only when zero-shot ran; the Java pipeline took it)
        b.putFloat(0, 70f);
        CheckpointException huge = assertThrows(CheckpointException.class,
                () -> TorchClip.create(new StateDict("huge", m), SMALL_VIT));
        assertEquals("huge: logit_scale 70.0 gives exp(logit_scale) = " + (float) Math.exp(70) + ", beyond 1.0E30:"
                + " logits could overflow to infinity", huge.getMessage());
        b.putFloat(0, 69f);
        try (TorchClip clip = TorchClip.create(new StateDict("x", m), SMALL_VIT)) {
            assertEquals((float) Math.exp(69), clip.logitScale(), 1e24f);
        }
        b.putFloat(0, Float.NaN); // every logit NaN
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> TorchClip.create(new StateDict("nan", m), SMALL_VIT));
        assertEquals("nan: logit_scale is NaN", e.getMessage());
        // exp(-inf) = 0 (and exp(x) underflows to 0 below about -103): every logit 0, every probability uniform
        for (float v : new float[]{Float.NEGATIVE_INFINITY, -1e30f}) {
            b.putFloat(0, v);
            e = assertThrows(CheckpointException.class, () -> TorchClip.create(new StateDict("zero", m), SMALL_VIT));
            assertEquals("zero: logit_scale " + v + " gives exp(logit_scale) = 0: every logit would be 0 and every"
                    + " probability uniform", e.getMessage());
        }
        b.putFloat(0, -20f); // tiny but positive: the checkpoint's own temperature
        try (TorchClip clip = TorchClip.create(new StateDict("x", m), SMALL_VIT)) {
            assertEquals((float) Math.exp(-20), clip.logitScale(), 1e-12f);
        }
    }

    @Test
    void aNonFiniteAttentionWeightGivesNonFiniteFeaturesForShortSequencesToo() {
        // LibTorch 2.10's CPU scaled_dot_product_attention gives 0, not NaN, for a head whose queries or keys hold NaN
        // when the sequence has fewer than 16 tokens: a short prompt, or a small ResNet's attention pooling (5 tokens
        // here), got finite, silently wrong features from a NaN attention weight, where the reference gives NaN.
        long[] shortText = new long[77];
        long[] prompt = {49406, 320, 1125, 539, 49407};
        System.arraycopy(prompt, 0, shortText, 0, prompt.length);
        float[] pixels = randomPixels(1, SMALL_RN.imageResolution(), 3);
        int width = SMALL_RN.transformerWidth();
        for (String[] c : new String[][]{{"transformer.resblocks.0.attn.in_proj_weight", "0"},
                {"transformer.resblocks.0.attn.in_proj_weight", String.valueOf(width * width)},
                {"visual.attnpool.q_proj.weight", "0"}, {"visual.attnpool.k_proj.weight", "0"}}) {
            StateDict sd = withNaN(RandomStateDicts.create(SMALL_RN, 2), c[0], Integer.parseInt(c[1]));
            try (TorchClip clip = TorchClip.create(sd, SMALL_RN)) {
                float[] f = c[0].startsWith("visual.") ? clip.encodeImage(pixels, 1) : clip.encodeText(shortText, 1);
                assertTrue(countNonFinite(f) > 0, c[0] + "[" + c[1] + "] = NaN gave finite features");
            }
        }
    }

    /** {@code sd} with element {@code index} of tensor {@code name} set to NaN (as float32). */
    static StateDict withNaN(StateDict sd, String name, int index) {
        Map<String, TensorData> m = new LinkedHashMap<>(sd.asMap());
        float[] values = m.get(name).toFloatArray();
        values[index] = Float.NaN;
        m.put(name, io.clip4j.checkpoint.SafetensorsWriter.float32(values, m.get(name).shape()));
        return new StateDict(sd.source(), m);
    }

    static int countNonFinite(float[] values) {
        int n = 0;
        for (float v : values) {
            n += Float.isFinite(v) ? 0 : 1;
        }
        return n;
    }

    static void assertClose(float[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= tol)) {
                assertArrayEquals(expected, actual, (float) tol, "first difference at index " + i);
            }
        }
    }
}
