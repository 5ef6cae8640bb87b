// GPU vs CPU: the CUDA functions must give the CPU results (preprocessing bit for bit, scores within
// float32 rounding) and the fixtures. Exits 77 (CTest: skipped) when no usable CUDA device is present.
#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <cuda_runtime.h>

#include "check.h"
#include "clip4j/kernels.h"
#include "npy.h"

namespace {

const float kMean[3] = {CLIP4J_CLIP_MEAN_R, CLIP4J_CLIP_MEAN_G, CLIP4J_CLIP_MEAN_B};
const float kStd[3] = {CLIP4J_CLIP_STD_R, CLIP4J_CLIP_STD_G, CLIP4J_CLIP_STD_B};
std::string testdata;

struct Batch {
    std::vector<std::vector<uint8_t>> pixels;
    std::vector<int32_t> widths, heights;
    std::vector<const uint8_t*> pointers() const {
        std::vector<const uint8_t*> p;
        for (const auto& v : pixels) p.push_back(v.data());
        return p;
    }
    void add(std::vector<uint8_t> rgb, int w, int h) {
        pixels.push_back(std::move(rgb));
        widths.push_back(w);
        heights.push_back(h);
    }
};

std::vector<uint8_t> noise(size_t n, uint32_t seed) {
    std::vector<uint8_t> v(n);
    for (uint8_t& x : v) {
        seed = seed * 1664525u + 1013904223u;
        x = (uint8_t)(seed >> 24);
    }
    return v;
}

std::vector<float> random_matrix(int rows, int cols, uint32_t seed) {
    std::vector<float> v((size_t)rows * cols);
    for (float& x : v) {
        seed = seed * 1664525u + 1013904223u;
        x = (float)((seed >> 8) * (1.0 / 16777216.0) - 0.5);
    }
    return v;
}

// Device memory for the device-pointer entry points (the test links the CUDA runtime itself).
struct DeviceBytes {
    void* ptr = nullptr;
    explicit DeviceBytes(size_t bytes) { CHECK(cudaMalloc(&ptr, bytes) == cudaSuccess); }
    ~DeviceBytes() { cudaFree(ptr); }
};

struct DeviceCopy {
    float* ptr = nullptr;
    explicit DeviceCopy(const std::vector<float>& v) {
        CHECK(cudaMalloc(reinterpret_cast<void**>(&ptr), v.size() * sizeof(float)) == cudaSuccess);
        CHECK(cudaMemcpy(ptr, v.data(), v.size() * sizeof(float), cudaMemcpyHostToDevice) == cudaSuccess);
    }
    ~DeviceCopy() { cudaFree(ptr); }
};

struct Result {
    std::vector<uint8_t> values;  // raw bytes of the NCHW tensor
    std::vector<uint8_t> rgb;
    clip4j_status status;
};

template <class Fn>
Result run_preprocess(Fn fn, const Batch& b, int n, clip4j_dtype dtype) {
    Result r;
    const size_t elems = b.pixels.size() * 3 * n * n;
    r.values.assign(elems * (dtype == CLIP4J_FLOAT32 ? 4 : 2), 0xAB);
    r.rgb.assign(elems, 0xCD);
    const std::vector<const uint8_t*> ptr = b.pointers();
    r.status = fn(ptr.data(), b.widths.data(), b.heights.data(), (int32_t)ptr.size(), n, kMean, kStd, dtype,
                  r.values.data(), r.rgb.data());
    return r;
}

void preprocessing() {
    Batch b;
    const std::string ref = testdata + "/preprocess/ref/";
    for (const char* name : {"jpeg_q90", "exif_orientation6"}) {
        const npy::Array a = npy::load(ref + name + ".decoded_u8.npy");
        b.add(std::vector<uint8_t>(a.as<uint8_t>(), a.as<uint8_t>() + a.size()), (int)a.shape[1], (int)a.shape[0]);
    }
    const int sizes[][2] = {{1, 1}, {7, 5}, {37, 300}, {1000, 50}, {224, 224}, {4032, 3024}, {3, 5000}, {640, 480}};
    uint32_t seed = 5;
    for (const auto& s : sizes) b.add(noise((size_t)s[0] * s[1] * 3, seed++), s[0], s[1]);

    for (int n : {224, 336, 1}) {
        for (clip4j_dtype dtype : {CLIP4J_FLOAT32, CLIP4J_FLOAT16}) {
            const Result cpu = run_preprocess(clip4j_preprocess_cpu, b, n, dtype);
            const Result gpu = run_preprocess(clip4j_preprocess_cuda, b, n, dtype);
            const std::string what = "n=" + std::to_string(n) + (dtype == CLIP4J_FLOAT16 ? " float16" : " float32");
            CHECK_MSG(cpu.status == CLIP4J_OK && gpu.status == CLIP4J_OK, what + ": " + clip4j_last_error());
            CHECK_MSG(gpu.values == cpu.values, what + " pixel_values differ from the CPU");
            CHECK_MSG(gpu.rgb == cpu.rgb, what + " rgb_u8 differs from the CPU");
        }
    }
    // Against the fixtures directly (first two images, n = 224).
    const Result gpu = run_preprocess(clip4j_preprocess_cuda, b, 224, CLIP4J_FLOAT32);
    const size_t per = (size_t)3 * 224 * 224;
    int i = 0;
    for (const char* name : {"jpeg_q90", "exif_orientation6"}) {
        const npy::Array rgb = npy::load(ref + name + ".rgb_u8.npy");
        const npy::Array pv = npy::load(ref + name + ".pixel_values.npy");
        CHECK_MSG(std::memcmp(gpu.rgb.data() + i * per, rgb.as<uint8_t>(), per) == 0, std::string(name) + " rgb_u8");
        CHECK_MSG(std::memcmp(gpu.values.data() + i * per * 4, pv.as<float>(), per * 4) == 0,
                  std::string(name) + " pixel_values");
        ++i;
    }
    // Straight into device memory (what LibTorch hands over as a CUDA tensor's data pointer), on the
    // legacy default stream and on a caller's stream: the same bytes.
    for (clip4j_dtype dtype : {CLIP4J_FLOAT32, CLIP4J_FLOAT16}) {
        const Result host = run_preprocess(clip4j_preprocess_cuda, b, 224, dtype);
        const size_t bytes = host.values.size();
        DeviceBytes d_out(bytes);
        cudaStream_t own = nullptr;
        CHECK(cudaStreamCreate(&own) == cudaSuccess);
        for (void* s : {static_cast<void*>(nullptr), static_cast<void*>(own)}) {
            CHECK(cudaMemset(d_out.ptr, 0xEE, bytes) == cudaSuccess);
            const std::vector<const uint8_t*> ptr = b.pointers();
            CHECK_MSG(clip4j_preprocess_cuda_device(ptr.data(), b.widths.data(), b.heights.data(), (int32_t)ptr.size(), 224,
                                                    kMean, kStd, dtype, d_out.ptr, (int64_t)bytes, s) == CLIP4J_OK,
                      clip4j_last_error());
            std::vector<uint8_t> back(bytes);
            CHECK(cudaMemcpy(back.data(), d_out.ptr, bytes, cudaMemcpyDeviceToHost) == cudaSuccess);
            CHECK_MSG(back == host.values, "device-output preprocessing differs");
        }
        cudaStreamDestroy(own);
        // A host pointer where device memory is due is rejected before any kernel.
        std::vector<uint8_t> host_out(bytes);
        const std::vector<const uint8_t*> ptr = b.pointers();
        CHECK(clip4j_preprocess_cuda_device(ptr.data(), b.widths.data(), b.heights.data(), (int32_t)ptr.size(), 224,
                                            kMean, kStd, dtype, host_out.data(), (int64_t)bytes, nullptr) ==
              CLIP4J_ERR_INVALID_ARGUMENT);
    }
    // Concurrent callers (one per-thread stream each) get the same bytes.
    std::vector<Result> results(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] { results[t] = run_preprocess(clip4j_preprocess_cuda, b, 224, CLIP4J_FLOAT32); });
    }
    for (std::thread& t : threads) t.join();
    for (const Result& r : results) CHECK_MSG(r.status == CLIP4J_OK && r.values == gpu.values, "concurrent call");
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, (double)std::fabs(a[i] - b[i]));
    return worst;
}

