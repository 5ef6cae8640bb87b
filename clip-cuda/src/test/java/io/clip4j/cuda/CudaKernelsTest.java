package io.clip4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clip4j.image.DecodedImage;
import io.clip4j.image.PixelMode;
import io.clip4j.io.Npy;
import io.clip4j.math.TopK;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.ShortPointer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CudaKernels against the reference fixtures (CPU backend always; CUDA vs CPU only when a GPU is present). */
class CudaKernelsTest {
    private static final Path TESTDATA = Path.of(System.getProperty("clip4j.testdata"));
    private static final Path REF = TESTDATA.resolve("preprocess/ref");
    private static final Path VIT = TESTDATA.resolve("models/tiny-vit");
    /** logit_scale_exp of models/tiny-vit/meta.json. */
    private static final float VIT_LOGIT_SCALE = (float) 15.460817289702776;

    private static DecodedImage decoded(String name) {
        Npy npy = Npy.read(REF.resolve(name + ".decoded_u8.npy"));
        long[] shape = npy.shape();
        return DecodedImage.ofBytes((int) shape[1], (int) shape[0], PixelMode.RGB, npy.toByteArray(), false, 1);
    }

    @Test
    void cpuPreprocessingIsBitExactWithTheJpegFixturesInOneBatch() {
        CudaKernels kernels = CudaKernels.create(KernelBackend.CPU);
        float[] out = kernels.preprocess(List.of(decoded("jpeg_q90"), decoded("exif_orientation6")), 224);
        int per = 3 * 224 * 224;
        String[] names = {"jpeg_q90", "exif_orientation6"};
        for (int i = 0; i < names.length; i++) {
            float[] want = Npy.read(REF.resolve(names[i] + ".pixel_values.npy")).toFloatArray();
            float[] got = java.util.Arrays.copyOfRange(out, i * per, (i + 1) * per);
            assertArrayEquals(want, got, 0.0f, names[i]);  // assertArrayEquals with delta 0 compares values exactly
        }
    }

    @Test
    void cpuScoresMatchTheTinyVitFixture() {
        float[] image = Npy.read(VIT.resolve("image_features.npy")).toFloatArray();
        float[] text = Npy.read(VIT.resolve("text_features.npy")).toFloatArray();
        float[] logitsRef = Npy.read(VIT.resolve("logits_per_image.npy")).toFloatArray();
        float[] probsRef = Npy.read(VIT.resolve("probs.npy")).toFloatArray();
        CudaKernels kernels = CudaKernels.create(KernelBackend.CPU);
        float[] logits = kernels.similarity(image, text, 64, VIT_LOGIT_SCALE);
        float maxAbs = 0;
        for (float v : logitsRef) {
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        assertArrayEquals(logitsRef, logits, 1e-4f * Math.max(1, maxAbs));
        TopK top = kernels.zeroShotTopK(image, text, 64, VIT_LOGIT_SCALE, 8);
        assertEquals(4, top.rows());
        for (int r = 0; r < 4; r++) {
            for (int j = 0; j < 8; j++) {
                int col = top.indices()[r * 8 + j];
                assertEquals(probsRef[r * 8 + col], top.probs()[r * 8 + j], 1e-5f);
                if (j > 0) {
                    assertTrue(top.probs()[r * 8 + j - 1] >= top.probs()[r * 8 + j], "descending");
                }
            }
        }
        TopK fromLogits = kernels.softmaxTopK(logits, 8, 3);
        for (int r = 0; r < 4; r++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(top.indices()[r * 8 + j], fromLogits.indices()[r * 3 + j]);
                // The logit reported with each pick is the reference logits_per_image entry.
                assertEquals(logitsRef[r * 8 + top.index(r, j)], top.logit(r, j), 1e-4f * Math.max(1, maxAbs));
                assertEquals(logits[r * 8 + fromLogits.index(r, j)], fromLogits.logit(r, j), 0f);
            }
        }
    }

