package io.clip4j.torch;

import io.clip4j.ClipException;
import io.clip4j.Precision;
import io.clip4j.cuda.CudaKernels;
import io.clip4j.cuda.KernelBackend;
import io.clip4j.image.DecodedImage;
import io.clip4j.image.ImageInput;
import io.clip4j.image.ImagePreprocessor;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

/**
 * The image half of {@link io.clip4j.ImagePipeline#KERNELS}: images are decoded on CPU threads, a group of
 * about one image per core at a time (so only that many full-size images are held), and clip-cuda's fused
 * preprocessing writes each group straight into the memory of the image tower's input tensor. On a CUDA device
 * the tensor is allocated on the GPU and filled there (no host copy); otherwise it is a host tensor filled by the
 * CPU kernel, one image per task on the common pool. Images the kernel does not take as they are (palette,
 * greyscale, alpha, CMYK, 16-bit greyscale: the reference resizes them in their own mode; and RGB images with a
 * side over the kernel's 1048576 pixels, which the decoders' pixel limit still lets through) are preprocessed by
 * clip-api, in parallel, and copied into their slot, so both pipelines give the same pixels for every image.
 * Immutable and thread-safe.
 */
final class KernelImagePipeline {
    private static final Logger LOG = LoggerFactory.getLogger(KernelImagePipeline.class);
    private static final AtomicBoolean FALLBACK_LOGGED = new AtomicBoolean();

    private final CudaKernels kernels;
    private final ImagePreprocessor preprocessor;
    private final Placement placement;
    private final boolean onGpu;
    private final boolean half;
    private final int group;

    private KernelImagePipeline(CudaKernels kernels, ImagePreprocessor preprocessor, Placement placement) {
        this.kernels = kernels;
        this.preprocessor = preprocessor;
        this.placement = placement;
        this.onGpu = kernels.backend() == KernelBackend.CUDA;
        // The kernel writes float16 itself (rounded from the float32 value, like image.type(torch.half)).
        this.half = placement.precision() == Precision.FLOAT16;
        this.group = Math.max(4, Runtime.getRuntime().availableProcessors());
    }

    /**
     * The pipeline for a model's placement: the CUDA kernels when the model is on a GPU and the kernels
     * library can use that GPU, else the CPU kernel (for a GPU model the batch is then uploaded once; logged
     * once).
     *
     * @param preprocessor the model's preprocessing options (size, mean/std, decoders, EXIF, limits); decoding
     *                     runs on its executor, the CPU kernel tasks on the common ForkJoin pool
     * @param placement    where the image tower runs
     * @return the pipeline
     * @throws ClipException if the clip4j_kernels native library cannot be loaded on this platform
     */
    static KernelImagePipeline create(ImagePreprocessor preprocessor, Placement placement) {
        try {
            boolean cuda = placement.device().isCuda();
            int index = placement.device().index();
            boolean gpu = cuda && CudaKernels.cudaAvailable(index);
            if (cuda && !gpu && FALLBACK_LOGGED.compareAndSet(false, true)) {
                LOG.warn("clip4j kernels cannot use the GPU ({}): images are preprocessed by the CPU kernel and"
                        + " uploaded to {}", CudaKernels.unavailableReason(index), placement.device());
            }
            CudaKernels kernels = CudaKernels.create(gpu ? KernelBackend.CUDA : KernelBackend.CPU, Math.max(0, index));
            return new KernelImagePipeline(kernels, preprocessor, placement);
        } catch (LinkageError e) {
            throw new ClipException("the clip4j kernels library cannot be loaded for platform " + Loader.getPlatform()
                    + " (the clip-cuda jar carries the platform it was built on): " + e, e);
        }
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
     * Decodes and preprocesses a batch into the image tower's input; call inside the caller's PointerScope and
     * InferenceMode.
     *
     * @param inputs the images, at least one
     * @return pixel_values {@code [n, 3, S, S]} on the placement's device in its compute type
     * @throws io.clip4j.image.ImageDecodeException naming the position and input of the first image that cannot
     *                                              be decoded
     */
    Tensor pixelValues(List<ImageInput> inputs) {
        int n = inputs.size();
        int s = preprocessor.size();
        long perImage = 3L * s * s * (half ? 2 : 4);
        TensorOptions options = new TensorOptions(half ? torch.ScalarType.Half : torch.ScalarType.Float);
        if (onGpu) {
            options = options.device(new DeviceOptional(placement.torchDevice()));
        }
        Tensor out = torch.empty(new long[] {n, 3, s, s}, options, new MemoryFormatOptional());
        for (int start = 0; start < n; start += group) {
            List<DecodedImage> decoded = preprocessor.decodeBatch(inputs, start, Math.min(n, start + group));
            fillGroup(out, decoded, start, s, perImage);
        }
        // Host batch for a GPU model (kernels without a usable GPU), or bfloat16: one conversion/upload.
        return placement.upload(out);
    }

    // One decoded group into slots [first, first + size): kernel runs for the images it accepts, clip-api for the rest.
    private void fillGroup(Tensor out, List<DecodedImage> images, int first, int s, long perImage) {
        List<Integer> other = new ArrayList<>();
        int i = 0;
        while (i < images.size()) {
            if (!kernelFits(images.get(i))) {
                other.add(i++);
                continue;
            }
            int end = i;
            while (end < images.size() && kernelFits(images.get(end))) {
                end++;
            }
            fill(out, images, i, end, first, s, perImage);
            i = end;
        }
        if (!other.isEmpty()) {
            // Resampled in their own mode by clip-api (pure Java, so in parallel), then copied in on this thread.
            float[][] values = new float[other.size()][];
            IntStream.range(0, other.size()).parallel()
                    .forEach(j -> values[j] = preprocessor.pixelValues(images.get(other.get(j))));
            for (int j = 0; j < values.length; j++) {
                out.narrow(0, first + other.get(j), 1).copy_(TensorIo.floats(values[j], 1, 3, s, s));
            }
        }
    }

    // The kernel computes CLIP's resize and center crop only: open_clip's squash resize is clip-api's.
    private boolean kernelFits(DecodedImage image) {
        return !preprocessor.squash() && CudaKernels.accepts(image);
    }

    // Images [from, to) of a group into slots first + from ...: one CUDA call, or one CPU task per image.
    private void fill(Tensor out, List<DecodedImage> images, int from, int to, int first, int s, long perImage) {
        float[] mean = preprocessor.mean();
        float[] std = preprocessor.std();
        BytePointer data = new BytePointer(out.data_ptr());
        if (onGpu) {
            kernels.preprocessInto(images.subList(from, to), s, mean, std, half, at(data, (first + from) * perImage),
                    (to - from) * perImage);
            return;
        }
        IntStream.range(from, to).parallel().forEach(j -> kernels.preprocessInto(List.of(images.get(j)), s, mean,
                std, half, at(data, (first + j) * perImage), perImage));
    }

    // A fresh pointer per call (positions are per object), `offset` bytes into the tensor's storage.
    private static BytePointer at(BytePointer data, long offset) {
        return new BytePointer(data).position(offset);
    }
}