// GPU top-k must be a correct top-k of the CPU probabilities (near-ties may swap), with matching values.
// Probabilities may differ by 1e-6 plus p * 2 * logit_error: the softmax of logits that differ by at most
// logit_error (when the GPU computed the logits itself) moves each p by at most that much, to first order.
void check_topk(const std::string& what, const std::vector<float>& cpu_probs, int n, int m, int k,
        const std::vector<float>& cpu_p, const std::vector<int32_t>& cpu_i, const std::vector<float>& gpu_p,
        const std::vector<int32_t>& gpu_i, double logit_error = 0.0) {
    int bad = 0, swapped = 0;
    for (int r = 0; r < n; ++r)
        for (int j = 0; j < k; ++j) {
            const size_t at = (size_t)r * k + j;
            const int32_t gi = gpu_i[at];
            const bool valid = gi >= 0 && gi < m;
            const double tol = 1e-6 + 2.0 * logit_error * cpu_p[at];
            bad += !valid || std::fabs(gpu_p[at] - cpu_p[at]) > tol ||
                   (valid && std::fabs(cpu_probs[(size_t)r * m + gi] - cpu_p[at]) > tol);
            swapped += gi != cpu_i[at];
        }
    CHECK_MSG(bad == 0, what + ": " + std::to_string(bad) + " top-k entries differ from the CPU");
    std::printf("%s: %d of %d top-k indices differ from the CPU only by near-tie order\n", what.c_str(), swapped, n * k);
}