    @Test
    void preprocessIntoNativeMemoryEqualsTheFixturesInFloat32AndFloat16() {
        CudaKernels kernels = CudaKernels.create(KernelBackend.CPU);
        List<DecodedImage> images = List.of(decoded("jpeg_q90"), decoded("exif_orientation6"));
        float[] mean = {0.48145466f, 0.4578275f, 0.40821073f};
        float[] std = {0.26862954f, 0.26130258f, 0.27577711f};
        int per = 3 * 224 * 224;
        // One image of headroom before the batch: the position is a byte offset into the buffer.
        try (BytePointer buffer = new BytePointer(3L * per * 4)) {
            kernels.preprocessInto(images, 224, mean, std, false, buffer.position(per * 4L), 2L * per * 4);
            FloatPointer floats = new FloatPointer(buffer.position(0));
            String[] names = {"jpeg_q90", "exif_orientation6"};
            for (int i = 0; i < 2; i++) {
                float[] want = Npy.read(REF.resolve(names[i] + ".pixel_values.npy")).toFloatArray();
                float[] got = new float[per];
                floats.position((long) (i + 1) * per).get(got);
                assertArrayEquals(want, got, 0.0f, names[i]);
            }
        }
        try (BytePointer half = new BytePointer(2L * per * 2)) {
            kernels.preprocessInto(images, 224, mean, std, true, half, 2L * per * 2);
            float[] want = Npy.read(REF.resolve("exif_orientation6.pixel_values.npy")).toFloatArray();
            short[] got = new short[per];
            new ShortPointer(half).position(per).get(got);
            for (int j = 0; j < per; j += 97) {
                // The nearest float16: no neighbouring bit pattern is closer to the float32 reference.
                double err = Math.abs(halfToFloat(got[j]) - want[j]);
                assertTrue(err <= Math.abs(halfToFloat((short) (got[j] + 1)) - want[j])
                        && err <= Math.abs(halfToFloat((short) (got[j] - 1)) - want[j]), "float16 element " + j);
            }
        }
        try (BytePointer small = new BytePointer(per * 4L)) {
            KernelException e = assertThrows(KernelException.class,
                    () -> kernels.preprocessInto(images, 224, mean, std, false, small, per * 4L));
            assertTrue(e.getMessage().contains("the batch needs"), e.getMessage());
        }
    }

    @Test
    void aNullBackendIsRefused() {
        // It used to give kernels whose backend() was null (and that ran on the CPU).
        assertEquals("backend is null", assertThrows(IllegalArgumentException.class,
                () -> CudaKernels.create(null)).getMessage());
        assertEquals("backend is null", assertThrows(IllegalArgumentException.class,
                () -> CudaKernels.create(null, 0)).getMessage());
    }

    @Test
    void pointersWithANegativePositionAreRefusedBeforeTheNativeCall() {
        CudaKernels kernels = CudaKernels.create(KernelBackend.CPU);
        DecodedImage pixel = DecodedImage.ofBytes(1, 1, PixelMode.RGB, new byte[] {1, 2, 3}, false, 1);
        float[] mean = {0.5f, 0.5f, 0.5f};
        // Views into the middle of a buffer, so that without the check the native code stays inside memory we own:
        // position -8 passed the size check (capacity minus position counted it as more room) and the kernel wrote
        // before the view (before a malloc'd block it corrupted the heap: "munmap_chunk(): invalid pointer").
        try (BytePointer base = new BytePointer(4096)) {
            BytePointer out = base.getPointer(1024);
            assertEquals(base.address() + 1024, out.address());
            out.position(-8);
            KernelException e = assertThrows(KernelException.class,
                    () -> kernels.preprocessInto(List.of(pixel), 4, mean, mean, false, out, 192));
            assertTrue(e.getMessage().contains("negative position -8"), e.getMessage());
            FloatPointer image = new FloatPointer(base.getPointer(1024)).capacity(16);
            image.position(-1);
            try (FloatPointer text = new FloatPointer(1f, 0f)) {
                e = assertThrows(KernelException.class, () -> kernels.zeroShotTopK(image, 1, text, 1, 2, 1f, 1));
                assertTrue(e.getMessage().contains("imageFeatures"), e.getMessage());
            }
        }
    }

