/*
 * clip4j_kernels: CLIP preprocessing and scoring kernels with a C API.
 *
 * Every operation has a CPU implementation (suffix _cpu) and a CUDA implementation (suffix _cuda)
 * that takes and returns HOST memory and gives the same results (preprocessing bit for bit, scores
 * within float32 rounding). In a library built without CUDA the _cuda functions exist but return
 * CLIP4J_ERR_NO_CUDA ("built without CUDA"); call clip4j_cuda_available() first to fall back cleanly.
 * The host-memory _cuda functions are synchronous. They run on the calling thread's current GPU:
 * cudaSetDevice from any copy of the CUDA runtime (LibTorch's included) selects it, because the
 * current device is the driver context current on the thread (GPU 0 if none was chosen). Their work
 * goes on the per-thread default stream, so concurrent callers do not wait for each other.
 *
 * Errors: every function returns a clip4j_status; on failure a one-line message naming the bad
 * argument is available from clip4j_last_error() on the same thread. Arguments are validated before
 * any work (and before any GPU kernel) starts; outputs are unspecified after a failure.
 * No output may share memory with an input or another output (the byte ranges its shape gives are compared):
 * that is CLIP4J_ERR_INVALID_ARGUMENT, naming both; inputs may share memory with each other.
 *
 * Layouts are C order (last index fastest). Sizes are int32_t; products of sizes may exceed 2^31.
 * Thread safety: all functions may be called concurrently from different threads.
 */
#ifndef CLIP4J_KERNELS_H
#define CLIP4J_KERNELS_H

#include <stdint.h>

#if defined(_WIN32)
#  if defined(CLIP4J_KERNELS_BUILD)
#    define CLIP4J_API __declspec(dllexport)
#  else
#    define CLIP4J_API __declspec(dllimport)
#  endif
#else
#  define CLIP4J_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Version of this header and library (also the CMake package version); MAJOR is the SONAME's. */
#define CLIP4J_KERNELS_VERSION_MAJOR 0
#define CLIP4J_KERNELS_VERSION_MINOR 1
#define CLIP4J_KERNELS_VERSION_PATCH 0

/** Result of every call. */
typedef enum clip4j_status {
    CLIP4J_OK = 0,
    /** A null pointer, a non-positive size, mismatched sizes, k out of [1, m], NaN or infinity in host input,
     * an output overlapping an input or another output, ... */
    CLIP4J_ERR_INVALID_ARGUMENT = 1,
    /** The library was built without CUDA (only returned by the _cuda functions). */
    CLIP4J_ERR_NO_CUDA = 2,
    /** Built with CUDA, but no usable driver/device (compute capability >= 8.0) is present. */
    CLIP4J_ERR_NO_DEVICE = 3,
    /** A CUDA runtime call failed (message carries the CUDA error string). */
    CLIP4J_ERR_CUDA = 4,
    /** Host or device memory could not be allocated. */
    CLIP4J_ERR_OUT_OF_MEMORY = 5,
    /** Not statuses: keep the enum 32-bit and signed, so that every int32 is a valid value of it (in C++ a
     * value outside an enum's range is undefined, and with only MAX its range has no negative values). */
    CLIP4J_STATUS_MIN_ENUM = -0x7FFFFFFF - 1,
    CLIP4J_STATUS_MAX_ENUM = 0x7FFFFFFF
} clip4j_status;

/** Element type of the preprocessed tensor. */
typedef enum clip4j_dtype {
    /** IEEE float32. */
    CLIP4J_FLOAT32 = 0,
    /** IEEE float16 (binary16 bit patterns in uint16_t), rounded to nearest even from the float32 value. */
    CLIP4J_FLOAT16 = 1,
    /** Not dtypes: together they make every int32 (negative ones too) a valid value of the enum, so a wrong one
     * is reported, not undefined. */
    CLIP4J_DTYPE_MIN_ENUM = -0x7FFFFFFF - 1,
    CLIP4J_DTYPE_MAX_ENUM = 0x7FFFFFFF
} clip4j_dtype;

/** Largest |logit_scale| of the zero-shot functions (a trained CLIP's is at most 100). */
#define CLIP4J_MAX_ZERO_SHOT_LOGIT_SCALE 1e30f