// The logit reported with each pick is the logits_per_image entry of that column.
void check_pick_logits(const std::string& what, const std::vector<float>& logits, int m, int k,
        const std::vector<int32_t>& idx, const std::vector<float>& top_l, double tol) {
    int bad = 0;
    for (size_t at = 0; at < idx.size(); ++at) {
        const size_t row = at / k;
        bad += idx[at] < 0 || idx[at] >= m || std::fabs(top_l[at] - logits[row * m + idx[at]]) > tol;
    }
    CHECK_MSG(bad == 0, what + ": " + std::to_string(bad) + " pick logits differ");
}

void scores(int n, int m, int d, int k) {
    const std::string what = std::to_string(n) + "x" + std::to_string(m) + "x" + std::to_string(d);
    const float scale = 100.0f;
    const std::vector<float> img = random_matrix(n, d, 1), txt = random_matrix(m, d, 2);
    std::vector<float> cpu((size_t)n * m), gpu((size_t)n * m);
    CHECK(clip4j_similarity_cpu(img.data(), n, txt.data(), m, d, scale, cpu.data()) == CLIP4J_OK);
    CHECK_MSG(clip4j_similarity_cuda(img.data(), n, txt.data(), m, d, scale, gpu.data()) == CLIP4J_OK, clip4j_last_error());
    const double dl = max_abs_diff(cpu, gpu);
    CHECK_MSG(dl <= 1e-5 * scale, what + " logits max diff " + std::to_string(dl));

    std::vector<float> cpu_probs((size_t)n * m), gpu_probs((size_t)n * m), cp((size_t)n * k), gp((size_t)n * k);
    std::vector<int32_t> ci((size_t)n * k), gi((size_t)n * k);
    CHECK(clip4j_softmax_topk_cpu(cpu.data(), n, m, k, cpu_probs.data(), cp.data(), ci.data()) == CLIP4J_OK);
    CHECK_MSG(clip4j_softmax_topk_cuda(cpu.data(), n, m, k, gpu_probs.data(), gp.data(), gi.data()) == CLIP4J_OK,
              clip4j_last_error());
    const double dp = max_abs_diff(cpu_probs, gpu_probs);
    CHECK_MSG(dp <= 1e-6, what + " probs max diff " + std::to_string(dp));
    check_topk(what + " softmax_topk", cpu_probs, n, m, k, cp, ci, gp, gi);

    std::fill(gp.begin(), gp.end(), -1.0f);
    std::vector<float> gl((size_t)n * k);
    CHECK_MSG(clip4j_zero_shot_topk_cuda(img.data(), n, txt.data(), m, d, scale, k, gp.data(), gi.data(), gl.data()) ==
                  CLIP4J_OK,
              clip4j_last_error());
    check_topk(what + " zero_shot_topk", cpu_probs, n, m, k, cp, ci, gp, gi, 1e-5 * scale);
    check_pick_logits(what + " zero_shot_topk", cpu, m, k, gi, gl, 1e-5 * scale);

    // Features already in device memory (as LibTorch leaves them): same results, only [n, k] comes back.
    DeviceCopy d_img(img), d_txt(txt);
    std::vector<float> zp((size_t)n * k, -1.0f), zl((size_t)n * k);
    std::vector<int32_t> zi((size_t)n * k);
    CHECK_MSG(clip4j_zero_shot_topk_cuda_device(d_img.ptr, n, d_txt.ptr, m, d, scale, k, zp.data(), zi.data(),
                                                zl.data(), nullptr) == CLIP4J_OK,
              clip4j_last_error());
    CHECK_MSG(zp == gp && zi == gi && zl == gl, what + " device zero_shot_topk differs from the host-pointer one");
    // On a caller's stream, after work the caller queued there: same results, current device unchanged.
    cudaStream_t own = nullptr;
    CHECK(cudaStreamCreateWithFlags(&own, cudaStreamNonBlocking) == cudaSuccess);
    DeviceCopy d_img2(std::vector<float>(img.size(), 0.0f));
    CHECK(cudaMemcpyAsync(d_img2.ptr, d_img.ptr, img.size() * sizeof(float), cudaMemcpyDeviceToDevice, own) ==
          cudaSuccess);
    int before = -1, after = -2;
    cudaGetDevice(&before);
    std::fill(zp.begin(), zp.end(), -1.0f);
    CHECK_MSG(clip4j_zero_shot_topk_cuda_device(d_img2.ptr, n, d_txt.ptr, m, d, scale, k, zp.data(), zi.data(),
                                                zl.data(), own) == CLIP4J_OK,
              clip4j_last_error());
    cudaGetDevice(&after);
    CHECK_MSG(zp == gp && zi == gi && zl == gl, what + " device zero_shot_topk on a caller's stream differs");
    CHECK_MSG(before == after, "the current device is restored");
    cudaStreamDestroy(own);
}

