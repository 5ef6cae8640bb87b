package io.clip4j.cuda;

import io.clip4j.image.DecodedImage;
import io.clip4j.image.PixelMode;
import io.clip4j.math.TopK;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CLIP preprocessing and scoring through the native clip4j_kernels library, on the GPU when one is
 * usable and on the CPU otherwise (same results: preprocessing bit for bit, scores within float32
 * rounding). Instances are immutable and thread-safe.
 *
 * <p>All arrays are row-major (C order). Sizes are checked here before any native call, so bad input
 * gives a {@link KernelException} (or {@link IllegalArgumentException} for null arrays), never a crash. The
 * methods that take JavaCPP pointers check them too where JavaCPP knows their size: for memory it allocated
 * or wraps ({@code new FloatPointer(n)}, {@code new BytePointer(array)}) that is the {@link Pointer#limit()}
 * (or, with limit 0, the {@link Pointer#capacity()}) counted from the {@link Pointer#position()}, in the
 * pointer's own elements (JavaCPP copies these counts unchanged into a pointer of another type, so give such a
 * cast its own limit). A foreign address (limit and capacity 0), such as a LibTorch tensor's
 * {@code data_ptr()} and every CUDA device pointer, carries no size: the sizes the caller states are then
 * trusted, and a wrong one reads or writes out of bounds.
 *
 * <p>Host values are checked by the native library: a NaN or infinity in features or logits is a
 * {@link KernelException} naming its position, and a row of zeros is kept as zero (its logits are 0), as
 * {@link io.clip4j.math.Similarity} does. Device memory is not read for such checks (see
 * {@link #zeroShotTopK(FloatPointer, int, FloatPointer, int, int, float, int)}).
 */
public final class CudaKernels {
    private static final Logger LOG = LoggerFactory.getLogger(CudaKernels.class);
    private static final AtomicBoolean CHOICE_LOGGED = new AtomicBoolean();
    /** OpenAI CLIP's Normalize mean / std (R, G, B). */
    private static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    private static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};
    private static final int FLOAT32 = 0;
    private static final int FLOAT16 = 1;
    private static final int OK = 0;
    /** Largest image side the kernel takes (kMaxImageSide of cpp/src/validate.h). */
    private static final int MAX_IMAGE_SIDE = 1 << 20;
    /** Longest Java array the VM allocates reliably (the JDK's own soft limit). */
    private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private final KernelBackend backend;

    private CudaKernels(KernelBackend backend) {
        // Load the native library now, not at the first call: it also carries JavaCPP's own JNI code, without which
        // the pointers a caller allocates for preprocessInto/zeroShotTopK fail ("No native JavaCPP library").
        Loader.load(Clip4jNative.class);
        this.backend = backend;
    }

    /**
     * The GPU implementation if {@link #cudaAvailable()}, else the CPU one; the choice (and why) is
     * logged once per JVM at INFO.
     *
     * @return kernels on the best available backend
     */
    public static CudaKernels create() {
        final boolean gpu = cudaAvailable();
        if (CHOICE_LOGGED.compareAndSet(false, true)) {
            if (gpu) {
                LOG.info("clip4j kernels: using CUDA");
            } else {
                LOG.info("clip4j kernels: using the CPU fallback ({})", Clip4jNative.clip4j_last_error());
            }
        }
        return new CudaKernels(gpu ? KernelBackend.CUDA : KernelBackend.CPU);
    }

    /**
     * Kernels on the given backend.
     *
     * @param backend CPU or CUDA
     * @return kernels on that backend
     * @throws KernelException if CUDA is asked for but not usable (message says why)
     * @throws IllegalArgumentException if {@code backend} is null
     */
    public static CudaKernels create(KernelBackend backend) {
        // A null backend used to give kernels that ran on the CPU while backend() answered null.
        requireNonNull(backend, "backend");
        if (backend == KernelBackend.CUDA && !cudaAvailable()) {
            throw new KernelException("CUDA backend requested but unavailable: " + Clip4jNative.clip4j_last_error());
        }
        return new CudaKernels(backend);
    }

    /**
     * Kernels on the given backend for work on GPU {@code device}: unlike {@link #create(KernelBackend)}, the CUDA
     * check looks at that GPU, not at the calling thread's current one (the device entry points switch to the
     * GPU of their pointers themselves).
     *
     * @param backend CPU or CUDA
     * @param device  CUDA device index the memory will live on, &ge; 0 (ignored for the CPU)
     * @return kernels on that backend
     * @throws KernelException if CUDA is asked for but not usable on that GPU (message says why)
     * @throws IllegalArgumentException if {@code backend} is null
     */
    public static CudaKernels create(KernelBackend backend, int device) {
        requireNonNull(backend, "backend");
        if (backend == KernelBackend.CUDA && !cudaAvailable(device)) {
            throw new KernelException("CUDA backend requested but unavailable on GPU " + device + ": "
                    + Clip4jNative.clip4j_last_error());
        }
        return new CudaKernels(backend);
    }

    /**
     * Whether the native library was built with CUDA and a driver plus an sm_80+ device are present
     * (clip4j_cuda_available).
     *
     * @return true if {@link KernelBackend#CUDA} can be used
     */
    public static boolean cudaAvailable() {
        return Clip4jNative.clip4j_cuda_available() == 1;
    }

    /**
     * Whether the {@link KernelBackend#CUDA} backend can work on GPU {@code device}, the one holding the memory
     * it is given (clip4j_cuda_device_available).
     *
     * @param device CUDA device index, &ge; 0
     * @return true if the library was built with CUDA and that GPU exists with compute capability &ge; 8.0
     */
    public static boolean cudaAvailable(int device) {
        return Clip4jNative.clip4j_cuda_device_available(device) == 1;
    }

    /**
     * Explains why CUDA kernels cannot run on a device.
     *
     * @param device CUDA device index, &ge; 0
     * @return why {@link #cudaAvailable(int)} is false (no CUDA build, no driver, driver too old for the
     *         library's CUDA runtime, no such GPU, compute capability below 8.0), or "" when it is true
     */
    public static String unavailableReason(int device) {
        return cudaAvailable(device) ? "" : Clip4jNative.clip4j_last_error();
    }

    /** {@return the backend every call of this instance runs on} */
    public KernelBackend backend() {
        return backend;
    }

    /**
     * CLIP's {@code _transform(nPx)} (Resize bicubic, CenterCrop, ToTensor, Normalize with CLIP's
     * mean/std) of a batch of 8-bit RGB images, reproducing Pillow 9.4 exactly.
     *
     * @param images decoded images in mode {@link PixelMode#RGB} (convert other modes first), not
     *               palette/bilevel sources ({@code nearestOnly}), each side in [1, 1048576]
     * @param nPx    output side, in [1, 8192]
     * @return pixel_values float32 [images.size(), 3, nPx, nPx] (NCHW)
     * @throws KernelException if an image is not plain RGB or is turned on load (its opened size is not its size; see
     *                         {@link #accepts}), a size is out of range, or the batch has more
     *                         values than a Java array holds (about 2^31; use {@link #preprocessInto} or smaller
     *                         batches)
     */
    public float[] preprocess(List<DecodedImage> images, int nPx) {
        final Sizes sizes = checkImages(images, nPx);
        final float[] out = new float[arrayLength("preprocess: " + sizes.count() + " images of [3, " + nPx + ", "
                + nPx + "]", (long) sizes.count() * 3 * nPx * nPx)];
        withPixelPointers(images, pointers -> backend == KernelBackend.CUDA
                ? Clip4jNative.clip4j_preprocess_cuda(pointers, sizes.widths(), sizes.heights(), sizes.count(), nPx,
                        MEAN, STD, FLOAT32, out, null)
                : Clip4jNative.clip4j_preprocess_cpu(pointers, sizes.widths(), sizes.heights(), sizes.count(), nPx,
                        MEAN, STD, FLOAT32, out, null));
        return out;
    }

    /**
     * The fused preprocessing of {@link #preprocess} written into caller-owned memory, e.g. a LibTorch
     * tensor's {@code data_ptr()}: on the {@link KernelBackend#CUDA} backend {@code out} must be CUDA device
     * memory (the result never passes through the host; the call returns once it is complete, having queued
     * its work on the legacy default stream that LibTorch uses), on the {@link KernelBackend#CPU} backend host
     * memory.
     *
     * @param images   decoded images in mode {@link PixelMode#RGB}, not palette/bilevel sources
     * @param nPx      output side, in [1, 8192]
     * @param mean     Normalize mean (R, G, B), 3 finite values
     * @param std      Normalize std (R, G, B), 3 finite values &gt; 0
     * @param half     true for float16 output (rounded to nearest even from the float32 value), false for float32
     * @param out      where {@code [images.size(), 3, nPx, nPx]} NCHW values go; its position is a byte offset.
     *                 When JavaCPP knows its size (see the class comment) that must hold the batch as well; a
     *                 device pointer or LibTorch {@code data_ptr()} has none, so {@code outBytes} is trusted
     * @param outBytes bytes available at {@code out} (from its position), at least the batch's size
     * @throws KernelException if an image is not plain RGB or is turned on load (see {@link #accepts}), a size is out
     *                         of range, {@code outBytes} or the known
     *                         size of {@code out} is too small, {@code out} is null or has a negative position, or
     *                         (CUDA) {@code out} is not device memory
     * @throws IllegalArgumentException if {@code images} or {@code out} is null
     */
    public void preprocessInto(List<DecodedImage> images, int nPx, float[] mean, float[] std, boolean half,
                               BytePointer out, long outBytes) {
        final Sizes sizes = checkImages(images, nPx);
        requireNonNull(out, "out");
        if (mean == null || std == null || mean.length != 3 || std.length != 3) {
            throw new KernelException("preprocessInto: mean and std need 3 values each");
        }
        if (out.isNull()) {
            throw new KernelException("preprocessInto: out is a null pointer");
        }
        final long need = (long) sizes.count() * 3 * nPx * nPx * (half ? 2 : 4);
        if (outBytes < need) {
            throw new KernelException("preprocessInto: out holds " + outBytes + " bytes, the batch needs " + need);
        }
        // outBytes is only the caller's word; the CPU kernel would write `need` bytes whatever it says.
        requireElements("preprocessInto", "out", out, need, "bytes");
        final int dtype = half ? FLOAT16 : FLOAT32;
        withPixelPointers(images, pointers -> backend == KernelBackend.CUDA
                ? Clip4jNative.clip4j_preprocess_cuda_device(pointers, sizes.widths(), sizes.heights(), sizes.count(),
                        nPx, mean, std, dtype, out, outBytes, null)
                : Clip4jNative.clip4j_preprocess_cpu(pointers, sizes.widths(), sizes.heights(), sizes.count(), nPx,
                        mean, std, dtype, out, null));
    }

    private record Sizes(int count, int[] widths, int[] heights) {
    }

    private static Sizes checkImages(List<DecodedImage> images, int nPx) {
        requireNonNull(images, "images");
        if (images.isEmpty()) {
            throw new KernelException("preprocess: images is empty");
        }
        final int count = images.size();
        final int[] widths = new int[count];
        final int[] heights = new int[count];
        for (int i = 0; i < count; i++) {
            final DecodedImage img = images.get(i);
            if (!takesMode(img)) {
                throw new KernelException("preprocess: image " + i + " must be a non-palette RGB image, got "
                        + (img == null ? "null" : img.mode() + (img.nearestOnly() ? " (palette/bilevel source)" : "")));
            }
            if (!takesSize(img)) {
                throw new KernelException("preprocess: image " + i + " is " + img.width() + "x" + img.height()
                        + ", outside [1, " + MAX_IMAGE_SIDE + "] per side");
            }
            if (!takesGeometry(img)) {
                throw new KernelException("preprocess: image " + i + " is " + img.width() + "x" + img.height()
                        + " turned on load from " + img.openedWidth() + "x" + img.openedHeight() + " (a TIFF"
                        + " Orientation tag), whose resize the reference computes from the stored size");
            }
            widths[i] = img.width();
            heights[i] = img.height();
        }
        if (nPx < 1 || nPx > 8192) {
            throw new KernelException("preprocess: nPx must be in [1, 8192], got " + nPx);
        }
        return new Sizes(count, widths, heights);
    }

    /**
     * Whether the fused preprocessing takes an image as it is: the reference resizes in the image's own mode
     * and converts to RGB afterwards, so only plain RGB images (not palette/bilevel sources, which Pillow
     * resizes with nearest) go through the kernel unchanged, and only with both sides within the kernel's
     * limit, and not turned on load (a TIFF whose Orientation tag swaps the axes: the reference computes its
     * resize from the stored size, see {@link DecodedImage#openedWidth()}). Callers preprocess the others with
     * clip-api's {@code ImagePreprocessor}, which gives the same pixels.
     *
     * @param image a decoded image, may be null
     * @return true for a non-null, non-palette {@link PixelMode#RGB} image with each side in [1, 1048576] whose
     *         opened size is its size
     */
    public static boolean accepts(DecodedImage image) {
        return takesMode(image) && takesSize(image) && takesGeometry(image);
    }

    private static boolean takesGeometry(DecodedImage image) {
        return image.openedWidth() == image.width() && image.openedHeight() == image.height();
    }

    private static boolean takesMode(DecodedImage image) {
        return image != null && image.mode() == PixelMode.RGB && !image.nearestOnly();
    }

    private static boolean takesSize(DecodedImage image) {
        return image.width() >= 1 && image.width() <= MAX_IMAGE_SIDE && image.height() >= 1
                && image.height() <= MAX_IMAGE_SIDE;
    }

    private interface NativeCall {
        int run(PointerPointer<BytePointer> pointers);
    }

    // Native copies of the pixel arrays for the duration of one call.
    private static void withPixelPointers(List<DecodedImage> images, NativeCall call) {
        final int count = images.size();
        final BytePointer[] pixels = new BytePointer[count];
        try (PointerPointer<BytePointer> pointers = new PointerPointer<>(count)) {
            for (int i = 0; i < count; i++) {
                pixels[i] = new BytePointer(images.get(i).data());
                pointers.put(i, pixels[i]);
            }
            check(call.run(pointers));
        } finally {
            for (BytePointer p : pixels) {
                if (p != null) {
                    p.close();
                }
            }
        }
    }

    /**
     * CLIP's logits_per_image: {@code logitScale * normalize(imageFeatures) . normalize(textFeatures)^T}. A row of
     * zeros stays zero, so its logits are 0 (like {@link io.clip4j.math.Similarity#logits}).
     *
     * @param imageFeatures image_features float32 [n, embedDim], finite
     * @param textFeatures  text_features float32 [m, embedDim], finite
     * @param embedDim      embed_dim, &gt;= 1, dividing both lengths
     * @param logitScale    the multiplier {@code logit_scale.exp()}, finite
     * @return logits_per_image float32 [n, m]
     * @throws KernelException on inconsistent sizes, more than about 2^31 logits, a non-finite logitScale, or a NaN
     *                         or infinite feature (the message names its row and column)
     * @throws IllegalArgumentException if an array is null
     */
    public float[] similarity(float[] imageFeatures, float[] textFeatures, int embedDim, float logitScale) {
        final int n = rows("image_features", imageFeatures, embedDim);
        final int m = rows("text_features", textFeatures, embedDim);
        final float[] out = new float[arrayLength("similarity: [" + n + ", " + m + "] logits", (long) n * m)];
        check(backend == KernelBackend.CUDA
                ? Clip4jNative.clip4j_similarity_cuda(imageFeatures, n, textFeatures, m, embedDim, logitScale, out)
                : Clip4jNative.clip4j_similarity_cpu(imageFeatures, n, textFeatures, m, embedDim, logitScale, out));
        return out;
    }

    /**
     * Row softmax then top-k ({@code logits.softmax(-1).topk(k)}), like
     * {@link io.clip4j.math.Similarity#softmaxTopK}.
     *
     * @param logits float32 [n, m], finite
     * @param m      columns, &gt;= 1, dividing logits.length
     * @param k      1 &lt;= k &lt;= m
     * @return the k most probable columns of every row
     * @throws KernelException on inconsistent sizes, k out of range, or a NaN or infinite logit (the message names
     *                         its row and column)
     * @throws IllegalArgumentException if {@code logits} is null
     */
    public TopK softmaxTopK(float[] logits, int m, int k) {
        final int n = rows("logits", logits, m);
        checkK(k, m);
        final float[] probs = new float[Math.multiplyExact(n, k)];
        final int[] indices = new int[probs.length];
        check(backend == KernelBackend.CUDA
                ? Clip4jNative.clip4j_softmax_topk_cuda(logits, n, m, k, null, probs, indices)
                : Clip4jNative.clip4j_softmax_topk_cpu(logits, n, m, k, null, probs, indices));
        final float[] picked = new float[probs.length];
        for (int i = 0; i < picked.length; i++) {
            picked[i] = logits[(i / k) * m + indices[i]];
        }
        return new TopK(n, k, probs, indices, picked);
    }

    /**
     * Zero-shot classification: {@link #similarity} then {@link #softmaxTopK} in one native call (on
     * CUDA the [n, m] matrices stay on the device). An image row of zeros gets uniform probabilities
     * {@code 1/m}, as with {@link io.clip4j.math.Similarity}.
     *
     * @param imageFeatures image_features float32 [n, embedDim], finite
     * @param textFeatures  text_features float32 [m, embedDim] (one row per class prompt), finite
     * @param embedDim      embed_dim, &gt;= 1
     * @param logitScale    {@code logit_scale.exp()}, finite, at most 1e30 in magnitude (larger ones could overflow
     *                      the logits)
     * @param k             1 &lt;= k &lt;= m
     * @return the k most probable classes of every image
     * @throws KernelException on inconsistent sizes, k out of range, more than about 2^31 picks, a non-finite
     *                         logitScale or one beyond 1e30, or a NaN or infinite feature (the message names its row
     *                         and column)
     * @throws IllegalArgumentException if an array is null
     */
    public TopK zeroShotTopK(float[] imageFeatures, float[] textFeatures, int embedDim, float logitScale, int k) {
        final int n = rows("image_features", imageFeatures, embedDim);
        final int m = rows("text_features", textFeatures, embedDim);
        checkK(k, m);
        final float[] probs = new float[arrayLength("zeroShotTopK: [" + n + ", " + k + "] picks", (long) n * k)];
        final int[] indices = new int[probs.length];
        final float[] logits = new float[probs.length];
        check(backend == KernelBackend.CUDA
                ? Clip4jNative.clip4j_zero_shot_topk_cuda(imageFeatures, n, textFeatures, m, embedDim, logitScale, k,
                        probs, indices, logits)
                : Clip4jNative.clip4j_zero_shot_topk_cpu(imageFeatures, n, textFeatures, m, embedDim, logitScale, k,
                        probs, indices, logits));
        return new TopK(n, k, probs, indices, logits);
    }

    /**
     * {@link #zeroShotTopK(float[], float[], int, float, int)} on features in caller-owned memory, e.g. the
     * image tower's output tensor and the class embeddings as LibTorch tensors: on the
     * {@link KernelBackend#CUDA} backend both must be CUDA device memory on one GPU (only the {@code [n, k]}
     * result comes back to the host), on the {@link KernelBackend#CPU} backend host memory.
     *
     * <p>On the CPU backend the values are checked as in the array version. Device memory is not read on the
     * host, so on the CUDA backend a NaN or infinity is not refused: one in image row {@code i} makes that row's
     * probabilities NaN, one in {@code textFeatures} every row's (NaN ranks first, lower columns first, so each
     * row still names k distinct columns); check the probabilities when the features may not be finite. A row
     * of zeros stays zero on both backends.
     *
     * @param imageFeatures float32 {@code [n, embedDim]} C-contiguous from its position: {@code n * embedDim}
     *                      floats, checked where JavaCPP knows the pointer's size (see the class comment) and
     *                      trusted for device memory or a LibTorch {@code data_ptr()}
     * @param n             image rows, &ge; 1
     * @param textFeatures  float32 {@code [m, embedDim]} C-contiguous, raw or normalised; sized like
     *                      {@code imageFeatures}: {@code m * embedDim} floats
     * @param m             text rows (classes), &ge; 1
     * @param embedDim      embed_dim, &ge; 1
     * @param logitScale    {@code logit_scale.exp()}, finite, at most 1e30 in magnitude (larger ones could overflow
     *                      the logits)
     * @param k             1 &lt;= k &lt;= m
     * @return the k most probable columns of every image, with their logits
     * @throws KernelException on bad sizes, a pointer whose known size is too small, a null pointer, a pointer with
     *                         a negative position, k out of range, more than about 2^31 picks, a logitScale beyond 1e30,
     *                         (CPU) a non-finite feature, or (CUDA) pointers
     *                         that are not device memory
     * @throws IllegalArgumentException if a pointer object is null
     */
    public TopK zeroShotTopK(FloatPointer imageFeatures, int n, FloatPointer textFeatures, int m, int embedDim,
                             float logitScale, int k) {
        requireNonNull(imageFeatures, "imageFeatures");
        requireNonNull(textFeatures, "textFeatures");
        if (n < 1 || m < 1 || embedDim < 1) {
            throw new KernelException("zeroShotTopK: n, m and embedDim must be >= 1, got " + n + ", " + m + ", "
                    + embedDim);
        }
        requireElements("zeroShotTopK", "imageFeatures [" + n + ", " + embedDim + "]", imageFeatures,
                (long) n * embedDim, "floats");
        requireElements("zeroShotTopK", "textFeatures [" + m + ", " + embedDim + "]", textFeatures,
                (long) m * embedDim, "floats");
        checkK(k, m);
        final float[] probs = new float[arrayLength("zeroShotTopK: [" + n + ", " + k + "] picks", (long) n * k)];
        final int[] indices = new int[probs.length];
        final float[] logits = new float[probs.length];
        check(backend == KernelBackend.CUDA
                ? Clip4jNative.clip4j_zero_shot_topk_cuda_device(imageFeatures, n, textFeatures, m, embedDim,
                        logitScale, k, probs, indices, logits, null)
                : Clip4jNative.clip4j_zero_shot_topk_cpu(imageFeatures, n, textFeatures, m, embedDim, logitScale, k,
                        probs, indices, logits));
        return new TopK(n, k, probs, indices, logits);
    }

    // Rows of a row-major matrix with `cols` columns; the native side only sees pointers, so lengths are checked here.
    private static int rows(String name, float[] values, int cols) {
        requireNonNull(values, name);
        if (cols < 1) {
            throw new KernelException(name + ": column count must be >= 1, got " + cols);
        }
        if (values.length == 0 || values.length % cols != 0) {
            throw new KernelException(name + ": length " + values.length + " is not a positive multiple of " + cols);
        }
        return values.length / cols;
    }

    /**
     * Rejects a pointer JavaCPP knows to be smaller than {@code need} elements from its position; a size of 0 for
     * both limit and capacity means unknown (a foreign address), which is left to the caller's word.
     */
    private static void requireElements(String call, String name, Pointer pointer, long need, String unit) {
        // JavaCPP passes address + position * size unchecked: a negative position reaches before the memory, and the
        // size check below would even count it as room (the native code wrote there and corrupted the heap).
        if (pointer.position() < 0) {
            throw new KernelException(call + ": " + name + " has a negative position " + pointer.position());
        }
        final long end = pointer.limit() > 0 ? pointer.limit() : pointer.capacity();
        if (end > 0 && end - pointer.position() < need) {
            throw new KernelException(call + ": " + name + " needs " + need + " " + unit + ", the pointer holds "
                    + Math.max(0, end - pointer.position()) + " from position " + pointer.position());
        }
    }

    // The length of a result array, or a KernelException naming the sizes where Java cannot allocate it.
    private static int arrayLength(String what, long length) {
        if (length > MAX_ARRAY_LENGTH) {
            throw new KernelException(what + " need " + length + " values, more than a Java array holds ("
                    + MAX_ARRAY_LENGTH + ")");
        }
        return (int) length;
    }

    private static void checkK(int k, int m) {
        if (k < 1 || k > m) {
            throw new KernelException("k must be in [1, m=" + m + "], got " + k);
        }
    }

    private static void requireNonNull(Object value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is null");
        }
    }

    private static void check(int status) {
        if (status != OK) {
            throw new KernelException(Clip4jNative.clip4j_last_error());
        }
    }
}
