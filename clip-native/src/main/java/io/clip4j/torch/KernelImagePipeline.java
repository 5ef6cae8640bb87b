package io.clip4j.torch;

import io.clip4j.Precision;
import io.clip4j.cuda.CudaKernels;
import io.clip4j.cuda.KernelBackend;
import io.clip4j.image.DecodedImage;
import io.clip4j.image.ImagePreprocessor;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

/**
 * The image half of {@link io.clip4j.ImagePipeline#KERNELS}: decoded images go through clip-cuda's fused
 * preprocessing, which writes the normalised batch straight into the memory of the image tower's input tensor.
 * On a CUDA device the tensor is allocated on the GPU and filled there (no host copy); otherwise it is a host
 * tensor filled by the CPU kernel, one image per task on the common pool. Images the kernel does not take as
 * they are (palette, greyscale, alpha, CMYK, 16-bit: the reference resizes them in their own mode) are
 * preprocessed by clip-api and copied into their slot. Immutable and thread-safe.
 */
final class KernelImagePipeline {
    private static final Logger LOG = LoggerFactory.getLogger(KernelImagePipeline.class);
    private static final AtomicBoolean FALLBACK_LOGGED = new AtomicBoolean();

    private final CudaKernels kernels;
    private final ImagePreprocessor preprocessor;
    private final Placement placement;
    private final boolean onGpu;
    private final boolean half;

    private KernelImagePipeline(CudaKernels kernels, ImagePreprocessor preprocessor, Placement placement) {
        this.kernels = kernels;
        this.preprocessor = preprocessor;
        this.placement = placement;
        this.onGpu = kernels.backend() == KernelBackend.CUDA;
        // The kernel writes float16 itself (rounded from the float32 value, like image.type(torch.half)).
        this.half = placement.precision() == Precision.FLOAT16;
    }

    /**
     * The pipeline for a model's placement: the CUDA kernels when the model is on a GPU and the kernels
     * library can use it, else the CPU kernel (for a GPU model the batch is then uploaded once; logged once).
     *
     * @param preprocessor the model's preprocessing options (size, mean/std, decoders, EXIF, limits); the CPU
     *                     kernel tasks run on the common ForkJoin pool, decoding on the preprocessor's executor
     * @param placement    where the image tower runs
     * @return the pipeline
     */
    static KernelImagePipeline create(ImagePreprocessor preprocessor, Placement placement) {
        boolean cuda = placement.device().isCuda();
        boolean gpu = cuda && CudaKernels.cudaAvailable(placement.device().index());
        if (cuda && !gpu && FALLBACK_LOGGED.compareAndSet(false, true)) {
            LOG.warn("clip4j kernels cannot use the GPU ({}): images are preprocessed by the CPU kernel and"
                    + " uploaded to {}", CudaKernels.unavailableReason(placement.device().index()), placement.device());
        }
        return new KernelImagePipeline(CudaKernels.create(gpu ? KernelBackend.CUDA : KernelBackend.CPU),
                preprocessor, placement);
    }

    /** @return the backend the kernels run on */
    KernelBackend backend() {
        return kernels.backend();
    }

    /** @return true when the kernels run on the GPU (and read/write device memory) */
    boolean onGpu() {
        return onGpu;
    }

    /** @return the kernels (for the scoring half of the pipeline) */
    CudaKernels kernels() {
        return kernels;
    }

    /**
     * Builds the image tower's input; call inside the caller's PointerScope and InferenceMode.
     *
     * @param images decoded as {@link ImagePreprocessor#decode} returns them, at least one
     * @return pixel_values {@code [n, 3, S, S]} on the placement's device in its compute type
     */
    Tensor pixelValues(List<DecodedImage> images) {
        int n = images.size();
        int s = preprocessor.size();
        long perImage = 3L * s * s * (half ? 2 : 4);
        TensorOptions options = new TensorOptions(half ? torch.ScalarType.Half : torch.ScalarType.Float);
        if (onGpu) {
            options = options.device(new DeviceOptional(placement.torchDevice()));
        }
        Tensor out = torch.empty(new long[] {n, 3, s, s}, options, new MemoryFormatOptional());
        float[] mean = preprocessor.mean();
        float[] std = preprocessor.std();
        int i = 0;
        while (i < n) {
            if (!CudaKernels.accepts(images.get(i))) {
                float[] values = preprocessor.pixelValues(images.get(i));
                out.narrow(0, i, 1).copy_(TensorIo.floats(values, 1, 3, s, s));
                i++;
                continue;
            }
            int end = i;
            while (end < n && CudaKernels.accepts(images.get(end))) {
                end++;
            }
            fill(out, images, i, end, s, perImage, mean, std);
            i = end;
        }
        // Host batch for a GPU model (kernels without a usable GPU), or bfloat16: one conversion/upload.
        return placement.upload(out);
    }

    // Images [from, to) into their slots of `out`: one CUDA call, or one CPU task per image.
    private void fill(Tensor out, List<DecodedImage> images, int from, int to, int s, long perImage, float[] mean,
                      float[] std) {
        BytePointer data = new BytePointer(out.data_ptr());
        if (onGpu) {
            kernels.preprocessInto(images.subList(from, to), s, mean, std, half, at(data, from * perImage),
                    (to - from) * perImage);
            return;
        }
        IntStream.range(from, to).parallel().forEach(j -> kernels.preprocessInto(List.of(images.get(j)), s, mean,
                std, half, at(data, j * perImage), perImage));
    }

    // A fresh pointer per call (positions are per object), `offset` bytes into the tensor's storage.
    private static BytePointer at(BytePointer data, long offset) {
        return new BytePointer(data).position(offset);
    }
}
