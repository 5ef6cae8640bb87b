package io.clip4j.torch;

import io.clip4j.ClipModel;
import io.clip4j.Device;
import io.clip4j.Features;
import io.clip4j.ImagePipeline;
import io.clip4j.Precision;
import io.clip4j.cuda.KernelBackend;
import io.clip4j.image.ImageDecodeException;
import io.clip4j.image.ImageInput;
import io.clip4j.image.ImagePreprocessor;
import io.clip4j.io.Npy;
import io.clip4j.math.TopK;
import io.clip4j.zeroshot.ZeroShotClassifier;
import io.clip4j.zeroshot.ZeroShotResult;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ImagePipeline#KERNELS} on the CPU (the CPU kernel writing straight into LibTorch's input tensor; on a
 * GPU the same code writes device memory, see {@link CudaParityTest}) against the reference fixtures: the input
 * tensor bit for bit, then image_features and zero-shot top-k end to end from image files.
 */
class KernelImagePipelineTest {
    private static final Path DATA = Path.of(System.getProperty("clip4j.testdata"));
    private static final Path PRE = DATA.resolve("preprocess");

    /** Fixture images of every kind: RGB (kernel) and L, P, RGBA, 16-bit, CMYK (clip-api, copied in). */
    private static final String[][] MIXED = {
            {"astronaut", "images/astronaut.png"}, {"gray_L", "images/gray_L.png"},
            {"chelsea", "images/chelsea.png"}, {"palette_P", "images/palette_P.png"},
            {"rgba_transparent", "images/rgba_transparent.png"}, {"tiny_7x5", "images/tiny_7x5.png"},
            {"wide_1000x50", "images/wide_1000x50.png"}, {"rgb16", "images/rgb16.png"},
            {"cmyk_jpeg", "images/cmyk.jpg"}, {"tiny_1x1", "images/tiny_1x1.png"},
    };

    private static float[] pixelValues(Placement placement, List<ImageInput> inputs) {
        KernelImagePipeline pipeline = KernelImagePipeline.create(ImagePreprocessor.clip(224), placement);
        assertEquals(KernelBackend.CPU, pipeline.backend());
        try (InferenceMode guard = new InferenceMode(); PointerScope scope = new PointerScope()) {
            // 10 inputs: several decode groups (a group is about one image per core, at least 4).
            Tensor t = pipeline.pixelValues(inputs);
            assertEquals(List.of((long) inputs.size(), 3L, 224L, 224L), List.of(t.size(0), t.size(1), t.size(2),
                    t.size(3)));
            assertTrue(Placement.hasType(t, placement.computeType()), "dtype of the compute type");
            return TensorIo.toFloats(t);
        }
    }

    private static float[] reference(String[][] names) {
        int per = 3 * 224 * 224;
        float[] out = new float[names.length * per];
        for (int i = 0; i < names.length; i++) {
            float[] one = Npy.read(PRE.resolve("ref/" + names[i][0] + ".pixel_values.npy")).toFloatArray();
            System.arraycopy(one, 0, out, i * per, per);
        }
        return out;
    }

    private static List<ImageInput> inputs(String[][] names) {
        List<ImageInput> out = new ArrayList<>();
        for (String[] n : names) {
            out.add(ImageInput.of(PRE.resolve(n[1])));
        }
        return out;
    }

    @Test
    void inputTensorIsBitExactWithTheReferenceForEveryImageKind() {
        float[] got = pixelValues(Placement.CPU_FLOAT32, inputs(MIXED));
        assertArrayEquals(reference(MIXED), got, 0f);  // delta 0: exact values
    }

    /**
     * RGB images with a side over the kernel's 1048576 pixels (under the decoders' pixel limit all the same) take
     * the clip-api path like the non-RGB modes: the JAVA pipeline's pixels, not the kernel's size error.
     */
    @Test
    void rgbImagesBeyondTheKernelsSideLimitGetTheJavaPipelinesPixels() {
        java.util.Random random = new java.util.Random(20260412);
        byte[] wide = new byte[3 * 2_000_000];
        byte[] tall = new byte[3 * ((1 << 20) + 1)];
        random.nextBytes(wide);
        random.nextBytes(tall);
        List<ImageInput> inputs = List.of(ImageInput.ofPixels(wide, 2_000_000, 1, io.clip4j.image.PixelMode.RGB),
                ImageInput.of(PRE.resolve("images/astronaut.png")),
                ImageInput.ofPixels(tall, 1, (1 << 20) + 1, io.clip4j.image.PixelMode.RGB));
        float[] want = ImagePreprocessor.clip(224).preprocessBatch(inputs);
        assertArrayEquals(want, pixelValues(Placement.CPU_FLOAT32, inputs), 0f);  // delta 0: exact values
    }

