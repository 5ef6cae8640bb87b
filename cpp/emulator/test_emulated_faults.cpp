// Failure paths of the CUDA implementation that a real GPU rarely shows, provoked through the emulator's
// hooks: out of device memory at every allocation of every entry point (OUT_OF_MEMORY, nothing leaked, the
// next call works), GPUs that are too old or absent (NO_DEVICE with the reason), and batches larger than
// one grid (65535 images), and a kernel with a missing __syncthreads, whose race the emulator must expose.
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "../tests/check.h"
#include "clip4j/kernels.h"
#include "clip4j_emulator.h"
#include "cuda_runtime.h"

namespace {

const float kMean[3] = {CLIP4J_CLIP_MEAN_R, CLIP4J_CLIP_MEAN_G, CLIP4J_CLIP_MEAN_B};
const float kStd[3] = {CLIP4J_CLIP_STD_R, CLIP4J_CLIP_STD_G, CLIP4J_CLIP_STD_B};

std::vector<float> ramp(size_t n, float step) {
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = (float)((i * 7919) % 101) * step - 0.5f;
    return v;
}

struct Device {
    void* ptr = nullptr;
    Device(const void* host, size_t bytes) {
        CHECK(cudaMalloc(&ptr, bytes) == cudaSuccess);
        if (host) CHECK(cudaMemcpy(ptr, host, bytes, cudaMemcpyHostToDevice) == cudaSuccess);
    }
    ~Device() { cudaFree(ptr); }
};

// Runs call under device-memory limits from 0 bytes up to the first that succeeds: each run must succeed or
// report OUT_OF_MEMORY naming fn, and give all its device memory back.
void out_of_memory_everywhere(const std::string& fn, const std::function<clip4j_status()>& call) {
    const size_t baseline = clip4j_emu::device_bytes_in_use();
    int failures = 0;
    bool succeeded = false;
    for (size_t extra = 0; !succeeded && extra <= (size_t(64) << 20); extra = extra * 2 + 256) {
        clip4j_emu::set_memory_limit(baseline + extra);
        const clip4j_status st = call();
        clip4j_emu::set_memory_limit(SIZE_MAX);
        succeeded = st == CLIP4J_OK;
        if (!succeeded) {
            ++failures;
            CHECK_MSG(st == CLIP4J_ERR_OUT_OF_MEMORY, fn + ": status " + std::to_string(st) + ": " + clip4j_last_error());
            CHECK_MSG(std::strstr(clip4j_last_error(), fn.c_str()) && std::strstr(clip4j_last_error(), "out of memory"),
                      clip4j_last_error());
        }
        CHECK_MSG(clip4j_emu::device_bytes_in_use() == baseline, fn + " leaked device memory");
        CHECK_MSG(cudaGetLastError() == cudaSuccess, fn + " left a CUDA error pending");
    }
    CHECK_MSG(succeeded, fn + " never succeeded");
    CHECK_MSG(failures >= 2, fn + ": expected several allocations to fail on the way, got " + std::to_string(failures));
    CHECK_MSG(call() == CLIP4J_OK, fn + " after the failures: " + clip4j_last_error());
}

void out_of_memory() {
    const int n = 5, m = 9, d = 16, k = 3;
    const std::vector<float> img = ramp(n * d, 0.01f), txt = ramp(m * d, 0.013f);
    std::vector<float> logits(n * m), probs(n * m), tp(n * k), tl(n * k);
    std::vector<int32_t> ti(n * k);
    out_of_memory_everywhere("clip4j_similarity_cuda", [&] {
        return clip4j_similarity_cuda(img.data(), n, txt.data(), m, d, 100.0f, logits.data());
    });
    out_of_memory_everywhere("clip4j_softmax_topk_cuda", [&] {
        return clip4j_softmax_topk_cuda(logits.data(), n, m, k, probs.data(), tp.data(), ti.data());
    });
    out_of_memory_everywhere("clip4j_zero_shot_topk_cuda", [&] {
        return clip4j_zero_shot_topk_cuda(img.data(), n, txt.data(), m, d, 100.0f, k, tp.data(), ti.data(), tl.data());
    });
    const Device d_img(img.data(), img.size() * 4), d_txt(txt.data(), txt.size() * 4);
    out_of_memory_everywhere("clip4j_zero_shot_topk_cuda_device", [&] {
        return clip4j_zero_shot_topk_cuda_device(static_cast<const float*>(d_img.ptr), n,
                                                 static_cast<const float*>(d_txt.ptr), m, d, 100.0f, k, tp.data(),
                                                 ti.data(), tl.data(), nullptr);
    });

    std::vector<uint8_t> a(300 * 200 * 3, 17), b(40 * 90 * 3, 200);
    const uint8_t* images[2] = {a.data(), b.data()};
    const int32_t w[2] = {300, 40}, h[2] = {200, 90};
    std::vector<float> out(2 * 3 * 32 * 32);
    std::vector<uint8_t> rgb(2 * 3 * 32 * 32);
    out_of_memory_everywhere("clip4j_preprocess_cuda", [&] {
        return clip4j_preprocess_cuda(images, w, h, 2, 32, kMean, kStd, CLIP4J_FLOAT32, out.data(), rgb.data());
    });
    const Device d_out(nullptr, out.size() * 4);
    out_of_memory_everywhere("clip4j_preprocess_cuda_device", [&] {
        return clip4j_preprocess_cuda_device(images, w, h, 2, 32, kMean, kStd, CLIP4J_FLOAT32, d_out.ptr,
                                             (int64_t)out.size() * 4, nullptr);
    });
}

// A GPU below sm_80, one without memory pools, no GPU, no driver: NO_DEVICE with the reason, before any allocation or kernel.
void unusable_devices() {
    const float a[4] = {1, 0, 0, 1};
    float out[4];
    const long long launches = clip4j_emu::kernel_launches();
    clip4j_emu::configure_devices(1, 7, 5);
    CHECK(clip4j_cuda_available() == 0);
    CHECK_MSG(std::strstr(clip4j_last_error(), "compute capability 7.5, clip4j_kernels needs >= 8.0"), clip4j_last_error());
    CHECK(clip4j_similarity_cuda(a, 2, a, 2, 2, 1.0f, out) == CLIP4J_ERR_NO_DEVICE);
    CHECK_MSG(std::strstr(clip4j_last_error(), "clip4j_similarity_cuda: CUDA device 0 has compute capability 7.5"),
              clip4j_last_error());
    clip4j_emu::configure_devices(1, 9, 0, false);
    CHECK(clip4j_cuda_available() == 0);
    CHECK_MSG(std::strstr(clip4j_last_error(), "does not support memory pools (cudaMallocAsync)"), clip4j_last_error());
    CHECK(clip4j_similarity_cuda(a, 2, a, 2, 2, 1.0f, out) == CLIP4J_ERR_NO_DEVICE);
    clip4j_emu::configure_devices(-1, 0, 0);
    CHECK(clip4j_cuda_available() == 0);
    CHECK_MSG(std::strstr(clip4j_last_error(), "no usable CUDA driver: none is installed, or it is older than this "
                                               "library's CUDA 13.0 runtime needs"),
              clip4j_last_error());
    clip4j_emu::configure_devices(0, 0, 0);
    CHECK(clip4j_cuda_available() == 0);
    CHECK_MSG(std::strstr(clip4j_last_error(), "no usable CUDA driver/device"), clip4j_last_error());
    CHECK(clip4j_cuda_device_available(0) == 0);
    CHECK(clip4j_similarity_cuda(a, 2, a, 2, 2, 1.0f, out) == CLIP4J_ERR_NO_DEVICE);
    clip4j_emu::configure_devices(2, 9, 0);
    CHECK(clip4j_cuda_device_available(1) == 1);
    CHECK(clip4j_cuda_device_available(2) == 0);
    CHECK_MSG(std::strstr(clip4j_last_error(), "CUDA device 2 does not exist (2 present)"), clip4j_last_error());
    CHECK(clip4j_emu::kernel_launches() == launches);
    CHECK(clip4j_similarity_cuda(a, 2, a, 2, 2, 1.0f, out) == CLIP4J_OK);
    CHECK(clip4j_emu::kernel_launches() > launches);
}

// More images than one grid's z dimension holds (65535): the batch is launched in slices.
void batch_beyond_one_grid() {
    const int count = 65535 + 3;
    std::vector<uint8_t> pixels((size_t)count * 3);
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = (uint8_t)(i * 131 % 251);
    std::vector<const uint8_t*> images(count);
    std::vector<int32_t> ones(count, 1);
    for (int i = 0; i < count; ++i) images[i] = &pixels[(size_t)i * 3];
    std::vector<uint16_t> cpu((size_t)count * 3), gpu((size_t)count * 3, 0xFFFF);
    CHECK(clip4j_preprocess_cpu(images.data(), ones.data(), ones.data(), count, 1, kMean, kStd, CLIP4J_FLOAT16,
                                cpu.data(), nullptr) == CLIP4J_OK);
    CHECK_MSG(clip4j_preprocess_cuda(images.data(), ones.data(), ones.data(), count, 1, kMean, kStd, CLIP4J_FLOAT16,
                                     gpu.data(), nullptr) == CLIP4J_OK,
              clip4j_last_error());
    CHECK_MSG(gpu == cpu, "a batch of 65538 images");
}

// Sums in[] over each block twice (the second round doubled) through one shared scratch array; out = 3 * sum.
// Without the second __syncthreads a warp that runs ahead overwrites scratch while other warps still read it:
// on a GPU the result then depends on timing, and the emulator must run warps so that it shows.
__global__ void block_sums_twice(const float* in, float* out, bool second_sync) {
    __shared__ float scratch[256 / 32];
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    float total = 0.0f;
    for (int round = 1; round <= 2; ++round) {
        float v = in[blockIdx.x * blockDim.x + threadIdx.x] * round;
        for (int off = 16; off > 0; off >>= 1) v += __shfl_xor_sync(0xffffffffu, v, off);
        if (lane == 0) scratch[warp] = v;
        __syncthreads();
        for (int w = 0; w < 256 / 32; ++w) total += scratch[w];
        if (second_sync) __syncthreads();
    }
    out[blockIdx.x * blockDim.x + threadIdx.x] = total;
}

// A 12.8+ runtime on an older 12.x driver cannot say which GPU a stream belongs to: a caller's stream is then
// taken as it is (as with toolkits before 12.8), not refused as invalid.
void stream_check_on_older_driver() {
    const int n = 2, m = 3, d = 4, k = 2;
    const std::vector<float> img = ramp((size_t)n * d, 0.01f), txt = ramp((size_t)m * d, 0.02f);
    Device d_img(img.data(), img.size() * sizeof(float)), d_txt(txt.data(), txt.size() * sizeof(float));
    float want_p[n * k], got_p[n * k];
    int32_t want_i[n * k], got_i[n * k];
    CHECK(clip4j_zero_shot_topk_cuda_device(static_cast<const float*>(d_img.ptr), n, static_cast<const float*>(d_txt.ptr),
                                            m, d, 100.0f, k, want_p, want_i, nullptr, nullptr) == CLIP4J_OK);
    cudaStream_t s = nullptr;
    CHECK(cudaStreamCreate(&s) == cudaSuccess);
    clip4j_emu::set_driver_has_stream_get_device(false);
    const clip4j_status st = clip4j_zero_shot_topk_cuda_device(static_cast<const float*>(d_img.ptr), n,
            static_cast<const float*>(d_txt.ptr), m, d, 100.0f, k, got_p, got_i, nullptr, s);
    clip4j_emu::set_driver_has_stream_get_device(true);
    CHECK_MSG(st == CLIP4J_OK, clip4j_last_error());
    CHECK(std::memcmp(want_p, got_p, sizeof want_p) == 0 && std::memcmp(want_i, got_i, sizeof want_i) == 0);
    CHECK(cudaGetLastError() == cudaSuccess);
    cudaStreamDestroy(s);
}

void missing_barrier_shows() {
    const int blocks = 16, threads = 256;
    std::vector<float> in((size_t)blocks * threads);
    for (size_t i = 0; i < in.size(); ++i) in[i] = (float)(i % 7);  // small integers: every sum is exact
    std::vector<float> want((size_t)blocks * threads);
    for (int b = 0; b < blocks; ++b) {
        float sum = 0.0f;
        for (int t = 0; t < threads; ++t) sum += in[(size_t)b * threads + t];
        for (int t = 0; t < threads; ++t) want[(size_t)b * threads + t] = 3.0f * sum;
    }
    Device d_in(in.data(), in.size() * sizeof(float)), d_out(nullptr, in.size() * sizeof(float));
    std::vector<float> got(in.size());
    for (const bool second_sync : {true, false}) {
        clip4j_emu::launch(block_sums_twice, blocks, threads, cudaStreamPerThread)(
                static_cast<const float*>(d_in.ptr), static_cast<float*>(d_out.ptr), second_sync);
        CHECK(cudaGetLastError() == cudaSuccess);
        CHECK(cudaMemcpy(got.data(), d_out.ptr, got.size() * sizeof(float), cudaMemcpyDeviceToHost) == cudaSuccess);
        size_t wrong = 0;
        for (size_t i = 0; i < got.size(); ++i) wrong += got[i] != want[i];
        if (second_sync) {
            CHECK_MSG(wrong == 0, "with both barriers every block sum is right");
        } else {
            CHECK_MSG(wrong > 0, "without the second barrier the emulator shows the race (wrong sums)");
        }
    }
}

}  // namespace

int main() {
    missing_barrier_shows();
    stream_check_on_older_driver();
    out_of_memory();
    unusable_devices();
    batch_beyond_one_grid();
    return check::finish("test_emulated_faults");
}
