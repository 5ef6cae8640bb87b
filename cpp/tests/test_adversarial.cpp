// Adversarial arguments for every public function: extreme sizes, k out of range, outputs that overlap inputs or
// each other, extreme but valid values. Bad arguments must give CLIP4J_ERR_INVALID_ARGUMENT with a message before
// any work; valid extremes must give finite, CPU == CUDA results. Meant to run under AddressSanitizer/UBSan (the
// emulated build, test_adversarial_emulated, always is), where a stray read or write fails the test.
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "clip4j/kernels.h"

namespace {

const float kMean[3] = {CLIP4J_CLIP_MEAN_R, CLIP4J_CLIP_MEAN_G, CLIP4J_CLIP_MEAN_B};
const float kStd[3] = {CLIP4J_CLIP_STD_R, CLIP4J_CLIP_STD_G, CLIP4J_CLIP_STD_B};

bool cuda_runs() { return clip4j_built_with_cuda() && clip4j_cuda_available(); }

// An invalid argument, reported with a message containing `word` and the function's name.
bool refused(clip4j_status st, const char* fn, const char* word) {
    const char* msg = clip4j_last_error();
    const bool ok = st == CLIP4J_ERR_INVALID_ARGUMENT && std::strstr(msg, word) && std::strstr(msg, fn);
    if (!ok) std::fprintf(stderr, "  %s: status %d, message '%s', expected '%s'\n", fn, (int)st, msg, word);
    return ok;
}

// Valid arguments: OK, or NO_CUDA / NO_DEVICE for a _cuda function that cannot run here.
bool accepted(clip4j_status st, bool is_cuda) {
    const bool ok = st == CLIP4J_OK ||
                    (is_cuda && (st == CLIP4J_ERR_NO_CUDA || st == CLIP4J_ERR_NO_DEVICE) && !cuda_runs());
    if (!ok) std::fprintf(stderr, "  status %d, message '%s'\n", (int)st, clip4j_last_error());
    return ok;
}

using PreprocessFn = clip4j_status (*)(const uint8_t* const*, const int32_t*, const int32_t*, int32_t, int32_t,
                                       const float*, const float*, clip4j_dtype, void*, uint8_t*);
using SimilarityFn = clip4j_status (*)(const float*, int32_t, const float*, int32_t, int32_t, float, float*);
using SoftmaxFn = clip4j_status (*)(const float*, int32_t, int32_t, int32_t, float*, float*, int32_t*);
using ZeroShotFn = clip4j_status (*)(const float*, int32_t, const float*, int32_t, int32_t, float, int32_t, float*,
                                     int32_t*, float*);

struct Preprocess {
    PreprocessFn fn;
    const char* name;
    bool cuda;
};
struct Similarity {
    SimilarityFn fn;
    const char* name;
    bool cuda;
};
struct Softmax {
    SoftmaxFn fn;
    const char* name;
    bool cuda;
};
struct ZeroShot {
    ZeroShotFn fn;
    const char* name;
    bool cuda;
};

clip4j_status zero_shot_device(const float* a, int32_t n, const float* b, int32_t m, int32_t d, float s, int32_t k,
        float* p, int32_t* i, float* l) {
    return clip4j_zero_shot_topk_cuda_device(a, n, b, m, d, s, k, p, i, l, nullptr);
}

const Preprocess kPreprocess[] = {{clip4j_preprocess_cpu, "clip4j_preprocess_cpu", false},
                                  {clip4j_preprocess_cuda, "clip4j_preprocess_cuda", true}};
const Similarity kSimilarity[] = {{clip4j_similarity_cpu, "clip4j_similarity_cpu", false},
                                  {clip4j_similarity_cuda, "clip4j_similarity_cuda", true}};
const Softmax kSoftmax[] = {{clip4j_softmax_topk_cpu, "clip4j_softmax_topk_cpu", false},
                            {clip4j_softmax_topk_cuda, "clip4j_softmax_topk_cuda", true}};
const ZeroShot kZeroShot[] = {{clip4j_zero_shot_topk_cpu, "clip4j_zero_shot_topk_cpu", false},
                              {clip4j_zero_shot_topk_cuda, "clip4j_zero_shot_topk_cuda", true},
                              {zero_shot_device, "clip4j_zero_shot_topk_cuda_device", true}};

// Sizes out of range at both ends of int32, for every function; the buffers are small, so a missed check shows
// up as a sanitizer report or a crash rather than passing by luck.
void extreme_sizes() {
    const uint8_t px[12] = {};
    const uint8_t* images[2] = {px, px};
    const int32_t one[2] = {2, 2}, neg[1] = {-1}, min[1] = {INT32_MIN}, max[1] = {INT32_MAX};
    float out[2 * 3 * 4 * 4];
    uint8_t rgb[2 * 3 * 4 * 4];
    for (const Preprocess& p : kPreprocess) {
        for (int32_t count : {0, -1, INT32_MIN}) {
            CHECK(refused(p.fn(images, one, one, count, 4, kMean, kStd, CLIP4J_FLOAT32, out, rgb), p.name, "count"));
        }
        for (int32_t n_px : {0, -1, 8193, INT32_MAX, INT32_MIN}) {
            CHECK(refused(p.fn(images, one, one, 1, n_px, kMean, kStd, CLIP4J_FLOAT32, out, rgb), p.name, "n_px"));
        }
        for (const int32_t* bad : {neg, min, max}) {
            CHECK(refused(p.fn(images, bad, one, 1, 4, kMean, kStd, CLIP4J_FLOAT32, out, rgb), p.name, "image 0: size"));
            CHECK(refused(p.fn(images, one, bad, 1, 4, kMean, kStd, CLIP4J_FLOAT32, out, rgb), p.name, "image 0: size"));
        }
        for (int dtype : {-1, 2, INT32_MAX, INT32_MIN}) {
            CHECK(refused(p.fn(images, one, one, 1, 4, kMean, kStd, (clip4j_dtype)dtype, out, rgb), p.name, "dtype"));
        }
        const float nan_mean[3] = {0, NAN, 0}, inf_std[3] = {1, 1, INFINITY}, neg_std[3] = {-1, 1, 1};
        CHECK(refused(p.fn(images, one, one, 1, 4, nan_mean, kStd, CLIP4J_FLOAT32, out, rgb), p.name, "mean[1]"));
        CHECK(refused(p.fn(images, one, one, 1, 4, kMean, inf_std, CLIP4J_FLOAT32, out, rgb), p.name, "std[2]"));
        CHECK(refused(p.fn(images, one, one, 1, 4, kMean, neg_std, CLIP4J_FLOAT32, out, rgb), p.name, "std[0]"));
    }
    // The device variant: out_bytes too small, negative or absurd, on top of the shared checks.
    for (int64_t bytes : {(int64_t)0, (int64_t)-1, INT64_MIN, (int64_t)sizeof(out) / 2 - 1}) {
        CHECK(refused(clip4j_preprocess_cuda_device(images, one, one, 1, 4, kMean, kStd, CLIP4J_FLOAT32, out, bytes,
                                                    nullptr),
                      "clip4j_preprocess_cuda_device", "out_bytes"));
    }
    CHECK(refused(clip4j_preprocess_cuda_device(images, one, one, INT32_MIN, 4, kMean, kStd, CLIP4J_FLOAT32, out,
                                                INT64_MAX, nullptr),
                  "clip4j_preprocess_cuda_device", "count"));

    const float a[4] = {1, 2, 3, 4};
    float o[4];
    int32_t idx[4];
    for (const Similarity& s : kSimilarity) {
        for (int32_t bad : {0, -1, INT32_MIN}) {
            CHECK(refused(s.fn(a, bad, a, 2, 2, 1.0f, o), s.name, "n (image rows)"));
            CHECK(refused(s.fn(a, 2, a, bad, 2, 1.0f, o), s.name, "m (text rows)"));
            CHECK(refused(s.fn(a, 2, a, 2, bad, 1.0f, o), s.name, "embed_dim"));
        }
        for (float scale : {NAN, INFINITY, -INFINITY}) CHECK(refused(s.fn(a, 2, a, 2, 2, scale, o), s.name, "logit_scale"));
    }
    for (const Softmax& s : kSoftmax) {
        for (int32_t bad : {0, -1, INT32_MIN}) {
            CHECK(refused(s.fn(a, bad, 2, 1, nullptr, o, idx), s.name, "n (rows)"));
            CHECK(refused(s.fn(a, 2, bad, 1, nullptr, o, idx), s.name, "m (columns)"));
        }
        for (int32_t k : {0, -1, 3, INT32_MAX, INT32_MIN}) {
            CHECK(refused(s.fn(a, 2, 2, k, nullptr, o, idx), s.name, "k must be in [1, m=2]"));
        }
    }
    for (const ZeroShot& z : kZeroShot) {
        for (int32_t bad : {0, -1, INT32_MIN}) {
            CHECK(refused(z.fn(a, bad, a, 2, 2, 1.0f, 1, o, idx, nullptr), z.name, "n (image rows)"));
            CHECK(refused(z.fn(a, 2, a, bad, 2, 1.0f, 1, o, idx, nullptr), z.name, "m (text rows)"));
            CHECK(refused(z.fn(a, 2, a, 2, bad, 1.0f, 1, o, idx, nullptr), z.name, "embed_dim"));
        }
        for (int32_t k : {0, -1, 3, INT32_MAX, INT32_MIN}) {
            CHECK(refused(z.fn(a, 2, a, 2, 2, 1.0f, k, o, idx, nullptr), z.name, "k must be in [1, m=2]"));
        }
        CHECK(refused(z.fn(a, 2, a, 2, 2, NAN, 1, o, idx, nullptr), z.name, "logit_scale"));
        // Finite, but scale * cosine can overflow: the softmax would give NaN probabilities.
        for (float scale : {FLT_MAX, -FLT_MAX, 2e30f}) {
            CHECK(refused(z.fn(a, 2, a, 2, 2, scale, 1, o, idx, nullptr), z.name, "|logit_scale| must be <= 1e30"));
        }
    }
    CHECK(clip4j_cuda_device_available(INT32_MIN) == 0 && std::strlen(clip4j_last_error()) > 0);
    CHECK(clip4j_cuda_device_available(INT32_MAX) == 0 && std::strlen(clip4j_last_error()) > 0);
}

// An output that overlaps an input or another output is refused, naming both, whichever implementation runs:
// the CPU code would read back what it wrote and the CUDA code copies at other times, so results would be wrong
// and differ. Inputs may share memory (a matrix against itself is a valid question).
void overlapping_buffers() {
    // similarity: out_logits [2, 2] over image_features [2, 3], text_features [2, 3]
    for (const Similarity& s : kSimilarity) {
        float buf[16] = {1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0};
        CHECK(refused(s.fn(buf, 2, buf + 6, 2, 3, 1.0f, buf), s.name, "out_logits overlaps image_features"));
        CHECK(refused(s.fn(buf, 2, buf + 6, 2, 3, 1.0f, buf + 8), s.name, "out_logits overlaps text_features"));
        CHECK(refused(s.fn(buf, 2, buf + 6, 2, 3, 1.0f, buf + 5), s.name, "out_logits overlaps image_features"));
        // Adjacent is not overlapping; the same matrix as both inputs is fine.
        CHECK(accepted(s.fn(buf, 2, buf + 6, 2, 3, 1.0f, buf + 12), s.cuda));
        CHECK(accepted(s.fn(buf, 2, buf, 2, 3, 1.0f, buf + 12), s.cuda));
    }
    // softmax_topk: logits [2, 3], k = 2
    for (const Softmax& s : kSoftmax) {
        float buf[32] = {3, 5, 1, 2, 0, 4};
        float* logits = buf;
        int32_t idx[4];
        float probs[6], top[4];
        CHECK(refused(s.fn(logits, 2, 3, 2, logits, top, idx), s.name, "out_probs overlaps logits"));
        CHECK(refused(s.fn(logits, 2, 3, 2, probs, logits + 5, idx), s.name, "out_top_probs overlaps logits"));
        CHECK(refused(s.fn(logits, 2, 3, 2, buf + 8, buf + 8, idx), s.name, "out_probs overlaps out_top_probs"));
        CHECK(refused(s.fn(logits, 2, 3, 2, probs, buf + 8, reinterpret_cast<int32_t*>(buf + 11)), s.name,
                      "out_top_probs overlaps out_top_indices"));
        CHECK(refused(s.fn(logits, 2, 3, 2, nullptr, top, reinterpret_cast<int32_t*>(buf + 2)), s.name,
                      "out_top_indices overlaps logits"));
        CHECK(accepted(s.fn(logits, 2, 3, 2, buf + 6, buf + 12, reinterpret_cast<int32_t*>(buf + 16)), s.cuda));
    }
    // zero_shot: image [2, 2], text [3, 2], k = 2 -> outputs [2, 2] each
    for (const ZeroShot& z : kZeroShot) {
        if (std::strstr(z.name, "_device")) continue;  // device inputs: below
        float buf[32] = {1, 0, 0, 1, 1, 0, 0, 1, 1, 1};
        const float* image = buf;
        const float* text = buf + 4;
        int32_t idx[4];
        float top[4];
        CHECK(refused(z.fn(image, 2, text, 3, 2, 1.0f, 2, buf + 2, idx, nullptr), z.name, "out_top_probs overlaps image_features"));
        CHECK(refused(z.fn(image, 2, text, 3, 2, 1.0f, 2, top, reinterpret_cast<int32_t*>(buf + 9), nullptr), z.name,
                      "out_top_indices overlaps text_features"));
        CHECK(refused(z.fn(image, 2, text, 3, 2, 1.0f, 2, top, idx, buf + 6), z.name, "out_top_logits overlaps text_features"));
        CHECK(refused(z.fn(image, 2, text, 3, 2, 1.0f, 2, top, idx, top + 3), z.name, "out_top_probs overlaps out_top_logits"));
        CHECK(accepted(z.fn(image, 2, text, 3, 2, 1.0f, 2, buf + 10, reinterpret_cast<int32_t*>(buf + 14), buf + 18), z.cuda));
    }
    // preprocess: a 2x2 image to n_px = 2 -> out [1, 3, 2, 2]
    for (const Preprocess& p : kPreprocess) {
        std::vector<float> buf(64, 0.0f);
        uint8_t* bytes = reinterpret_cast<uint8_t*>(buf.data());
        const uint8_t* images[1] = {bytes};  // 12 bytes of pixels at the start
        const int32_t w[1] = {2}, h[1] = {2};
        float* out = buf.data() + 16;
        uint8_t* rgb = reinterpret_cast<uint8_t*>(buf.data() + 32);
        CHECK(refused(p.fn(images, w, h, 1, 2, kMean, kStd, CLIP4J_FLOAT32, buf.data() + 2, rgb), p.name,
                      "out_pixel_values overlaps image 0"));
        CHECK(refused(p.fn(images, w, h, 1, 2, kMean, kStd, CLIP4J_FLOAT32, out, bytes + 11), p.name,
                      "out_rgb_u8 overlaps image 0"));
        CHECK(refused(p.fn(images, w, h, 1, 2, kMean, kStd, CLIP4J_FLOAT32, out, reinterpret_cast<uint8_t*>(out + 11)),
                      p.name, "out_pixel_values overlaps out_rgb_u8"));
        float* params = buf.data() + 48;  // mean and std inside the output
        std::memcpy(params, kMean, sizeof kMean);
        std::memcpy(params + 3, kStd, sizeof kStd);
        CHECK(refused(p.fn(images, w, h, 1, 2, params, params + 3, CLIP4J_FLOAT16, params + 5, nullptr), p.name,
                      "out_pixel_values overlaps std"));
        int32_t* sizes = reinterpret_cast<int32_t*>(buf.data() + 60);
        sizes[0] = 2;
        CHECK(refused(p.fn(images, sizes, sizes, 1, 2, kMean, kStd, CLIP4J_FLOAT32, out, bytes + 4 * 60), p.name,
                      "out_rgb_u8 overlaps widths"));
        CHECK(accepted(p.fn(images, w, h, 1, 2, kMean, kStd, CLIP4J_FLOAT32, out, rgb), p.cuda));
    }
    // The device entry point checks the same before it looks at where the memory lives.
    {
        uint8_t px[12 + 48] = {};
        const uint8_t* images[1] = {px};
        const int32_t w[1] = {2}, h[1] = {2};
        CHECK(refused(clip4j_preprocess_cuda_device(images, w, h, 1, 2, kMean, kStd, CLIP4J_FLOAT32, px + 4, 48, nullptr),
                      "clip4j_preprocess_cuda_device", "out_pixel_values overlaps image 0"));
        float buf[16] = {1, 0, 0, 1};
        int32_t idx[2];
        CHECK(refused(clip4j_zero_shot_topk_cuda_device(buf, 2, buf, 2, 2, 1.0f, 1, buf + 3, idx, nullptr, nullptr),
                      "clip4j_zero_shot_topk_cuda_device", "out_top_probs overlaps image_features"));
    }
}

// Valid but extreme inputs: finite, sensible results, and the CUDA path (where it runs) agrees with the CPU.
void extreme_values() {
    // Features at the ends of the float range: whatever their scale, finite rows normalise to unit rows (a float
    // norm overflowed for the first row, which became zeros, and a subnormal one made the second (1, 1)).
    const float big = 3e38f, tiny = 1e-45f;
    const float image[6] = {big, big, tiny, tiny, -big, 0.0f};  // [3, 2]
    const float text[4] = {1.0f, 1.0f, -tiny, 0.0f};            // [2, 2]
    const float half_sqrt2 = 70.710678f;
    const float expected[6] = {100.0f, -half_sqrt2, 100.0f, -half_sqrt2, -half_sqrt2, 100.0f};
    float cpu[6], gpu[6];
    CHECK(clip4j_similarity_cpu(image, 3, text, 2, 2, 100.0f, cpu) == CLIP4J_OK);
    for (int i = 0; i < 6; ++i) CHECK_MSG(std::fabs(cpu[i] - expected[i]) < 1e-3f, std::to_string(cpu[i]));
    if (cuda_runs()) {
        CHECK(clip4j_similarity_cuda(image, 3, text, 2, 2, 100.0f, gpu) == CLIP4J_OK);
        for (int i = 0; i < 6; ++i) CHECK_MSG(std::fabs(gpu[i] - expected[i]) < 1e-3f, std::to_string(gpu[i]));
    }
    for (const ZeroShot& z : kZeroShot) {
        if (std::strstr(z.name, "_device")) continue;
        float p[3], l[3];
        int32_t i[3];
        const clip4j_status st = z.fn(image, 3, text, 2, 2, 100.0f, 1, p, i, l);
        CHECK(accepted(st, z.cuda));
        if (st == CLIP4J_OK) CHECK(i[0] == 0 && i[1] == 0 && i[2] == 1 && std::fabs(l[1] - 100.0f) < 1e-3f);
    }
    // The largest zero-shot logit_scale, with rows whose cosines round above 1 (and -1): finite probabilities.
    std::vector<float> row(64), classes(2 * 64);
    uint32_t seed = 7;
    for (int attempt = 0; attempt < 10; ++attempt) {
        for (int j = 0; j < 64; ++j) {
            seed = seed * 1664525u + 1013904223u;
            row[j] = (float)(seed >> 8) / 16777216.0f - 0.5f;
            classes[j] = row[j];
            classes[64 + j] = -row[j];
        }
        for (const ZeroShot& z : kZeroShot) {
            if (std::strstr(z.name, "_device")) continue;
            float p[2], l[2];
            int32_t i[2];
            const clip4j_status st = z.fn(row.data(), 1, classes.data(), 2, 64, CLIP4J_MAX_ZERO_SHOT_LOGIT_SCALE, 2, p,
                                          i, l);
            CHECK(accepted(st, z.cuda));
            if (st == CLIP4J_OK) CHECK(p[0] == 1.0f && p[1] == 0.0f && i[0] == 0 && std::isfinite(l[0]) && std::isfinite(l[1]));
        }
    }
    // Logits at the ends of the float range, and k == m with equal values: finite probabilities summing to 1.
    const float logits[8] = {FLT_MAX, -FLT_MAX, 0.0f, FLT_MAX, 7.0f, 7.0f, 7.0f, 7.0f};
    for (const Softmax& s : kSoftmax) {
        float probs[8], top[8];
        int32_t idx[8];
        const clip4j_status st = s.fn(logits, 2, 4, 4, probs, top, idx);
        CHECK(accepted(st, s.cuda));
        if (st != CLIP4J_OK) continue;
        CHECK(top[0] == 0.5f && top[1] == 0.5f && idx[0] == 0 && idx[1] == 3 && top[2] == 0.0f);
        for (int r = 0; r < 4; ++r) CHECK(idx[4 + r] == r && top[4 + r] == 0.25f);
        for (float v : probs) CHECK(std::isfinite(v));
    }
    // m == 1, k == 1, d == 1, a zero row: probability 1 for the only class.
    const float zero[1] = {0.0f}, one[1] = {-2.0f};
    for (const ZeroShot& z : kZeroShot) {
        if (std::strstr(z.name, "_device")) continue;
        float p[1], l[1];
        int32_t i[1] = {-7};
        const clip4j_status st = z.fn(zero, 1, one, 1, 1, 100.0f, 1, p, i, l);
        CHECK(accepted(st, z.cuda));
        if (st == CLIP4J_OK) CHECK(p[0] == 1.0f && i[0] == 0 && l[0] == 0.0f);
    }
    // Preprocessing at the size limits: 1x1 upscaled, and 1048576x1 / 1x1048576 strips (extreme aspect ratios).
    const int32_t kSide = 1 << 20;
    std::vector<uint8_t> strip((size_t)kSide * 3);
    for (size_t j = 0; j < strip.size(); ++j) strip[j] = (uint8_t)(j * 7 + j / 3);
    const uint8_t* images[3] = {strip.data(), strip.data(), strip.data()};
    const int32_t widths[3] = {1, kSide, 1}, heights[3] = {1, 1, kSide};
    for (int32_t n_px : {1, 3, 64}) {
        const size_t elems = (size_t)3 * 3 * n_px * n_px;
        std::vector<float> out_cpu(elems), out_gpu(elems);
        std::vector<uint8_t> rgb_cpu(elems), rgb_gpu(elems);
        CHECK(clip4j_preprocess_cpu(images, widths, heights, 3, n_px, kMean, kStd, CLIP4J_FLOAT32, out_cpu.data(),
                                    rgb_cpu.data()) == CLIP4J_OK);
        for (float v : out_cpu) CHECK(std::isfinite(v));
        // The 1x1 image is one colour everywhere.
        for (size_t j = 0; j < (size_t)n_px * n_px * 3; ++j) CHECK(rgb_cpu[j] == strip[j % 3]);
        if (cuda_runs()) {
            CHECK(clip4j_preprocess_cuda(images, widths, heights, 3, n_px, kMean, kStd, CLIP4J_FLOAT32,
                                         out_gpu.data(), rgb_gpu.data()) == CLIP4J_OK);
            CHECK(std::memcmp(out_cpu.data(), out_gpu.data(), elems * sizeof(float)) == 0);
            CHECK(rgb_cpu == rgb_gpu);
        }
    }
}

// Messages are per thread, under concurrent failures, and every status has a name.
void messages() {
    std::vector<std::thread> threads;
    std::vector<int> ok(8, 0);
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([t, &ok] {
            const float x[2] = {1, 2};
            float p[2];
            int32_t i[2];
            bool all = true;
            for (int r = 0; r < 200; ++r) {
                const int32_t k = 3 + t;  // each thread's own bad k
                all = all && clip4j_softmax_topk_cpu(x, 1, 2, k, nullptr, p, i) == CLIP4J_ERR_INVALID_ARGUMENT &&
                      std::strstr(clip4j_last_error(), ("got " + std::to_string(k)).c_str());
            }
            ok[t] = all;
        });
    }
    for (std::thread& th : threads) th.join();
    for (int v : ok) CHECK(v);
    for (clip4j_status st : {CLIP4J_OK, CLIP4J_ERR_INVALID_ARGUMENT, CLIP4J_ERR_NO_CUDA, CLIP4J_ERR_NO_DEVICE,
                             CLIP4J_ERR_CUDA, CLIP4J_ERR_OUT_OF_MEMORY}) {
        CHECK(std::strncmp(clip4j_status_name(st), "CLIP4J_", 7) == 0);
    }
    CHECK(std::strcmp(clip4j_status_name(CLIP4J_STATUS_MAX_ENUM), "unknown clip4j_status") == 0);
    CHECK(std::strcmp(clip4j_status_name((clip4j_status)-1), "unknown clip4j_status") == 0);
}

}  // namespace

int main() {
    extreme_sizes();
    overlapping_buffers();
    extreme_values();
    messages();
    return check::finish("test_adversarial");
}
