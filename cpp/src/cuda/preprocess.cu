// CUDA implementation of the fused CLIP preprocessing. The host builds the same Pillow-exact plans
// as the CPU path (resample_plan.cpp); the kernels only apply them with integer arithmetic and the
// shared pixel_math.h helpers, so the result equals clip4j_preprocess_cpu bit for bit.
#include <algorithm>
#include <new>
#include <vector>

#include "cuda_support.cuh"
#include "pixel_math.h"
#include "resample_plan.h"
#include "status.h"
#include "validate.h"

namespace clip4j {
namespace {

// Where one image's data lives in the packed device buffers.
struct Job {
    int64_t src_off;   // byte offset of its pixels in the source buffer
    int64_t tmp_off;   // byte offset of its horizontal-pass result [row_count, n, 3]
    int64_t h_off;     // int32 offset of the horizontal plan: start[n], count[n], coeff[n * hk]
    int64_t v_off;     // same for the vertical plan
    int32_t width;
    int32_t row_start;
    int32_t row_count;
    int32_t hk;
    int32_t vk;
};

struct Normalization {
    float mean[3];
    float std[3];
};

constexpr int kMaxGridZ = 65535;

// One thread per (kept column x, needed input row r) of image blockIdx.z; rows grid-strided.
__global__ void horizontal_kernel(const Job* jobs, const uint8_t* src, const int32_t* plan, uint8_t* tmp, int n) {
    const Job job = jobs[blockIdx.z];
    const int x = blockIdx.x * blockDim.x + threadIdx.x;
    if (x >= n) return;
    const int32_t* start = plan + job.h_off;
    const int32_t count = start[n + x];
    const int32_t* k = start + 2 * n + (int64_t)x * job.hk;
    for (int r = blockIdx.y * blockDim.y + threadIdx.y; r < job.row_count; r += gridDim.y * blockDim.y) {
        const uint8_t* p = src + job.src_off + ((int64_t)(job.row_start + r) * job.width + start[x]) * 3;
        int32_t acc0 = 1 << (kPrecisionBits - 1), acc1 = acc0, acc2 = acc0;
        for (int j = 0; j < count; ++j) {
            acc0 += p[3 * j] * k[j];
            acc1 += p[3 * j + 1] * k[j];
            acc2 += p[3 * j + 2] * k[j];
        }
        uint8_t* o = tmp + job.tmp_off + ((int64_t)r * n + x) * 3;
        o[0] = clip8(acc0);
        o[1] = clip8(acc1);
        o[2] = clip8(acc2);
    }
}

// One thread per output pixel (x, y) of image image_base + blockIdx.z: vertical pass, crop, normalise.
template <bool kHalf>
__global__ void vertical_kernel(const Job* jobs, const uint8_t* tmp, const int32_t* plan, int n, Normalization norm,
        void* out, uint8_t* out_u8, int64_t image_base) {
    const Job job = jobs[blockIdx.z];
    const int x = blockIdx.x * blockDim.x + threadIdx.x;
    const int y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x >= n || y >= n) return;
    const int32_t* start = plan + job.v_off;
    const int32_t count = start[n + y];
    const int32_t* k = start + 2 * n + (int64_t)y * job.vk;
    const uint8_t* base = tmp + job.tmp_off + ((int64_t)(start[y] - job.row_start) * n + x) * 3;
    const int64_t row_stride = (int64_t)n * 3;
    int32_t acc[3] = {1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1)};
    for (int j = 0; j < count; ++j) {
        const uint8_t* p = base + j * row_stride;
        acc[0] += p[0] * k[j];
        acc[1] += p[1] * k[j];
        acc[2] += p[2] * k[j];
    }
    const int64_t image = image_base + blockIdx.z;
    const int64_t plane = (int64_t)n * n;
    for (int c = 0; c < 3; ++c) {
        const uint8_t u = clip8(acc[c]);
        if (out_u8) out_u8[(image * plane + (int64_t)y * n + x) * 3 + c] = u;
        const float f = normalize_u8(u, norm.mean[c], norm.std[c]);
        const int64_t at = (image * 3 + c) * plane + (int64_t)y * n + x;
        if (kHalf) {
            static_cast<uint16_t*>(out)[at] = float_to_half_bits(f);
        } else {
            static_cast<float*>(out)[at] = f;
        }
    }
}

void append_axis(std::vector<int32_t>& packed, const AxisPlan& a) {
    packed.insert(packed.end(), a.start.begin(), a.start.end());
    packed.insert(packed.end(), a.count.begin(), a.count.end());
    packed.insert(packed.end(), a.coeff.begin(), a.coeff.end());
}

// What one call queues copies from and kernels on: the host plans and the device scratch. The entry point
// keeps it until after its synchronise (or drain), so no queued copy reads host memory already freed.
struct Staging {
    std::vector<Job> jobs;
    std::vector<int32_t> packed;
    DeviceBuffer d_src, d_tmp, d_plan, d_jobs;
};