// Features on another GPU than the current one: the call runs there and leaves the current device alone;
// features on two different GPUs are refused. Needs two GPUs (the emulator has two).
void second_gpu() {
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count < 2) {
        std::printf("fewer than two GPUs: the second-GPU checks do not apply\n");
        return;
    }
    const int n = 4, m = 6, d = 8, k = 3;
    const float scale = 100.0f;
    const std::vector<float> img = random_matrix(n, d, 11), txt = random_matrix(m, d, 12);
    std::vector<float> cp(n * k), gp(n * k, -1.0f), gl(n * k);
    std::vector<int32_t> ci(n * k), gi(n * k, -1);
    CHECK(clip4j_zero_shot_topk_cpu(img.data(), n, txt.data(), m, d, scale, k, cp.data(), ci.data(), nullptr) ==
          CLIP4J_OK);
    int before = -1, after = -2;
    CHECK(cudaGetDevice(&before) == cudaSuccess);
    const int other = before == 0 ? 1 : 0;
    CHECK(cudaSetDevice(other) == cudaSuccess);
    DeviceCopy d_img(img), d_txt(txt);
    CHECK(cudaSetDevice(before) == cudaSuccess);
    CHECK_MSG(clip4j_zero_shot_topk_cuda_device(d_img.ptr, n, d_txt.ptr, m, d, scale, k, gp.data(), gi.data(),
                                                gl.data(), nullptr) == CLIP4J_OK,
              clip4j_last_error());
    CHECK(cudaGetDevice(&after) == cudaSuccess);
    CHECK_MSG(after == before, "the current device is restored after a call on GPU " + std::to_string(other));
    CHECK_MSG(gi == ci, "top-k indices on GPU " + std::to_string(other));
    for (int i = 0; i < n * k; ++i) CHECK_MSG(std::fabs(gp[i] - cp[i]) <= 1e-4, "top-k probability " + std::to_string(i));

    // A stream of the current GPU while the data is on the other one: refused, with both GPUs named.
    cudaStream_t here = nullptr;
    CHECK(cudaStreamCreate(&here) == cudaSuccess);
    CHECK(clip4j_zero_shot_topk_cuda_device(d_img.ptr, n, d_txt.ptr, m, d, scale, k, gp.data(), gi.data(), nullptr,
                                            here) == CLIP4J_ERR_INVALID_ARGUMENT);
    CHECK_MSG(std::strstr(clip4j_last_error(), ("stream belongs to GPU " + std::to_string(before) +
                                                ", the data is on GPU " + std::to_string(other)).c_str()) != nullptr,
              clip4j_last_error());
    cudaStreamDestroy(here);

    DeviceCopy d_txt_here(txt);  // on the current GPU, while d_img is on the other
    CHECK(clip4j_zero_shot_topk_cuda_device(d_img.ptr, n, d_txt_here.ptr, m, d, scale, k, gp.data(), gi.data(),
                                            nullptr, nullptr) == CLIP4J_ERR_INVALID_ARGUMENT);
    CHECK_MSG(std::strstr(clip4j_last_error(), "text_features is on GPU") != nullptr, clip4j_last_error());

    // Preprocessing into a buffer on the other GPU gives the host path's bytes.
    Batch b;
    b.add(noise(37 * 29 * 3, 99), 37, 29);
    const Result host = run_preprocess(clip4j_preprocess_cuda, b, 16, CLIP4J_FLOAT32);
    CHECK(cudaSetDevice(other) == cudaSuccess);
    DeviceBytes d_out(host.values.size());
    CHECK(cudaSetDevice(before) == cudaSuccess);
    const std::vector<const uint8_t*> ptr = b.pointers();
    CHECK_MSG(clip4j_preprocess_cuda_device(ptr.data(), b.widths.data(), b.heights.data(), 1, 16, kMean, kStd,
                                            CLIP4J_FLOAT32, d_out.ptr, (int64_t)host.values.size(), nullptr) ==
                  CLIP4J_OK,
              clip4j_last_error());
    std::vector<uint8_t> back(host.values.size());
    CHECK(cudaMemcpy(back.data(), d_out.ptr, back.size(), cudaMemcpyDeviceToHost) == cudaSuccess);
    CHECK_MSG(back == host.values, "preprocessing into GPU " + std::to_string(other));
    CHECK(cudaGetDevice(&after) == cudaSuccess && after == before);
}