    /**
     * A TIFF turned on load (Orientation 6) is resized from its stored size by the reference, which the kernel does
     * not know: it takes the clip-api path, whose pixels TiffOrientationPreprocessTest checks against the reference.
     */
    @Test
    void tiffsTurnedOnLoadGetTheJavaPipelinesPixels() throws IOException {
        byte[] tiff;
        try (java.io.InputStream in = getClass().getResourceAsStream("/io/clip4j/image/tiff/rgb_orientation6.tif")) {
            assertTrue(in != null, "clip-api test resource rgb_orientation6.tif");
            tiff = in.readAllBytes();
        }
        List<ImageInput> inputs = List.of(ImageInput.of(PRE.resolve("images/astronaut.png")),
                ImageInput.ofEncoded(tiff, "rgb_orientation6.tif"));
        float[] want = ImagePreprocessor.clip(224).preprocessBatch(inputs);
        assertArrayEquals(want, pixelValues(Placement.CPU_FLOAT32, inputs), 0f);  // delta 0: exact values
    }

    @ParameterizedTest
    @ValueSource(strings = {"FLOAT16", "BFLOAT16"})
    void reducedPrecisionInputIsTheReferenceRoundedOnce(String precision) {
        Placement placement = new Placement(Device.CPU, Precision.valueOf(precision));
        float[] got = pixelValues(placement, inputs(MIXED));
        float[] want;
        // image.type(self.dtype) of the reference: the float32 values rounded to the compute type once.
        try (PointerScope scope = new PointerScope()) {
            want = TensorIo.toFloats(TensorIo.floats(reference(MIXED), MIXED.length, 3, 224, 224)
                    .to(placement.computeType()));
        }
        assertArrayEquals(want, got, 0f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-vit", "tiny-rn/state_dict.pt"})
    void encodeImagesAndZeroShotTopKReproduceTheReference(String checkpoint) throws IOException {
        Path path = DATA.resolve("models").resolve(checkpoint);
        Path dir = path.toFile().isDirectory() ? path : path.getParent();
        List<ImageInput> images = ClipModelEndToEndTest.images(dir);
        float[] imageRef = Npy.read(dir.resolve("image_features.npy")).toFloatArray();
        float[] logitsRef = Npy.read(dir.resolve("logits_per_image.npy")).toFloatArray();
        float[] probsRef = Npy.read(dir.resolve("probs.npy")).toFloatArray();
        Features text = new Features(Npy.read(dir.resolve("text_features.npy")).toFloatArray(), 8, 64);
        try (ClipModel model = ClipModel.builder(path).imagePipeline(ImagePipeline.KERNELS).batchSize(3).build()) {
            assertEquals(ImagePipeline.KERNELS, ((TorchClipModel) model).imagePipeline());
            ClipModelEndToEndTest.assertNear(imageRef, model.encodeImages(images).toArray(), "image_features");
            TopK top = model.zeroShotTopK(images, text, 3);
            assertEquals(4, top.rows());
            for (int i = 0; i < 4; i++) {
                for (int r = 0; r < 3; r++) {
                    int col = top.index(i, r);
                    assertEquals(probsRef[i * 8 + col], top.prob(i, r), 1e-5f, "prob " + i + "," + r);
                    assertEquals(logitsRef[i * 8 + col], top.logit(i, r), 1e-4f * 20, "logit " + i + "," + r);
                    if (r > 0) {
                        assertTrue(top.prob(i, r - 1) >= top.prob(i, r), "ranked");
                    }
                }
                // The best column is the reference's best.
                int best = 0;
                for (int j = 1; j < 8; j++) {
                    best = probsRef[i * 8 + j] > probsRef[i * 8 + best] ? j : best;
                }
                assertEquals(best, top.index(i, 0), "top-1 of image " + i);
            }
        }
    }

    @Test
    void classifierTopKEqualsTheFullRankingOnBothPipelines() throws IOException {
        Path dir = DATA.resolve("models/tiny-vit");
        List<ImageInput> images = ClipModelEndToEndTest.images(dir);
        List<String> labels = List.of("diagram", "astronaut", "cat", "coffee", "horse");
        List<String> templates = List.of("a photo of a {}.", "a drawing of a {}.");
        try (ClipModel java = ClipModel.builder(dir).imagePipeline(ImagePipeline.JAVA).build();
             ClipModel fused = ClipModel.builder(dir).imagePipeline(ImagePipeline.KERNELS).build()) {
            ZeroShotClassifier full = java.classifier(labels, templates);
            List<ZeroShotResult> ranked = full.classifyAll(images);
            for (ClipModel model : List.of(java, fused)) {
                List<ZeroShotResult> top = model.classifier(labels, templates).classifyAll(images, 2);
                for (int i = 0; i < images.size(); i++) {
                    assertEquals(2, top.get(i).predictions().size());
                    for (int r = 0; r < 2; r++) {
                        assertEquals(ranked.get(i).predictions().get(r).label(), top.get(i).predictions().get(r).label());
                        assertEquals(ranked.get(i).predictions().get(r).probability(),
                                top.get(i).predictions().get(r).probability(), 1e-5f);
                        assertEquals(ranked.get(i).predictions().get(r).logit(),
                                top.get(i).predictions().get(r).logit(), 1e-3f);
                    }
                }
            }
        }
    }

    @Test
    void autoPicksKernelsOnAGpuOnly() throws IOException {
        assertEquals(ImagePipeline.JAVA, ImagePipeline.AUTO.resolve(false));
        assertEquals(ImagePipeline.KERNELS, ImagePipeline.AUTO.resolve(true));
        assertEquals(ImagePipeline.KERNELS, ImagePipeline.KERNELS.resolve(false));
        assertEquals(ImagePipeline.JAVA, ImagePipeline.JAVA.resolve(true));
        try (ClipModel model = ClipModel.builder(DATA.resolve("models/tiny-vit")).build()) {
            assertEquals(ImagePipeline.JAVA, ((TorchClipModel) model).imagePipeline(), "AUTO on the CPU");
            assertFalse(((TorchClipModel) model).kernelsOnGpu());
        }
    }

    @Test
    void repeatedCallsFreeEveryNativeObject() throws IOException {
        Path dir = DATA.resolve("models/tiny-vit");
        List<ImageInput> images = ClipModelEndToEndTest.images(dir);
        Features text = new Features(Npy.read(dir.resolve("text_features.npy")).toFloatArray(), 8, 64);
        try (ClipModel model = ClipModel.builder(dir).imagePipeline(ImagePipeline.KERNELS).batchSize(3).build()) {
            model.encodeImages(images);
            model.zeroShotTopK(images, text, 2);
            long count = org.bytedeco.javacpp.Pointer.totalCount();
            long bytes = org.bytedeco.javacpp.Pointer.totalBytes();
            for (int i = 0; i < 10; i++) {
                model.encodeImages(images);
                model.zeroShotTopK(images, text, 2);
            }
            // Input tensors, pixel copies, pointer arrays and feature tensors of those calls are all freed.
            assertEquals(count, org.bytedeco.javacpp.Pointer.totalCount());
            assertEquals(bytes, org.bytedeco.javacpp.Pointer.totalBytes());
        }
    }

    /**
     * A checkpoint whose visual projection is zero gives all-zero image_features. The JAVA pipeline refused them;
     * the kernels pipeline scored them as a uniform softmax (its kernel keeps zero rows zero), silently.
     */
    @Test
    void allZeroImageFeaturesAreRefusedByBothPipelines(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path dir = DATA.resolve("models/tiny-vit");
        java.util.Map<String, io.clip4j.checkpoint.TensorData> tensors = new java.util.LinkedHashMap<>(
                io.clip4j.checkpoint.CheckpointReader.read(dir.resolve("model.safetensors")).asMap());
        io.clip4j.checkpoint.TensorData proj = tensors.get("visual.proj");
        tensors.put("visual.proj", new io.clip4j.checkpoint.TensorData(proj.dtype(), proj.shape(),
                java.nio.ByteBuffer.allocate(proj.data().remaining())));
        Path zeroProj = tmp.resolve("zero-proj.safetensors");
        io.clip4j.checkpoint.SafetensorsWriter.write(zeroProj, tensors, java.util.Map.of());
        List<ImageInput> images = ClipModelEndToEndTest.images(dir);
        Features text = new Features(Npy.read(dir.resolve("text_features.npy")).toFloatArray(), 8, 64);
        for (ImagePipeline pipeline : new ImagePipeline[] {ImagePipeline.JAVA, ImagePipeline.KERNELS}) {
            try (ClipModel model = ClipModel.builder(zeroProj).imagePipeline(pipeline).batchSize(2).build()) {
                io.clip4j.NonFiniteFeaturesException e = assertThrows(io.clip4j.NonFiniteFeaturesException.class,
                        () -> model.zeroShotTopK(images, text, 2), pipeline.name());
                assertTrue(e.getMessage().startsWith("image_features of image 0 are all zeros"),
                        pipeline + ": " + e.getMessage());
            }
        }
    }

    @Test
    void badInputIsATypedErrorOnTheKernelsPipeline() throws IOException {
        Path dir = DATA.resolve("models/tiny-vit");
        List<ImageInput> images = ClipModelEndToEndTest.images(dir);
        Features text = new Features(Npy.read(dir.resolve("text_features.npy")).toFloatArray(), 8, 64);
        try (ClipModel model = ClipModel.builder(dir).imagePipeline(ImagePipeline.KERNELS).batchSize(16).build()) {
            List<ImageInput> withBad = new ArrayList<>(images);
            withBad.addAll(images);
            withBad.add(5, ImageInput.ofEncoded(new byte[] {1, 2, 3}, "garbage.bin"));
            ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> model.encodeImages(withBad));
            // Position in the list passed to the decoder (the whole batch of 9, not a decode group).
            assertTrue(e.getMessage().contains("garbage.bin") && e.getMessage().contains("batch input 6 of 9"),
                    e.getMessage());
            float[] zeroRow = Npy.read(dir.resolve("text_features.npy")).toFloatArray();
            java.util.Arrays.fill(zeroRow, 3 * 64, 4 * 64, 0f);
            IllegalArgumentException z = assertThrows(IllegalArgumentException.class,
                    () -> model.zeroShotTopK(images, new Features(zeroRow, 8, 64), 2));
            assertTrue(z.getMessage().contains("class embedding 3 is all zeros"), z.getMessage());
            assertThrows(IllegalArgumentException.class, () -> model.zeroShotTopK(images, text, 9));
            assertThrows(IllegalArgumentException.class, () -> model.zeroShotTopK(List.of(), text, 1));
            assertThrows(IllegalArgumentException.class,
                    () -> model.zeroShotTopK(images, new Features(new float[32], 1, 32), 1));
            model.close();
            assertThrows(io.clip4j.ClipException.class, () -> model.encodeImages(images));
        }
    }

    @Test
    void failuresInALaterBatchAreNamedByTheirPlaceInTheList() throws IOException {
        Path dir = DATA.resolve("models/tiny-vit");
        List<ImageInput> images = new ArrayList<>(ClipModelEndToEndTest.images(dir).subList(0, 3));
        images.add(ImageInput.ofEncoded(new byte[] {1, 2, 3}, "garbage.bin"));
        Features text = new Features(Npy.read(dir.resolve("text_features.npy")).toFloatArray(), 8, 64);
        try (ClipModel model = ClipModel.builder(dir).imagePipeline(ImagePipeline.KERNELS).batchSize(2).build()) {
            // The second batch's input 2 is image 4: the message said only "batch input 2 of 2".
            for (org.junit.jupiter.api.function.Executable call : List.<org.junit.jupiter.api.function.Executable>of(
                    () -> model.encodeImages(images), () -> model.zeroShotTopK(images, text, 2))) {
                ImageDecodeException e = assertThrows(ImageDecodeException.class, call);
                assertTrue(e.getMessage().startsWith("images 3 to 4 of 4: batch input 2 of 2: garbage.bin"),
                        e.getMessage());
            }
            List<ImageInput> withNull = new ArrayList<>(images.subList(0, 3));
            withNull.add(null);
            IllegalArgumentException n = assertThrows(IllegalArgumentException.class,
                    () -> model.zeroShotTopK(withNull, text, 2));
            assertEquals("images[3] is null", n.getMessage());
        }
    }
}
