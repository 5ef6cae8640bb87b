// CUDA implementation of similarity, softmax + top-k and the fused zero-shot top-k.
// Large inputs are processed in row blocks so device memory stays bounded (kBlockBytes per block).
#include <algorithm>
#include <string>

#include "cuda_support.cuh"
#include "pixel_math.h"
#include "status.h"
#include "validate.h"

namespace clip4j {
namespace {

// Logits/probabilities of one row block; the emulator's tests make it small to cross blocks on small inputs.
#ifndef CLIP4J_ROW_BLOCK_BYTES
#  define CLIP4J_ROW_BLOCK_BYTES (size_t(256) << 20)
#endif
constexpr size_t kBlockBytes = CLIP4J_ROW_BLOCK_BYTES;
constexpr int kThreads = 256;

// --- L2 normalisation: one warp per row, x / ||x|| like model.py; a zero row stays zero like the CPU's. ---
// The sum of squares, the norm and the division are double, as on the CPU (the warp sums in another order, so the
// last bit may differ): in float the sum overflows
// for |x| > ~1e19 and underflows to a zero norm for |x| < ~1e-23, and the norm itself overflows beyond ~1e38, where
// the CPU still gives a unit row. The kernel is memory-bound, so this costs nothing.
__global__ void l2_normalize_rows(const float* x, float* y, int rows, int d) {
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    const int64_t row = (int64_t)blockIdx.x * (blockDim.x / 32) + warp;
    if (row >= rows) return;
    const float* in = x + row * d;
    double ss = 0.0;
    for (int64_t j = lane; j < d; j += 32) ss += (double)in[j] * in[j];
    for (int off = 16; off > 0; off >>= 1) ss += __shfl_xor_sync(0xffffffffu, ss, off);
    const double norm = sqrt(ss);
    for (int64_t j = lane; j < d; j += 32) y[row * d + j] = norm == 0.0 ? 0.0f : (float)(in[j] / norm);  // NaN stays NaN
}

// --- logits = scale * A . B^T with A [rows, d], B [m, d]: 64x64 tiles, 4x4 outputs per thread. ---
constexpr int kTile = 64, kDepth = 16;

__global__ void __launch_bounds__(kThreads) similarity_tiles(const float* a, int rows, const float* b, int m, int d,
        float scale, float* c) {
    __shared__ float as[kDepth][kTile + 1];
    __shared__ float bs[kDepth][kTile + 1];
    const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
    // 64-bit indices: m or d may come within a tile of INT32_MAX.
    const int64_t row0 = (int64_t)blockIdx.y * kTile, col0 = (int64_t)blockIdx.x * kTile;
    float acc[4][4] = {};
    for (int64_t k0 = 0; k0 < d; k0 += kDepth) {
        for (int l = threadIdx.x; l < kTile * kDepth; l += kThreads) {
            const int r = l / kDepth, kk = l % kDepth;
            const bool in_k = k0 + kk < d;
            as[kk][r] = (row0 + r < rows && in_k) ? a[(row0 + r) * d + k0 + kk] : 0.0f;
            bs[kk][r] = (col0 + r < m && in_k) ? b[(col0 + r) * d + k0 + kk] : 0.0f;
        }
        __syncthreads();
        for (int kk = 0; kk < kDepth; ++kk) {
            float av[4], bv[4];
            for (int i = 0; i < 4; ++i) av[i] = as[kk][ty + 16 * i];
            for (int j = 0; j < 4; ++j) bv[j] = bs[kk][tx + 16 * j];
            for (int i = 0; i < 4; ++i)
                for (int j = 0; j < 4; ++j) acc[i][j] += av[i] * bv[j];
        }
        __syncthreads();
    }
    for (int i = 0; i < 4; ++i) {
        const int64_t r = row0 + ty + 16 * i;
        if (r >= rows) continue;
        for (int j = 0; j < 4; ++j) {
            const int64_t col = col0 + tx + 16 * j;
            if (col < m) c[(int64_t)r * m + col] = scale * acc[i][j];
        }
    }
}

// --- softmax + top-k: one block per row. ---
struct Candidate {
    float value;
    int32_t index;  // -1: none
};

__device__ Candidate better(Candidate a, Candidate b) {
    if (a.index < 0) return b;
    if (b.index < 0) return a;
    return ranks_before(b.value, b.index, a.value, a.index) ? b : a;
}

// Block-wide reductions; every thread gets the result. `scratch` needs kThreads / 32 entries.
__device__ float block_max(float v, float* scratch) {
    for (int off = 16; off > 0; off >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, off));
    if (threadIdx.x % 32 == 0) scratch[threadIdx.x / 32] = v;
    __syncthreads();
    v = scratch[0];
    for (int w = 1; w < kThreads / 32; ++w) v = fmaxf(v, scratch[w]);
    __syncthreads();
    return v;
}

__device__ float block_sum(float v, float* scratch) {
    for (int off = 16; off > 0; off >>= 1) v += __shfl_xor_sync(0xffffffffu, v, off);
    if (threadIdx.x % 32 == 0) scratch[threadIdx.x / 32] = v;
    __syncthreads();
    v = 0.0f;
    for (int w = 0; w < kThreads / 32; ++w) v += scratch[w];
    __syncthreads();
    return v;
}

__device__ Candidate block_best(Candidate c, Candidate* scratch) {
    for (int off = 16; off > 0; off >>= 1) {
        Candidate o;
        o.value = __shfl_xor_sync(0xffffffffu, c.value, off);
        o.index = __shfl_xor_sync(0xffffffffu, c.index, off);
        c = better(c, o);
    }
    if (threadIdx.x % 32 == 0) scratch[threadIdx.x / 32] = c;
    __syncthreads();
    c = scratch[0];
    for (int w = 1; w < kThreads / 32; ++w) c = better(c, scratch[w]);
    __syncthreads();
    return c;
}

// The probability of element j of one row, and where that row's picks go.
struct Row {
    const float* in;  // logits
    const float* p;   // probabilities, or null: recomputed from the logits with the same expression
    float mx, sum;
    float* top_p;
    int32_t* top_i;
    float* top_l;  // may be null