void exact_ties() {
    const float logits[2 * 5] = {1.0f, 3.0f, 3.0f, 0.0f, 3.0f, 2.0f, 2.0f, 2.0f, 2.0f, 2.0f};
    float p[10];
    int32_t idx[10];
    CHECK(clip4j_softmax_topk_cuda(logits, 2, 5, 5, nullptr, p, idx) == CLIP4J_OK);
    const int32_t want[10] = {1, 2, 4, 0, 3, 0, 1, 2, 3, 4};
    for (int i = 0; i < 10; ++i) CHECK_MSG(idx[i] == want[i], "GPU tie order at " + std::to_string(i));
    // Ties spread over all threads of a block: lowest index first, for the one-pass top-k (k <= 16) and the
    // k-pass one. Row 1 holds its maximum twice, at the end of two different threads' strides.
    for (int k : {1, 16, 17, 40}) {
        const int m = 1000;
        std::vector<float> wide(2 * m, 0.5f), wp(2 * k);
        std::vector<int32_t> wi(2 * k);
        wide[m + 999] = wide[m + 998] = 2.0f;
        CHECK(clip4j_softmax_topk_cuda(wide.data(), 2, m, k, nullptr, wp.data(), wi.data()) == CLIP4J_OK);
        for (int r = 0; r < k; ++r) {
            CHECK_MSG(wi[r] == r, "GPU tie order, k = " + std::to_string(k) + ", pick " + std::to_string(r));
            const int32_t want_second = r < 2 ? 998 + r : r - 2;
            CHECK_MSG(wi[k + r] == want_second, "GPU tie order with two maxima, k = " + std::to_string(k));
        }
    }
}