/** OpenAI CLIP's Normalize mean and std (R, G, B), as used by clip.load's _transform. */
#define CLIP4J_CLIP_MEAN_R 0.48145466f
#define CLIP4J_CLIP_MEAN_G 0.4578275f
#define CLIP4J_CLIP_MEAN_B 0.40821073f
#define CLIP4J_CLIP_STD_R 0.26862954f
#define CLIP4J_CLIP_STD_G 0.26130258f
#define CLIP4J_CLIP_STD_B 0.27577711f

/**
 * Message of the last failed call on the calling thread ("" after a successful call). Never null.
 * The pointer is the same for every call on a thread and stays readable while the thread lives,
 * but the next clip4j call on this thread (other than this one) replaces the text: copy it first.
 * Messages longer than 1023 bytes are cut.
 */
CLIP4J_API const char* clip4j_last_error(void);

/**
 * The name of a status, e.g. "CLIP4J_ERR_INVALID_ARGUMENT"; "unknown clip4j_status" for other values.
 * A static string, never null. Leaves clip4j_last_error() as it is.
 */
CLIP4J_API const char* clip4j_status_name(clip4j_status status);

/** 1 if this library was compiled with the CUDA implementation, else 0. */
CLIP4J_API int clip4j_built_with_cuda(void);

/**
 * 1 if the _cuda functions can run: built with CUDA, a CUDA driver is installed and the current
 * device has compute capability >= 8.0 (the library carries SASS for sm_80/sm_90 and PTX for
 * compute_90) and supports memory pools (cudaMallocAsync). 0 otherwise; that is an answer, not a
 * failure, but the reason is left in clip4j_last_error().
 */
CLIP4J_API int clip4j_cuda_available(void);

/**
 * 1 if the _cuda functions can run on GPU `device` (built with CUDA, a driver present, the device exists
 * and has compute capability >= 8.0), 0 otherwise, never an error; the reason is left in
 * clip4j_last_error(). For the device-memory functions, which run on the GPU holding their pointers.
 */
CLIP4J_API int clip4j_cuda_device_available(int32_t device);

/**
 * CLIP's image preprocessing (torchvision Resize(n_px, BICUBIC) -> CenterCrop(n_px) -> ToTensor ->
 * Normalize(mean, std) on a Pillow RGB image), fused, for a batch of decoded images of different sizes.
 *
 * Resampling reproduces Pillow 9.4's antialiased bicubic exactly (22-bit fixed-point weights,
 * horizontal pass first with a clamped uint8 intermediate, then vertical); the shorter side becomes
 * n_px and the longer int(n_px * long / short); the crop offsets use Python's round (half to even).
 *
 * Exact for images that are RGB when Pillow opens them (RGB PNG/JPEG, 16-bit RGB PNG reduced to 8 bits).
 * The reference resizes other modes in their own mode before converting to RGB (palette images with
 * nearest, RGBA with premultiplied alpha, L, CMYK, 16-bit greyscale in 32-bit integers), so converting
 * such an image to RGB first and passing it here does NOT reproduce the reference; clip4j's Java side
 * preprocesses them itself (clip-api's ImagePreprocessor).
 *
 * images      count pointers, image i = uint8 [heights[i], widths[i], 3] RGB, rows packed (stride 3*width)
 * widths      count widths in pixels, each in [1, 1048576]
 * heights     count heights in pixels, each in [1, 1048576]
 * count       number of images, >= 1
 * n_px        output side (224, 336, ...), in [1, 8192]
 * mean, std   3 floats each (R, G, B), every std > 0 (e.g. CLIP4J_CLIP_MEAN_R...)
 * dtype       element type of out_pixel_values
 * out_pixel_values  [count, 3, n_px, n_px] NCHW: float32 ((float)u8 / 255.0f - mean[c]) / std[c]
 *                   (true float32 divisions, bit-exact with the reference), or its float16 rounding
 * out_rgb_u8  may be null; else uint8 [count, n_px, n_px, 3]: the image after resize + crop
 *
 * The CPU implementation splits a batch of several images over the machine's hardware threads
 * (std::thread::hardware_concurrency); callers that parallelise themselves pass one image per call.
 * Host outputs need no alignment beyond their element type's natural one.
 */