    /**
     * The C++ kernel and clip-api's Java preprocessing are two implementations of the same reference; on random
     * RGB images of random, often extreme, sizes they must agree bit for bit (seeded, so a failure reproduces).
     */
    @Test
    void cpuKernelEqualsTheJavaPreprocessingOnRandomSizes() {
        CudaKernels kernels = CudaKernels.create(KernelBackend.CPU);
        java.util.Random random = new java.util.Random(20261129);
        int[] sides = {1, 2, 3, 7, 31, 224, 225, 333, 1000};
        for (int trial = 0; trial < 40; trial++) {
            int w = random.nextBoolean() ? sides[random.nextInt(sides.length)] : 1 + random.nextInt(1200);
            int h = random.nextBoolean() ? sides[random.nextInt(sides.length)] : 1 + random.nextInt(1200);
            int nPx = new int[] {224, 336, 48, 1, 5}[random.nextInt(5)];
            byte[] rgb = new byte[w * h * 3];
            random.nextBytes(rgb);
            DecodedImage img = DecodedImage.ofBytes(w, h, PixelMode.RGB, rgb, false, 1);
            float[] java = io.clip4j.image.ImagePreprocessor.clip(nPx).pixelValues(img);
            assertArrayEquals(java, kernels.preprocess(List.of(img), nPx), 0f, w + "x" + h + " -> " + nPx);
        }
    }

    /** IEEE binary16 bits to float (finite values only; the normalised pixels are all finite). */
    private static float halfToFloat(short bits) {
        int sign = (bits >> 15) & 1;
        int exp = (bits >> 10) & 0x1f;
        int mant = bits & 0x3ff;
        float mag = exp == 0 ? mant * 0x1p-24f : (1 + mant / 1024f) * (float) Math.pow(2, exp - 15);
        return sign == 1 ? -mag : mag;
    }

    @Test
    void zeroShotTopKOnNativeMemoryEqualsTheArrayVersion() {
        float[] image = Npy.read(VIT.resolve("image_features.npy")).toFloatArray();
        float[] text = Npy.read(VIT.resolve("text_features.npy")).toFloatArray();
        CudaKernels kernels = CudaKernels.create(KernelBackend.CPU);
        TopK fromArrays = kernels.zeroShotTopK(image, text, 64, VIT_LOGIT_SCALE, 5);
        try (FloatPointer img = new FloatPointer(image); FloatPointer txt = new FloatPointer(text)) {
            TopK fromPointers = kernels.zeroShotTopK(img, 4, txt, 8, 64, VIT_LOGIT_SCALE, 5);
            assertArrayEquals(fromArrays.indices(), fromPointers.indices());
            assertArrayEquals(fromArrays.probs(), fromPointers.probs(), 0f);
            assertArrayEquals(fromArrays.logits(), fromPointers.logits(), 0f);
            KernelException e = assertThrows(KernelException.class,
                    () -> kernels.zeroShotTopK(img, 4, txt, 8, 64, VIT_LOGIT_SCALE, 9));
            assertTrue(e.getMessage().contains("k must be"), e.getMessage());
        }
    }

    @Test
    void badInputIsATypedExceptionNamingTheInput() {
        CudaKernels kernels = CudaKernels.create(KernelBackend.CPU);
        KernelException e = assertThrows(KernelException.class,
                () -> kernels.similarity(new float[10], new float[8], 4, 1f));
        assertTrue(e.getMessage().contains("image_features"), e.getMessage());
        e = assertThrows(KernelException.class, () -> kernels.softmaxTopK(new float[6], 3, 4));
        assertTrue(e.getMessage().contains("k must be in [1, m=3]"), e.getMessage());
        DecodedImage gray = DecodedImage.ofBytes(2, 2, PixelMode.L, new byte[4], false, 1);
        e = assertThrows(KernelException.class, () -> kernels.preprocess(List.of(gray), 224));
        assertTrue(e.getMessage().contains("image 0"), e.getMessage());
        e = assertThrows(KernelException.class,
                () -> kernels.similarity(new float[4], new float[4], 2, Float.POSITIVE_INFINITY));
        assertTrue(e.getMessage().contains("logit_scale"), e.getMessage());  // checked by the native library
    }