// Degenerate features on the device. A zero row stays zero, as on the CPU: its logits are 0, its probabilities
// uniform. Device memory is not checked for NaN or infinity (the host cannot read it without a copy): such a
// value makes the probabilities of its image row NaN, or of every row when it is in text_features, and NaN
// ranks first with the lower index on ties, as kernels.h documents.
void degenerate_features() {
    const int n = 3, m = 4, d = 5, k = 4;
    const float scale = 100.0f;
    std::vector<float> img = random_matrix(n, d, 21), txt = random_matrix(m, d, 22);
    std::fill(img.begin() + d, img.begin() + 2 * d, 0.0f);      // image 1 is zero
    std::fill(txt.begin() + 2 * d, txt.begin() + 3 * d, 0.0f);  // class 2 is zero
    std::vector<float> cp(n * k), cl(n * k), gp(n * k), gl(n * k);
    std::vector<int32_t> ci(n * k), gi(n * k);
    CHECK(clip4j_zero_shot_topk_cpu(img.data(), n, txt.data(), m, d, scale, k, cp.data(), ci.data(), cl.data()) ==
          CLIP4J_OK);
    const auto on_device = [&](const std::vector<float>& image, const std::vector<float>& text) {
        DeviceCopy d_img(image), d_txt(text);
        CHECK_MSG(clip4j_zero_shot_topk_cuda_device(d_img.ptr, n, d_txt.ptr, m, d, scale, k, gp.data(), gi.data(),
                                                    gl.data(), nullptr) == CLIP4J_OK,
                  clip4j_last_error());
    };
    on_device(img, txt);
    CHECK_MSG(gi == ci, "zero rows: top-k indices differ from the CPU");
    for (int i = 0; i < n * k; ++i) {
        CHECK_MSG(std::fabs(gp[i] - cp[i]) <= 1e-4 && std::fabs(gl[i] - cl[i]) <= 1e-5 * scale,
                  "zero rows: pick " + std::to_string(i) + " differs from the CPU");
    }
    for (int r = 0; r < k; ++r) CHECK_MSG(gi[k + r] == r && gp[k + r] == 0.25f && gl[k + r] == 0.0f, "zero image row");

    img[0] = NAN;            // image 0
    img[2 * d + 3] = INFINITY;  // image 2
    on_device(img, txt);
    for (int r = 0; r < k; ++r) {
        CHECK_MSG(std::isnan(gp[r]) && std::isnan(gp[2 * k + r]) && gi[r] == r && gi[2 * k + r] == r,
                  "a non-finite image row gives NaN probabilities, columns in order");
        CHECK_MSG(gp[k + r] == 0.25f, "the other rows are unaffected");
    }
    img[0] = img[2 * d + 3] = 1.0f;
    txt[3 * d] = NAN;  // class 3
    on_device(img, txt);
    for (int i = 0; i < n * k; ++i) CHECK_MSG(std::isnan(gp[i]), "a non-finite text row gives NaN in every row");
}

// Features far from unit length (an untrained or float16-overflowing checkpoint) still normalise: the sum of
// squares must neither overflow (|x| ~ 1e20) nor underflow (|x| ~ 1e-25) in float32.
void extreme_magnitudes() {
    const int n = 3, m = 4, d = 37;
    std::vector<float> img = random_matrix(n, d, 31), txt = random_matrix(m, d, 32);
    std::vector<float> expected(n * m), big(n * m), cpu(n * m);
    CHECK(clip4j_similarity_cpu(img.data(), n, txt.data(), m, d, 100.0f, expected.data()) == CLIP4J_OK);
    for (int j = 0; j < d; ++j) {
        img[j] *= 1e20f;           // image 0
        img[2 * d + j] *= 1e-25f;  // image 2
        txt[d + j] *= 1e30f;       // class 1
    }
    CHECK(clip4j_similarity_cpu(img.data(), n, txt.data(), m, d, 100.0f, cpu.data()) == CLIP4J_OK);
    CHECK_MSG(clip4j_similarity_cuda(img.data(), n, txt.data(), m, d, 100.0f, big.data()) == CLIP4J_OK,
              clip4j_last_error());
    for (int i = 0; i < n * m; ++i) {
        CHECK_MSG(std::fabs(cpu[i] - expected[i]) <= 1e-3f && std::fabs(big[i] - expected[i]) <= 1e-3f,
                  "logit " + std::to_string(i) + ": " + std::to_string(big[i]) + " (GPU), " + std::to_string(cpu[i]) +
                          " (CPU), " + std::to_string(expected[i]) + " unscaled");
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s <testdata dir>\n", argv[0]);
        return 2;
    }
    testdata = argv[1];
    if (!clip4j_cuda_available()) {
        std::printf("SKIPPED: %s\n", clip4j_last_error());
        return kSkipReturnCode;
    }
    preprocessing();
    exact_ties();
    scores(3, 5, 7, 2);
    scores(300, 1001, 509, 5);
#ifdef CLIP4J_TEST_EMULATED
    // The emulator's row blocks are 1 MiB (cpp/emulator/CMakeLists.txt): this crosses 9 of them.
    scores(700, 3000, 32, 10);
#else
    scores(3500, 20000, 32, 10);  // > 1 row block of 256 MB in the CUDA path
#endif
    scores(2, 300, 64, 300);      // k = m
    scores(8, 5000, 16, 16);      // the largest k of the one-pass top-k
    scores(8, 5000, 16, 17);      // the smallest of the k-pass one
    second_gpu();
    degenerate_features();
    extreme_magnitudes();
    return check::finish("test_gpu");
}