    __device__ float prob(int64_t j) const { return p ? p[j] : expf(in[j] - mx) / sum; }
    __device__ void emit(int r, Candidate c) const {  // by one thread
        top_p[r] = c.value;
        top_i[r] = c.index;
        if (top_l) top_l[r] = in[c.index];
    }
};

// Top-k for k <= kMaxLocalK in one pass over the row: each thread keeps its own sorted k best (the row's k
// best are among them), then k block-wide rounds merge the threads' lists head by head.
constexpr int kMaxLocalK = 16;

__device__ void topk_one_pass(const Row& row, int64_t m, int k, Candidate* scratch) {
    Candidate list[kMaxLocalK];
    int count = 0;
    for (int64_t j = threadIdx.x; j < m; j += kThreads) {
        const Candidate c{row.prob(j), (int32_t)j};  // j < m <= INT32_MAX
        if (count == k && !ranks_before(c.value, c.index, list[k - 1].value, list[k - 1].index)) continue;
        int at = count < k ? count++ : k - 1;
        for (; at > 0 && ranks_before(c.value, c.index, list[at - 1].value, list[at - 1].index); --at) {
            list[at] = list[at - 1];
        }
        list[at] = c;
    }
    int head = 0;
    for (int r = 0; r < k; ++r) {
        const Candidate mine = head < count ? list[head] : Candidate{0.0f, -1};
        const Candidate best = block_best(mine, scratch);
        if (mine.index >= 0 && mine.index == best.index) ++head;  // indices are unique: one thread advances
        if (threadIdx.x == 0) row.emit(r, best);
    }
}

// Top-k for larger k: k passes, each picking the best element ranked after the previous pick.
__device__ void topk_k_passes(const Row& row, int64_t m, int k, Candidate* scratch) {
    Candidate prev{0.0f, -1};
    for (int r = 0; r < k; ++r) {
        Candidate best{0.0f, -1};
        for (int64_t j = threadIdx.x; j < m; j += kThreads) {
            const Candidate c{row.prob(j), (int32_t)j};
            if (prev.index < 0 || ranks_before(prev.value, prev.index, c.value, c.index)) best = better(best, c);
        }
        best = block_best(best, scratch);
        if (threadIdx.x == 0) row.emit(r, best);
        prev = best;
    }
}

// probs may alias logits (every element is read before it is overwritten by the same thread) or be null:
// then the logits stay untouched and each probability is recomputed with the same expression when ranked,
// which gives the same bits and lets top_l (the logit of each pick, may be null) read the logits.
__global__ void __launch_bounds__(kThreads) softmax_topk_rows(const float* logits, float* probs, int m, int k,
        float* top_p, int32_t* top_i, float* top_l) {
    __shared__ float fscratch[kThreads / 32];
    __shared__ Candidate cscratch[kThreads / 32];
    const int64_t row = blockIdx.x;
    const float* in = logits + row * m;
    float* p = probs ? probs + row * m : nullptr;
    float mx = -INFINITY;
    for (int64_t j = threadIdx.x; j < m; j += kThreads) mx = fmaxf(mx, in[j]);
    mx = block_max(mx, fscratch);
    float sum = 0.0f;
    for (int64_t j = threadIdx.x; j < m; j += kThreads) sum += expf(in[j] - mx);
    sum = block_sum(sum, fscratch);
    if (p) {
        for (int64_t j = threadIdx.x; j < m; j += kThreads) p[j] = expf(in[j] - mx) / sum;
    }
    __syncthreads();  // makes this block's probabilities visible to all its threads
    const Row r{in, p, mx, sum, top_p + row * k, top_i + row * k, top_l ? top_l + row * k : nullptr};
    if (k <= kMaxLocalK) {
        topk_one_pass(r, m, k, cscratch);
    } else {
        topk_k_passes(r, m, k, cscratch);
    }
}

// Rows per block so that rows * m floats fit kBlockBytes.
int32_t rows_per_block(int32_t n, int32_t m) {
    const int64_t rows = (int64_t)(kBlockBytes / sizeof(float)) / m;
    return (int32_t)std::max<int64_t>(1, std::min<int64_t>(n, rows));
}

clip4j_status normalize_on_device(const char* fn, const float* d_x, float* d_y, int32_t rows, int32_t d) {
    const int per_block = kThreads / 32;
    CLIP4J_LAUNCH(l2_normalize_rows, (unsigned)(((int64_t)rows + per_block - 1) / per_block), kThreads, stream())(d_x, d_y, rows, d);
    CLIP4J_CUDA_TRY(fn, cudaGetLastError());
    return CLIP4J_OK;
}

clip4j_status similarity_on_device(const char* fn, const float* d_a, int32_t rows, const float* d_b, int32_t m,
        int32_t d, float scale, float* d_c) {
    const dim3 grid((unsigned)(((int64_t)m + kTile - 1) / kTile), (unsigned)(((int64_t)rows + kTile - 1) / kTile));
    if (grid.y > 65535) return fail(CLIP4J_ERR_CUDA, std::string(fn) + ": row block too large");
    CLIP4J_LAUNCH(similarity_tiles, grid, kThreads, stream())(d_a, rows, d_b, m, d, scale, d_c);
    CLIP4J_CUDA_TRY(fn, cudaGetLastError());
    return CLIP4J_OK;
}

// Normalises text_features once into d_text [m, d]: read in place from device memory, else uploaded first.
clip4j_status upload_text(const char* fn, const float* text, bool on_device, int32_t m, int32_t d,
        DeviceBuffer& d_text) {
    DeviceBuffer raw;
    const size_t bytes = (size_t)m * d * sizeof(float);
    CLIP4J_CUDA_TRY(fn, d_text.allocate(bytes));
    if (!on_device) {
        CLIP4J_CUDA_TRY(fn, raw.allocate(bytes));
        CLIP4J_CUDA_TRY(fn, cudaMemcpyAsync(raw.as<float>(), text, bytes, cudaMemcpyHostToDevice, stream()));
        text = raw.as<float>();
    }
    return normalize_on_device(fn, text, d_text.as<float>(), m, d);
}

// Shared driver of similarity / zero-shot: per row block, image rows -> logits on the device, then `finish`.
// on_device: both feature matrices are device memory (read in place), else host memory (uploaded).
template <class Finish>
clip4j_status image_blocks(const char* fn, const float* image, int32_t n, const float* text, int32_t m, int32_t d,
        float scale, bool on_device, Finish finish) {
    DeviceBuffer d_text, d_raw, d_img, d_logits;
    clip4j_status st = upload_text(fn, text, on_device, m, d, d_text);
    if (st != CLIP4J_OK) return st;
    const int32_t rows = std::min(rows_per_block(n, m), 65535 * kTile);
    if (!on_device) CLIP4J_CUDA_TRY(fn, d_raw.allocate((size_t)rows * d * sizeof(float)));
    CLIP4J_CUDA_TRY(fn, d_img.allocate((size_t)rows * d * sizeof(float)));
    CLIP4J_CUDA_TRY(fn, d_logits.allocate((size_t)rows * m * sizeof(float)));
    for (int32_t i0 = 0; i0 < n; i0 += rows) {
        const int32_t r = std::min(rows, n - i0);
        const float* block = image + (size_t)i0 * d;
        if (!on_device) {
            CLIP4J_CUDA_TRY(fn, cudaMemcpyAsync(d_raw.as<float>(), block, (size_t)r * d * sizeof(float),
                                                cudaMemcpyHostToDevice, stream()));
            block = d_raw.as<float>();
        }
        if ((st = normalize_on_device(fn, block, d_img.as<float>(), r, d)) != CLIP4J_OK) return st;
        if ((st = similarity_on_device(fn, d_img.as<float>(), r, d_text.as<float>(), m, d, scale, d_logits.as<float>())) !=
            CLIP4J_OK) {
            return st;
        }
        if ((st = finish(i0, r, d_logits.as<float>())) != CLIP4J_OK) return st;
    }
    CLIP4J_CUDA_TRY(fn, cudaStreamSynchronize(stream()));
    return CLIP4J_OK;
}

// Softmax + top-k of r device rows, copying back the top-k and, if asked, the probabilities (computed in
// place over the logits) or the logits of the picks (d_tl then holds [rows, k]; the logits stay untouched).
clip4j_status topk_rows(const char* fn, float* d_logits, int32_t r, int32_t m, int32_t k, DeviceBuffer& d_tp,
        DeviceBuffer& d_ti, float* probs_host, float* top_p_host, int32_t* top_i_host,
        DeviceBuffer* d_tl = nullptr, float* top_l_host = nullptr) {
    float* probs = probs_host ? d_logits : nullptr;
    CLIP4J_LAUNCH(softmax_topk_rows, r, kThreads, stream())(d_logits, probs, m, k, d_tp.as<float>(), d_ti.as<int32_t>(),
                                                    top_l_host ? d_tl->as<float>() : nullptr);
    CLIP4J_CUDA_TRY(fn, cudaGetLastError());
    if (top_l_host) {
        CLIP4J_CUDA_TRY(fn, cudaMemcpyAsync(top_l_host, d_tl->as<float>(), (size_t)r * k * sizeof(float),
                                            cudaMemcpyDeviceToHost, stream()));
    }
    if (probs_host) {
        CLIP4J_CUDA_TRY(fn, cudaMemcpyAsync(probs_host, probs, (size_t)r * m * sizeof(float),
                                            cudaMemcpyDeviceToHost, stream()));
    }
    CLIP4J_CUDA_TRY(fn, cudaMemcpyAsync(top_p_host, d_tp.as<float>(), (size_t)r * k * sizeof(float),
                                        cudaMemcpyDeviceToHost, stream()));
    CLIP4J_CUDA_TRY(fn, cudaMemcpyAsync(top_i_host, d_ti.as<int32_t>(), (size_t)r * k * sizeof(int32_t),
                                        cudaMemcpyDeviceToHost, stream()));
    // The callers synchronise the stream before returning.
    return CLIP4J_OK;
}

}  // namespace
}  // namespace clip4j

