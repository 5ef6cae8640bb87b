package io.clip4j.torch;

import io.clip4j.ClipConfig;
import io.clip4j.ClipException;
import io.clip4j.ClipModel;
import io.clip4j.Device;
import io.clip4j.Features;
import io.clip4j.Precision;
import io.clip4j.checkpoint.CheckpointReader;
import io.clip4j.checkpoint.ConfigInference;
import io.clip4j.checkpoint.StateDict;
import io.clip4j.io.Npy;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine on a real GPU (cuda:0) against the float32 reference fixtures, with the bounds of
 * {@link PrecisionTest}. Runs only where LibTorch sees a GPU, i.e. with the {@code -Pcuda} natives on a machine
 * with an NVIDIA driver; skipped elsewhere. FLOAT32 uses the float16 bound (u = 2^-11), not the fixtures'
 * 1e-4: LibTorch lets cuDNN run float32 convolutions (conv1 of both towers) in TF32, whose 10-bit mantissa has
 * float16's rounding.
 */
@EnabledIf("gpuAvailable")
class CudaParityTest {
    private static final Path MODELS = Path.of(System.getProperty("clip4j.testdata")).resolve("models");

    /** With {@code -Dclip4j.requireGpu=true} a missing GPU fails the run instead of skipping these tests. */
    static boolean gpuAvailable() {
        boolean available;
        try {
            NativeLibraries.ensureLoaded();
            available = NativeLibraries.cudaNatives() && torch.cuda_is_available();
        } catch (ClipException e) {
            available = false;
        }
        if (!available && Boolean.getBoolean("clip4j.requireGpu")) {
            throw new IllegalStateException("clip4j.requireGpu is set but LibTorch sees no GPU (cuda natives loaded: "
                    + NativeLibraries.cudaNatives() + "); build with -Pcuda on a machine with an NVIDIA driver");
        }
        return available;
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "tiny-vit, FLOAT32", "tiny-vit, FLOAT16", "tiny-vit, BFLOAT16",
            "tiny-rn, FLOAT32", "tiny-rn, FLOAT16", "tiny-rn, BFLOAT16",
    })
    void gpuFeaturesMatchTheReference(String model, Precision precision) {
        Path dir = MODELS.resolve(model);
        Path source = dir.resolve("state_dict.pt");
        StateDict sd = CheckpointReader.read(source);
        ClipConfig config = ConfigInference.infer(sd, source);
        Npy pixels = Npy.read(dir.resolve("pixel_values.npy"));
        Npy ids = Npy.read(dir.resolve("input_ids.npy"));
        double u = precision == Precision.BFLOAT16 ? 0x1p-8 : 0x1p-11;
        String label = model + " cuda:0 " + precision;
        try (TorchClip clip = TorchClip.create(sd, config, 0, Device.cuda(0), precision)) {
            assertEquals(Device.cuda(0), clip.device());
            float[] image = clip.encodeImage(pixels.toFloatArray(), (int) pixels.shape()[0]);
            float[] text = clip.encodeText(ids.toLongArray(), (int) ids.shape()[0]);
            int d = config.embedDim();
            PrecisionTest.check(label, "image_features", Npy.read(dir.resolve("image_features.npy")).toFloatArray(),
                    image, d, u);
            PrecisionTest.check(label, "text_features", Npy.read(dir.resolve("text_features.npy")).toFloatArray(),
                    text, d, u);
            float expected = (float) Math.exp(Double.parseDouble(PrecisionTest.metaField(dir, "logit_scale")));
            assertEquals(expected, clip.logitScale(), 1e-5f * expected, label + " logit_scale");
        }
    }

    /**
     * The end-to-end GPU path: image files decoded on CPU threads, the fused kernel writing the batch into GPU
     * memory that the tower reads directly (when the kernels library can use this GPU; otherwise the CPU kernel
     * and one upload), then the fused zero-shot top-k on the device features.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"tiny-vit, FLOAT32", "tiny-vit, FLOAT16", "tiny-rn/state_dict.pt, BFLOAT16"})
    void kernelsPipelineRunsEndToEndOnTheGpu(String checkpoint, Precision precision) throws Exception {
        Path path = MODELS.resolve(checkpoint);
        Path dir = path.toFile().isDirectory() ? path : path.getParent();
        double u = precision == Precision.BFLOAT16 ? 0x1p-8 : 0x1p-11;
        String label = checkpoint + " cuda:0 " + precision + " kernels";
        try (ClipModel m = ClipModel.builder(path).device(Device.cuda(0)).precision(precision).build()) {
            assertEquals(io.clip4j.ImagePipeline.KERNELS, ((TorchClipModel) m).imagePipeline(), "AUTO on a GPU");
            assertTrue(((TorchClipModel) m).kernelsOnGpu(), "the clip4j kernels run on the GPU, not the CPU fallback: "
                    + io.clip4j.cuda.CudaKernels.unavailableReason(0));
            java.util.List<io.clip4j.image.ImageInput> images = ClipModelEndToEndTest.images(dir);
            Features f = m.encodeImages(images);
            PrecisionTest.check(label, "image_features", Npy.read(dir.resolve("image_features.npy")).toFloatArray(),
                    f.toArray(), f.dim(), u);
            Features text = new Features(Npy.read(dir.resolve("text_features.npy")).toFloatArray(), 8, f.dim());
            io.clip4j.math.TopK top = m.zeroShotTopK(images, text, 8);
            // The same model on the JAVA pipeline: its pixels are bit-identical (float32 uploaded, cast on the
            // device), so only the scoring differs (device kernel vs host double sums).
            try (ClipModel java = ClipModel.builder(path).device(Device.cuda(0)).precision(precision)
                    .imagePipeline(io.clip4j.ImagePipeline.JAVA).build()) {
                // Same input bits; cuDNN may pick other (non-deterministic) algorithms per call, hence a tolerance.
                org.junit.jupiter.api.Assertions.assertArrayEquals(java.encodeImages(images).toArray(), f.toArray(),
                        1e-3f, label + " image_features match the JAVA pipeline's");
                io.clip4j.math.TopK ref = java.zeroShotTopK(images, text, 8);
                for (int i = 0; i < images.size(); i++) {
                    for (int r = 0; r < 8; r++) {
                        assertEquals(ref.prob(i, r), top.prob(i, r), 1e-4, label + " prob " + i + "," + r);
                        assertEquals(ref.logit(i, r), top.logit(i, r), 1e-3, label + " logit " + i + "," + r);
                        if (r > 0) {
                            assertTrue(top.prob(i, r - 1) >= top.prob(i, r), label + " ranked");
                        }
                    }
                }
            }
        }
    }

    @Test
    void publicApiRunsOnTheGpuAndRejectsAMissingIndex() {
        Path vit = MODELS.resolve("tiny-vit");
        try (ClipModel m = ClipModel.builder(vit).device(Device.cuda(0)).precision(Precision.FLOAT16).build()) {
            Npy ids = Npy.read(vit.resolve("input_ids.npy"));
            Features f = m.encodeTokens(ids.toLongArray(), (int) ids.shape()[0]);
            PrecisionTest.check("ClipModel cuda:0 FLOAT16", "text_features",
                    Npy.read(vit.resolve("text_features.npy")).toFloatArray(), f.toArray(), f.dim(), 0x1p-11);
        }
        int count = Byte.toUnsignedInt(torch.cuda_device_count());
        ClipException e = assertThrows(ClipException.class,
                () -> ClipModel.builder(vit).device(Device.cuda(count)).build());
        assertTrue(e.getMessage().contains("device index " + count + " out of range (" + count + " GPU"),
                e.getMessage());
    }
}