// Uploads the images and plans, runs both passes into d_out (device, [count, 3, n, n] of dtype) and, if
// d_u8 is non-null, the uint8 crop into d_u8 (device). Returns after queueing; callers synchronise.
clip4j_status run_on_device(const char* fn, const uint8_t* const* images, const int32_t* widths,
        const int32_t* heights, int32_t count, int32_t n, const Normalization& norm, clip4j_dtype dtype, void* d_out,
        uint8_t* d_u8, Staging& staging) {
    // Host side: plans and offsets of every image in the packed buffers.
    std::vector<Job>& jobs = staging.jobs;
    std::vector<int32_t>& packed = staging.packed;
    DeviceBuffer &d_src = staging.d_src, &d_tmp = staging.d_tmp, &d_plan = staging.d_plan, &d_jobs = staging.d_jobs;
    jobs.assign(count, Job{});
    packed.clear();
    int64_t src_bytes = 0, tmp_bytes = 0;
    int32_t max_rows = 1;
    for (int32_t i = 0; i < count; ++i) {
        const ImagePlan plan = make_plan(widths[i], heights[i], n);
        Job& job = jobs[i];
        job.src_off = src_bytes;
        job.tmp_off = tmp_bytes;
        job.width = plan.width;
        job.row_start = plan.row_start;
        job.row_count = plan.row_count;
        job.hk = plan.horizontal.ksize;
        job.vk = plan.vertical.ksize;
        job.h_off = (int64_t)packed.size();
        append_axis(packed, plan.horizontal);
        job.v_off = (int64_t)packed.size();
        append_axis(packed, plan.vertical);
        src_bytes += (int64_t)plan.width * plan.height * 3;
        tmp_bytes += (int64_t)plan.row_count * n * 3;
        max_rows = std::max(max_rows, plan.row_count);
    }
    CLIP4J_CUDA_TRY(fn, d_src.allocate(src_bytes));
    CLIP4J_CUDA_TRY(fn, d_tmp.allocate(tmp_bytes));
    CLIP4J_CUDA_TRY(fn, d_plan.allocate(packed.size() * sizeof(int32_t)));
    CLIP4J_CUDA_TRY(fn, d_jobs.allocate(jobs.size() * sizeof(Job)));

    for (int32_t i = 0; i < count; ++i) {
        CLIP4J_CUDA_TRY(fn, cudaMemcpyAsync(d_src.as<uint8_t>() + jobs[i].src_off, images[i],
                                            (size_t)widths[i] * heights[i] * 3, cudaMemcpyHostToDevice, stream()));
    }
    CLIP4J_CUDA_TRY(fn, cudaMemcpyAsync(d_plan.as<int32_t>(), packed.data(), packed.size() * sizeof(int32_t),
                                        cudaMemcpyHostToDevice, stream()));
    CLIP4J_CUDA_TRY(fn, cudaMemcpyAsync(d_jobs.as<Job>(), jobs.data(), jobs.size() * sizeof(Job),
                                        cudaMemcpyHostToDevice, stream()));

    const dim3 block(32, 8);
    for (int32_t first = 0; first < count; first += kMaxGridZ) {
        const int32_t batch = std::min(kMaxGridZ, count - first);
        const Job* batch_jobs = d_jobs.as<Job>() + first;
        const dim3 hgrid((n + 31) / 32, std::min((max_rows + 7) / 8, 65535), batch);
        CLIP4J_LAUNCH(horizontal_kernel, hgrid, block, stream())(batch_jobs, d_src.as<uint8_t>(), d_plan.as<int32_t>(),
                                                         d_tmp.as<uint8_t>(), n);
        CLIP4J_CUDA_TRY(fn, cudaGetLastError());
        const dim3 vgrid((n + 31) / 32, (n + 7) / 8, batch);
        if (dtype == CLIP4J_FLOAT16) {
            CLIP4J_LAUNCH(vertical_kernel<true>, vgrid, block, stream())(batch_jobs, d_tmp.as<uint8_t>(), d_plan.as<int32_t>(),
                                                                  n, norm, d_out, d_u8, first);
        } else {
            CLIP4J_LAUNCH(vertical_kernel<false>, vgrid, block, stream())(batch_jobs, d_tmp.as<uint8_t>(), d_plan.as<int32_t>(),
                                                                   n, norm, d_out, d_u8, first);
        }
        CLIP4J_CUDA_TRY(fn, cudaGetLastError());
    }
    return CLIP4J_OK;
}