using namespace clip4j;

extern "C" clip4j_status clip4j_similarity_cuda(const float* image_features, int32_t n,
        const float* text_features, int32_t m, int32_t d, float logit_scale, float* out_logits) {
    const char* fn = "clip4j_similarity_cuda";
    clear_error();
    clip4j_status st = validate_similarity(fn, image_features, n, text_features, m, d, logit_scale, out_logits);
    if (st == CLIP4J_OK) st = validate_finite_features(fn, image_features, n, text_features, m, d);
    if (st != CLIP4J_OK || (st = require_device(fn)) != CLIP4J_OK) return st;
    // drain: on failure, copies already queued into the caller's (possibly pinned) buffer finish first.
    return drain(image_blocks(fn, image_features, n, text_features, m, d, logit_scale, false,
                              [&](int32_t i0, int32_t r, float* d_logits) -> clip4j_status {
                                  CLIP4J_CUDA_TRY(fn, cudaMemcpyAsync(out_logits + (size_t)i0 * m, d_logits,
                                                                      (size_t)r * m * sizeof(float),
                                                                      cudaMemcpyDeviceToHost, stream()));
                                  return CLIP4J_OK;
                              }));
}

namespace {

// The fused zero-shot top-k; on_device: the features are device memory, else host memory.
clip4j_status zero_shot_topk(const char* fn, const float* image_features, int32_t n, const float* text_features,
        int32_t m, int32_t d, float logit_scale, int32_t k, float* out_top_probs, int32_t* out_top_indices,
        float* out_top_logits, bool on_device) {
    const int32_t rows = rows_per_block(n, m);
    DeviceBuffer d_tp, d_ti, d_tl;
    CLIP4J_CUDA_TRY(fn, d_tp.allocate((size_t)rows * k * sizeof(float)));
    CLIP4J_CUDA_TRY(fn, d_ti.allocate((size_t)rows * k * sizeof(int32_t)));
    if (out_top_logits) CLIP4J_CUDA_TRY(fn, d_tl.allocate((size_t)rows * k * sizeof(float)));
    return image_blocks(fn, image_features, n, text_features, m, d, logit_scale, on_device,
                        [&](int32_t i0, int32_t r, float* d_logits) {
                            return topk_rows(fn, d_logits, r, m, k, d_tp, d_ti, nullptr,
                                             out_top_probs + (size_t)i0 * k, out_top_indices + (size_t)i0 * k,
                                             &d_tl,
                                             out_top_logits ? out_top_logits + (size_t)i0 * k : nullptr);
                        });
}

}  // namespace