CLIP4J_API clip4j_status clip4j_preprocess_cpu(const uint8_t* const* images, const int32_t* widths,
        const int32_t* heights, int32_t count, int32_t n_px, const float* mean, const float* std,
        clip4j_dtype dtype, void* out_pixel_values, uint8_t* out_rgb_u8);

/** clip4j_preprocess_cpu on the current CUDA device (host pointers in and out, same results bit for bit). */
CLIP4J_API clip4j_status clip4j_preprocess_cuda(const uint8_t* const* images, const int32_t* widths,
        const int32_t* heights, int32_t count, int32_t n_px, const float* mean, const float* std,
        clip4j_dtype dtype, void* out_pixel_values, uint8_t* out_rgb_u8);

/**
 * CLIP's logits_per_image: logit_scale * (image_features / ||image_features||) . (text_features /
 * ||text_features||)^T, rows L2-normalised like model.py's forward, except that a row of zeros stays zero
 * (model.py's 0/0 would give NaN): its logits are 0, as with clip4j's Java Similarity.
 *
 * image_features float32 [n, d]; text_features float32 [m, d]; n, m, d >= 1; every value finite: a NaN or
 *                infinity is CLIP4J_ERR_INVALID_ARGUMENT, naming its [row, column]
 * logit_scale    the multiplier, i.e. CLIP's logit_scale.exp() (about 100 for trained models), finite
 * out_logits     float32 [n, m] logits_per_image (its transpose is logits_per_text)
 */
CLIP4J_API clip4j_status clip4j_similarity_cpu(const float* image_features, int32_t n,
        const float* text_features, int32_t m, int32_t d, float logit_scale, float* out_logits);

/** clip4j_similarity_cpu on the current CUDA device (host pointers; equal within float32 rounding). */
CLIP4J_API clip4j_status clip4j_similarity_cuda(const float* image_features, int32_t n,
        const float* text_features, int32_t m, int32_t d, float logit_scale, float* out_logits);

/**
 * Row softmax (logits.softmax(dim=-1)) followed by top-k of each row of the probabilities
 * (probs.topk(k)): out_top_probs[i, r] is the r-th largest probability of row i and out_top_indices
 * its column; equal probabilities are ordered by lower column first.
 *
 * logits          float32 [n, m]; n, m >= 1; every value finite (softmax(+Inf, 1, +Inf) is NaN, not a
 *                 probability): a NaN or infinity is CLIP4J_ERR_INVALID_ARGUMENT, naming its [row, column]
 * k               1 <= k <= m
 * out_probs       may be null; else float32 [n, m] all probabilities
 * out_top_probs   float32 [n, k]
 * out_top_indices int32 [n, k], columns in [0, m)
 */
CLIP4J_API clip4j_status clip4j_softmax_topk_cpu(const float* logits, int32_t n, int32_t m, int32_t k,
        float* out_probs, float* out_top_probs, int32_t* out_top_indices);

/** clip4j_softmax_topk_cpu on the current CUDA device (host pointers; out_probs only copied back if non-null). */
CLIP4J_API clip4j_status clip4j_softmax_topk_cuda(const float* logits, int32_t n, int32_t m, int32_t k,
        float* out_probs, float* out_top_probs, int32_t* out_top_indices);

/**
 * Zero-shot classification in one call: clip4j_similarity then clip4j_softmax_topk, returning only
 * the [n, k] results. The features must be finite as for clip4j_similarity; a zero image row gets uniform
 * probabilities 1/m (its logits are 0). |logit_scale| must be at most 1e30 (CLIP4J_MAX_ZERO_SHOT_LOGIT_SCALE):
 * the logits must be finite for the softmax, and near FLT_MAX a cosine rounded above 1 made them infinite and
 * the probabilities NaN. On CUDA the [n, m] logits/probabilities never leave the device (they are
 * processed in row blocks so device memory stays bounded).
 *
 * out_top_logits  may be null; else float32 [n, k]: the logit (logits_per_image entry) of each
 *                 selected column, so callers can report both probability and logit
 */