    /** Pointers whose size JavaCPP knows are checked before the native call (these crashed the JVM before). */
    @Test
    void pointersSmallerThanTheStatedSizesAreRefused() {
        CudaKernels kernels = CudaKernels.create(KernelBackend.CPU);
        try (FloatPointer one = new FloatPointer(1); FloatPointer four = new FloatPointer(4)) {
            KernelException e = assertThrows(KernelException.class,
                    () -> kernels.zeroShotTopK(one, 1_000_000, one, 1000, 512, 1f, 1));
            assertTrue(e.getMessage().contains("imageFeatures [1000000, 512] needs 512000000 floats, the pointer"
                    + " holds 1 from position 0"), e.getMessage());
            e = assertThrows(KernelException.class, () -> kernels.zeroShotTopK(four, 2, one, 1, 2, 1f, 1));
            assertTrue(e.getMessage().contains("textFeatures [1, 2] needs 2 floats"), e.getMessage());
            // The position counts: two of the four floats are left.
            e = assertThrows(KernelException.class,
                    () -> kernels.zeroShotTopK(new FloatPointer(four).position(2), 2, four, 2, 2, 1f, 1));
            assertTrue(e.getMessage().contains("the pointer holds 2 from position 2"), e.getMessage());
            e = assertThrows(KernelException.class,
                    () -> kernels.zeroShotTopK(new FloatPointer(four).position(9), 1, four, 1, 1, 1f, 1));
            assertTrue(e.getMessage().contains("holds 0 from position 9"), e.getMessage());
            // Exactly enough is fine.
            four.put(new float[] {1, 0, 0, 1});
            assertEquals(0, kernels.zeroShotTopK(four, 2, four, 2, 2, 1f, 1).index(0, 0));
        }
    }

    @Test
    void preprocessIntoTrustsTheKnownSizeOfOutOverOutBytes() {
        CudaKernels kernels = CudaKernels.create(KernelBackend.CPU);
        List<DecodedImage> eight = java.util.Collections.nCopies(8, rgb1x1());
        float[] mean = {0, 0, 0};
        float[] std = {1, 1, 1};
        try (BytePointer four = new BytePointer(4)) {
            KernelException e = assertThrows(KernelException.class,
                    () -> kernels.preprocessInto(eight, 2048, mean, std, false, four, Long.MAX_VALUE));
            assertTrue(e.getMessage().contains("out needs " + 8L * 3 * 2048 * 2048 * 4 + " bytes, the pointer"
                    + " holds 4"), e.getMessage());
        }
        try (BytePointer exact = new BytePointer(3 * 2 * 2 * 2)) {
            // float16, n_px 2: 24 bytes fit; from position 1 only 23 are left.
            kernels.preprocessInto(List.of(rgb1x1()), 2, mean, std, true, exact, 24);
            KernelException e = assertThrows(KernelException.class,
                    () -> kernels.preprocessInto(List.of(rgb1x1()), 2, mean, std, true, exact.position(1), 24));
            assertTrue(e.getMessage().contains("holds 23 from position 1"), e.getMessage());
        }
        KernelException e = assertThrows(KernelException.class,
                () -> kernels.preprocessInto(List.of(rgb1x1()), 2, mean, std, false, new BytePointer(), 1000));
        assertTrue(e.getMessage().contains("null pointer"), e.getMessage());
    }