extern "C" clip4j_status clip4j_zero_shot_topk_cuda(const float* image_features, int32_t n,
        const float* text_features, int32_t m, int32_t d, float logit_scale, int32_t k,
        float* out_top_probs, int32_t* out_top_indices, float* out_top_logits) {
    const char* fn = "clip4j_zero_shot_topk_cuda";
    clear_error();
    clip4j_status st = validate_zero_shot(fn, image_features, n, text_features, m, d, logit_scale, k, out_top_probs,
                                          out_top_indices, out_top_logits);
    if (st == CLIP4J_OK) st = validate_finite_features(fn, image_features, n, text_features, m, d);
    if (st != CLIP4J_OK || (st = require_device(fn)) != CLIP4J_OK) return st;
    return drain(zero_shot_topk(fn, image_features, n, text_features, m, d, logit_scale, k, out_top_probs,
                                out_top_indices, out_top_logits, false));
}

extern "C" clip4j_status clip4j_zero_shot_topk_cuda_device(const float* image_features, int32_t n,
        const float* text_features, int32_t m, int32_t d, float logit_scale, int32_t k,
        float* out_top_probs, int32_t* out_top_indices, float* out_top_logits, void* stream_arg) {
    const char* fn = "clip4j_zero_shot_topk_cuda_device";
    clear_error();
    clip4j_status st = validate_zero_shot(fn, image_features, n, text_features, m, d, logit_scale, k, out_top_probs,
                                          out_top_indices, out_top_logits);
    if (st == CLIP4J_OK) st = validate_alignment(fn, "image_features", image_features, sizeof(float));
    if (st == CLIP4J_OK) st = validate_alignment(fn, "text_features", text_features, sizeof(float));
    if (st == CLIP4J_OK) st = require_driver(fn);
    DeviceScope device;
    const void* pointers[] = {image_features, text_features};
    const char* names[] = {"image_features", "text_features"};
    if (st == CLIP4J_OK) st = device.enter(fn, pointers, names, 2);
    if (st == CLIP4J_OK) st = require_device(fn);
    if (st == CLIP4J_OK) st = device.check_stream(fn, stream_arg);
    if (st != CLIP4J_OK) return st;
    StreamScope on(stream_arg);
    return drain(zero_shot_topk(fn, image_features, n, text_features, m, d, logit_scale, k, out_top_probs,
                                out_top_indices, out_top_logits, true));
}