CLIP4J_API clip4j_status clip4j_zero_shot_topk_cpu(const float* image_features, int32_t n,
        const float* text_features, int32_t m, int32_t d, float logit_scale, int32_t k,
        float* out_top_probs, int32_t* out_top_indices, float* out_top_logits);

/** clip4j_zero_shot_topk_cpu on the current CUDA device. */
CLIP4J_API clip4j_status clip4j_zero_shot_topk_cuda(const float* image_features, int32_t n,
        const float* text_features, int32_t m, int32_t d, float logit_scale, int32_t k,
        float* out_top_probs, int32_t* out_top_indices, float* out_top_logits);

/*
 * Device-memory entry points: the large tensors stay in GPU memory owned by the caller (typically a
 * LibTorch CUDA tensor's data pointer), so no copy goes through the host.
 *
 * Pointers documented as DEVICE must be CUDA device (or managed) allocations, all on one GPU, aligned
 * to their element size; that GPU is made current for the call and the previous current device
 * restored afterwards (unless that one had no context yet: switching back would create it). A host
 * pointer where a device one is expected is CLIP4J_ERR_INVALID_ARGUMENT, checked before any kernel.
 * On failure the call still waits for the work it queued, so nothing writes the caller's memory later.
 * stream: a cudaStream_t of the GPU that holds the pointers, or null for the legacy default stream
 * (the one LibTorch uses unless a stream guard is active). A stream of another GPU is
 * CLIP4J_ERR_INVALID_ARGUMENT (checked with CUDA 12.8+ runtimes; this library links 13.0). Work is
 * queued after what is already on that stream, and the call returns once its outputs are complete,
 * so the caller may use or free every buffer right away.
 * The previous device is restored by number: a caller that made its own (non-primary) driver
 * context current finds the GPU's primary context current afterwards.
 * In a library built without CUDA these return CLIP4J_ERR_NO_CUDA after the argument checks.
 */

/**
 * clip4j_preprocess_cuda writing pixel_values straight into device memory.
 *
 * images, widths, heights, count, n_px, mean, std, dtype  as clip4j_preprocess_cpu (host memory)
 * out_pixel_values  DEVICE, [count, 3, n_px, n_px] NCHW of dtype, C-contiguous
 * out_bytes         size of out_pixel_values in bytes; must be at least count*3*n_px*n_px*sizeof(dtype). It is
 *                   trusted: the allocation behind a device pointer is not looked up, so a wrong value is
 *                   an out-of-bounds write
 * stream            see above
 */
CLIP4J_API clip4j_status clip4j_preprocess_cuda_device(const uint8_t* const* images, const int32_t* widths,
        const int32_t* heights, int32_t count, int32_t n_px, const float* mean, const float* std,
        clip4j_dtype dtype, void* out_pixel_values, int64_t out_bytes, void* stream);

/**
 * clip4j_zero_shot_topk_cuda with the features already on the GPU; only the [n, k] results come
 * back to the host.
 *
 * Device memory is not read on the host, so neither its size nor its values are checked: the buffers must
 * hold what n, m and d say. A zero row stays zero as in clip4j_similarity_cpu. A NaN or infinity is NOT
 * refused: one in image row i makes row i's probabilities (and the logits it touches) NaN, one in
 * text_features makes every row's probabilities NaN; NaN ranks before every number, lower columns first, so
 * such a row still names k distinct columns. Check the probabilities if the features may not be finite.
 *
 * image_features  DEVICE float32 [n, d], C-contiguous (e.g. the image tower's output)
 * text_features   DEVICE float32 [m, d], C-contiguous (e.g. class embeddings)
 * out_top_probs, out_top_indices, out_top_logits  HOST, as clip4j_zero_shot_topk_cpu
 */
CLIP4J_API clip4j_status clip4j_zero_shot_topk_cuda_device(const float* image_features, int32_t n,
        const float* text_features, int32_t m, int32_t d, float logit_scale, int32_t k,
        float* out_top_probs, int32_t* out_top_indices, float* out_top_logits, void* stream);

#ifdef __cplusplus
}
#endif

#endif /* CLIP4J_KERNELS_H */