    @Test
    void aBatchLargerThanAJavaArrayIsAKernelExceptionNamingTheSizes() {
        CudaKernels kernels = CudaKernels.create(KernelBackend.CPU);
        KernelException e = assertThrows(KernelException.class,
                () -> kernels.preprocess(java.util.Collections.nCopies(100, rgb1x1()), 8192));
        assertTrue(e.getMessage().contains("100 images of [3, 8192, 8192] need 20132659200 values"), e.getMessage());
    }

    @Test
    void imagesBeyondTheKernelsSideLimitAreNotAcceptedAndNamed() {
        DecodedImage wide = DecodedImage.ofBytes((1 << 20) + 1, 1, PixelMode.RGB, new byte[3 * ((1 << 20) + 1)],
                false, 1);
        DecodedImage widest = DecodedImage.ofBytes(1 << 20, 1, PixelMode.RGB, new byte[3 << 20], false, 1);
        assertFalse(CudaKernels.accepts(wide));
        assertTrue(CudaKernels.accepts(widest));
        KernelException e = assertThrows(KernelException.class,
                () -> CudaKernels.create(KernelBackend.CPU).preprocess(List.of(rgb1x1(), wide), 2));
        assertTrue(e.getMessage().contains("image 1 is 1048577x1, outside [1, 1048576] per side"), e.getMessage());
    }

    /**
     * A TIFF turned on load (Orientation 5..8) is resized by the reference from its stored size, which the kernel
     * does not know: it is left to clip-api's preprocessing, and named if passed anyway.
     */
    @Test
    void imagesTurnedOnLoadAreNotAcceptedAndNamed() {
        DecodedImage stored = DecodedImage.ofBytes(3, 2, PixelMode.RGB, new byte[18], false, 6);
        DecodedImage turned = io.clip4j.image.ExifTransform.transposeOnLoad(stored);
        assertEquals(2, turned.width());
        assertFalse(CudaKernels.accepts(turned));
        assertTrue(CudaKernels.accepts(io.clip4j.image.ExifTransform.apply(turned)));
        KernelException e = assertThrows(KernelException.class,
                () -> CudaKernels.create(KernelBackend.CPU).preprocess(List.of(rgb1x1(), turned), 2));
        assertTrue(e.getMessage().contains("image 1 is 2x3 turned on load from 3x2"), e.getMessage());
    }

    /**
     * The host entry points follow clip-api's Similarity: a zero row scores 0 (uniform probabilities), while NaN or
     * infinity is refused instead of coming back as NaN "probabilities".
     */
    @Test
    void hostScoresRefuseNonFiniteValuesAndKeepZeroRowsAtZero() {
        CudaKernels kernels = CudaKernels.create();
        float[] text = {1, 0, 0, 1, 3, 4};
        float[] logits = kernels.similarity(new float[] {0, 0, 3, 4}, text, 2, 100f);
        float[] want = io.clip4j.math.Similarity.logits(new io.clip4j.Features(new float[] {0, 0, 3, 4}, 2, 2),
                new io.clip4j.Features(text, 3, 2), 100f);
        assertArrayEquals(want, logits, 1e-4f);
        assertArrayEquals(new float[] {0, 0, 0}, java.util.Arrays.copyOf(logits, 3), 0f);
        TopK uniform = kernels.zeroShotTopK(new float[] {0, 0}, text, 2, 100f, 3);
        assertArrayEquals(new int[] {0, 1, 2}, uniform.indices());
        assertArrayEquals(new float[] {1f / 3, 1f / 3, 1f / 3}, uniform.probs(), 1e-7f);

        KernelException e = assertThrows(KernelException.class,
                () -> kernels.softmaxTopK(new float[] {Float.POSITIVE_INFINITY, 1, Float.POSITIVE_INFINITY}, 3, 2));
        assertTrue(e.getMessage().contains("logits[0, 0] is +Inf"), e.getMessage());
        e = assertThrows(KernelException.class, () -> kernels.softmaxTopK(new float[] {1, 2, Float.NaN, 0}, 2, 1));
        assertTrue(e.getMessage().contains("logits[1, 0] is NaN"), e.getMessage());
        e = assertThrows(KernelException.class,
                () -> kernels.similarity(new float[] {Float.NaN, 0}, text, 2, 100f));
        assertTrue(e.getMessage().contains("image_features[0, 0] is NaN"), e.getMessage());
        e = assertThrows(KernelException.class, () -> kernels.zeroShotTopK(new float[] {1, 1},
                new float[] {1, 0, 0, Float.NEGATIVE_INFINITY}, 2, 100f, 2));
        assertTrue(e.getMessage().contains("text_features[1, 1] is -Inf"), e.getMessage());
        e = assertThrows(KernelException.class,
                () -> kernels.zeroShotTopK(new float[] {1, 1}, text, 2, Float.NaN, 2));
        assertTrue(e.getMessage().contains("logit_scale"), e.getMessage());
        // Host memory behind a pointer is checked the same way on the CPU backend.
        try (FloatPointer img = new FloatPointer(Float.NaN, 1f); FloatPointer txt = new FloatPointer(text)) {
            e = assertThrows(KernelException.class, () -> CudaKernels.create(KernelBackend.CPU)
                    .zeroShotTopK(img, 1, txt, 3, 2, 100f, 1));
            assertTrue(e.getMessage().contains("image_features[0, 0] is NaN"), e.getMessage());
        }
    }