namespace {

// Row blocks of host logits: upload, softmax + top-k, copy back.
clip4j_status softmax_topk(const char* fn, const float* logits, int32_t n, int32_t m, int32_t k, float* out_probs,
        float* out_top_probs, int32_t* out_top_indices) {
    clip4j_status st = CLIP4J_OK;
    const int32_t rows = rows_per_block(n, m);
    DeviceBuffer d_logits, d_tp, d_ti;
    CLIP4J_CUDA_TRY(fn, d_logits.allocate((size_t)rows * m * sizeof(float)));
    CLIP4J_CUDA_TRY(fn, d_tp.allocate((size_t)rows * k * sizeof(float)));
    CLIP4J_CUDA_TRY(fn, d_ti.allocate((size_t)rows * k * sizeof(int32_t)));
    for (int32_t i0 = 0; i0 < n; i0 += rows) {
        const int32_t r = std::min(rows, n - i0);
        CLIP4J_CUDA_TRY(fn, cudaMemcpyAsync(d_logits.as<float>(), logits + (size_t)i0 * m, (size_t)r * m * sizeof(float),
                                            cudaMemcpyHostToDevice, stream()));
        st = topk_rows(fn, d_logits.as<float>(), r, m, k, d_tp, d_ti, out_probs ? out_probs + (size_t)i0 * m : nullptr,
                       out_top_probs + (size_t)i0 * k, out_top_indices + (size_t)i0 * k);
        if (st != CLIP4J_OK) return st;
    }
    CLIP4J_CUDA_TRY(fn, cudaStreamSynchronize(stream()));
    return CLIP4J_OK;
}

}  // namespace

extern "C" clip4j_status clip4j_softmax_topk_cuda(const float* logits, int32_t n, int32_t m, int32_t k,
        float* out_probs, float* out_top_probs, int32_t* out_top_indices) {
    const char* fn = "clip4j_softmax_topk_cuda";
    clear_error();
    clip4j_status st = validate_softmax_topk(fn, logits, n, m, k, out_probs, out_top_probs, out_top_indices);
    if (st == CLIP4J_OK) st = validate_finite(fn, "logits", logits, n, m);
    if (st != CLIP4J_OK || (st = require_device(fn)) != CLIP4J_OK) return st;
    return drain(softmax_topk(fn, logits, n, m, k, out_probs, out_top_probs, out_top_indices));
}