// Host in, host out: runs on device scratch buffers and copies the results back.
clip4j_status run(const char* fn, const uint8_t* const* images, const int32_t* widths, const int32_t* heights,
        int32_t count, int32_t n, const Normalization& norm, clip4j_dtype dtype, void* out_host, uint8_t* out_u8_host,
        Staging& staging) {
    const size_t image_elems = (size_t)3 * n * n;
    const size_t out_bytes = image_elems * count * (dtype == CLIP4J_FLOAT32 ? 4 : 2);
    DeviceBuffer d_out, d_u8;
    CLIP4J_CUDA_TRY(fn, d_out.allocate(out_bytes));
    if (out_u8_host) CLIP4J_CUDA_TRY(fn, d_u8.allocate(image_elems * count));
    clip4j_status st = run_on_device(fn, images, widths, heights, count, n, norm, dtype, d_out.as<void>(),
                                     d_u8.as<uint8_t>(), staging);
    if (st != CLIP4J_OK) return st;
    CLIP4J_CUDA_TRY(fn, cudaMemcpyAsync(out_host, d_out.as<void>(), out_bytes, cudaMemcpyDeviceToHost, stream()));
    if (out_u8_host) {
        CLIP4J_CUDA_TRY(fn, cudaMemcpyAsync(out_u8_host, d_u8.as<uint8_t>(), image_elems * count,
                                            cudaMemcpyDeviceToHost, stream()));
    }
    CLIP4J_CUDA_TRY(fn, cudaStreamSynchronize(stream()));
    return CLIP4J_OK;
}

}  // namespace
}  // namespace clip4j

namespace {

clip4j::Normalization normalization(const float* mean, const float* std) {
    clip4j::Normalization norm;
    for (int c = 0; c < 3; ++c) {
        norm.mean[c] = mean[c];
        norm.std[c] = std[c];
    }
    return norm;
}

}  // namespace

extern "C" clip4j_status clip4j_preprocess_cuda_device(const uint8_t* const* images, const int32_t* widths,
        const int32_t* heights, int32_t count, int32_t n_px, const float* mean, const float* std,
        clip4j_dtype dtype, void* out_pixel_values, int64_t out_bytes, void* stream_arg) {
    using namespace clip4j;
    const char* fn = "clip4j_preprocess_cuda_device";
    clear_error();
    clip4j_status st = validate_preprocess(fn, images, widths, heights, count, n_px, mean, std, dtype, out_pixel_values,
                                           nullptr);
    if (st == CLIP4J_OK) st = validate_output_bytes(fn, count, n_px, dtype, out_bytes);
    if (st == CLIP4J_OK) st = validate_alignment(fn, "out_pixel_values", out_pixel_values, dtype == CLIP4J_FLOAT32 ? 4 : 2);
    if (st == CLIP4J_OK) st = require_driver(fn);
    DeviceScope device;
    const void* pointers[] = {out_pixel_values};
    const char* names[] = {"out_pixel_values"};
    if (st == CLIP4J_OK) st = device.enter(fn, pointers, names, 1);
    if (st == CLIP4J_OK) st = require_device(fn);
    if (st == CLIP4J_OK) st = device.check_stream(fn, stream_arg);
    if (st != CLIP4J_OK) return st;
    StreamScope on(stream_arg);
    try {
        Staging staging;
        st = run_on_device(fn, images, widths, heights, count, n_px, normalization(mean, std), dtype,
                           out_pixel_values, nullptr, staging);
        if (st != CLIP4J_OK) return drain(st);  // queued kernels must not write the caller's buffer later
        CLIP4J_CUDA_TRY(fn, cudaStreamSynchronize(stream()));
        return CLIP4J_OK;
    } catch (const std::bad_alloc&) {
        return drain(fail(CLIP4J_ERR_OUT_OF_MEMORY, std::string(fn) + ": out of host memory"));
    }
}

extern "C" clip4j_status clip4j_preprocess_cuda(const uint8_t* const* images, const int32_t* widths,
        const int32_t* heights, int32_t count, int32_t n_px, const float* mean, const float* std,
        clip4j_dtype dtype, void* out_pixel_values, uint8_t* out_rgb_u8) {
    using namespace clip4j;
    const char* fn = "clip4j_preprocess_cuda";
    clear_error();
    clip4j_status st = validate_preprocess(fn, images, widths, heights, count, n_px, mean, std, dtype, out_pixel_values,
                                           out_rgb_u8);
    if (st != CLIP4J_OK) return st;
    st = require_device(fn);
    if (st != CLIP4J_OK) return st;
    try {
        Staging staging;
        // On failure, waits for what was queued: copies into the caller's (possibly pinned) buffers included.
        return drain(run(fn, images, widths, heights, count, n_px, normalization(mean, std), dtype, out_pixel_values,
                         out_rgb_u8, staging));
    } catch (const std::bad_alloc&) {
        return drain(fail(CLIP4J_ERR_OUT_OF_MEMORY, std::string(fn) + ": out of host memory"));
    }
}