    private static DecodedImage rgb1x1() {
        return DecodedImage.ofBytes(1, 1, PixelMode.RGB, new byte[3], false, 1);
    }

    @Test
    void automaticChoiceFallsBackToCpuWithoutAGpu() {
        CudaKernels kernels = CudaKernels.create();
        assertEquals(CudaKernels.cudaAvailable() ? KernelBackend.CUDA : KernelBackend.CPU, kernels.backend());
        if (!CudaKernels.cudaAvailable()) {
            assertThrows(KernelException.class, () -> CudaKernels.create(KernelBackend.CUDA));
            assertFalse(CudaKernels.cudaAvailable(0));
            assertFalse(CudaKernels.unavailableReason(0).isEmpty());
        }
        // A GPU index that cannot exist is never available, and the reason says so.
        assertFalse(CudaKernels.cudaAvailable(4096));
        assertFalse(CudaKernels.unavailableReason(4096).isEmpty());
        assertFalse(CudaKernels.cudaAvailable(-1));
    }

    @Test
    void cudaEqualsCpu() {
        // With -Dclip4j.requireGpu=true a missing GPU (or a library built without nvcc) fails instead of skipping.
        if (Boolean.getBoolean("clip4j.requireGpu")) {
            assertTrue(CudaKernels.cudaAvailable(), "clip4j.requireGpu: " + CudaKernels.unavailableReason(0));
        }
        assumeTrue(CudaKernels.cudaAvailable(), "no CUDA device");
        CudaKernels cpu = CudaKernels.create(KernelBackend.CPU);
        CudaKernels gpu = CudaKernels.create(KernelBackend.CUDA);
        List<DecodedImage> images = List.of(decoded("jpeg_q90"), decoded("exif_orientation6"));
        assertArrayEquals(cpu.preprocess(images, 224), gpu.preprocess(images, 224), 0.0f);
        float[] image = Npy.read(VIT.resolve("image_features.npy")).toFloatArray();
        float[] text = Npy.read(VIT.resolve("text_features.npy")).toFloatArray();
        assertArrayEquals(cpu.similarity(image, text, 64, VIT_LOGIT_SCALE),
                gpu.similarity(image, text, 64, VIT_LOGIT_SCALE), 1e-4f);
        TopK a = cpu.zeroShotTopK(image, text, 64, VIT_LOGIT_SCALE, 3);
        TopK b = gpu.zeroShotTopK(image, text, 64, VIT_LOGIT_SCALE, 3);
        assertArrayEquals(a.probs(), b.probs(), 1e-6f);
        assertArrayEquals(a.indices(), b.indices());
        assertArrayEquals(a.logits(), b.logits(), 1e-4f);
    }
}
