// Bad arguments: every entry point returns CLIP4J_ERR_INVALID_ARGUMENT with a message naming the argument
// (for a non-finite value in host input, its position), before doing any work; messages are per thread; the _cuda functions validate first, then report
// "built without CUDA" / "no device" when they cannot run.
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

bool invalid_mentions(clip4j_status st, const char* word) {
    const bool ok = st == CLIP4J_ERR_INVALID_ARGUMENT && std::strstr(clip4j_last_error(), word) != nullptr;
    if (!ok) std::fprintf(stderr, "  status %d, message '%s', expected mention of '%s'\n", (int)st, clip4j_last_error(), word);
    return ok;
}

using PreprocessFn = clip4j_status (*)(const uint8_t* const*, const int32_t*, const int32_t*, int32_t, int32_t,
                                       const float*, const float*, clip4j_dtype, void*, uint8_t*);

void preprocess_arguments(PreprocessFn fn) {
    const uint8_t pixels[6] = {1, 2, 3, 4, 5, 6};
    const uint8_t* images[1] = {pixels};
    const uint8_t* null_image[1] = {nullptr};
    const int32_t w[1] = {2}, h[1] = {1}, zero[1] = {0}, huge[1] = {(1 << 20) + 1};
    const float bad_std[3] = {0.2f, 0.0f, 0.2f};
    std::vector<float> out(3 * 4 * 4);
    CHECK(invalid_mentions(fn(nullptr, w, h, 1, 4, kMean, kStd, CLIP4J_FLOAT32, out.data(), nullptr), "images is null"));
    CHECK(invalid_mentions(fn(images, nullptr, h, 1, 4, kMean, kStd, CLIP4J_FLOAT32, out.data(), nullptr), "widths"));
    CHECK(invalid_mentions(fn(images, w, nullptr, 1, 4, kMean, kStd, CLIP4J_FLOAT32, out.data(), nullptr), "heights"));
    CHECK(invalid_mentions(fn(images, w, h, 0, 4, kMean, kStd, CLIP4J_FLOAT32, out.data(), nullptr), "count"));
    CHECK(invalid_mentions(fn(images, w, h, 1, 0, kMean, kStd, CLIP4J_FLOAT32, out.data(), nullptr), "n_px"));
    CHECK(invalid_mentions(fn(images, w, h, 1, 4, nullptr, kStd, CLIP4J_FLOAT32, out.data(), nullptr), "mean"));
    CHECK(invalid_mentions(fn(images, w, h, 1, 4, kMean, nullptr, CLIP4J_FLOAT32, out.data(), nullptr), "std"));
    CHECK(invalid_mentions(fn(images, w, h, 1, 4, kMean, bad_std, CLIP4J_FLOAT32, out.data(), nullptr), "std[1]"));
    CHECK(invalid_mentions(fn(images, w, h, 1, 4, kMean, kStd, (clip4j_dtype)7, out.data(), nullptr), "dtype"));
    CHECK(invalid_mentions(fn(images, w, h, 1, 4, kMean, kStd, CLIP4J_FLOAT32, nullptr, nullptr), "out_pixel_values"));
    CHECK(invalid_mentions(fn(null_image, w, h, 1, 4, kMean, kStd, CLIP4J_FLOAT32, out.data(), nullptr), "image 0"));
    CHECK(invalid_mentions(fn(images, zero, h, 1, 4, kMean, kStd, CLIP4J_FLOAT32, out.data(), nullptr), "image 0: size 0x1"));
    CHECK(invalid_mentions(fn(images, w, zero, 1, 4, kMean, kStd, CLIP4J_FLOAT32, out.data(), nullptr), "size 2x0"));
    CHECK(invalid_mentions(fn(images, huge, h, 1, 4, kMean, kStd, CLIP4J_FLOAT32, out.data(), nullptr), "outside"));
}

using SimilarityFn = clip4j_status (*)(const float*, int32_t, const float*, int32_t, int32_t, float, float*);

void similarity_arguments(SimilarityFn fn) {
    const float a[4] = {1, 0, 0, 1};
    float out[4];
    CHECK(invalid_mentions(fn(nullptr, 2, a, 2, 2, 1.0f, out), "image_features"));
    CHECK(invalid_mentions(fn(a, 2, nullptr, 2, 2, 1.0f, out), "text_features"));
    CHECK(invalid_mentions(fn(a, 2, a, 2, 2, 1.0f, nullptr), "out_logits is null"));
    CHECK(invalid_mentions(fn(a, 0, a, 2, 2, 1.0f, out), "n (image rows)"));
    CHECK(invalid_mentions(fn(a, 2, a, -1, 2, 1.0f, out), "m (text rows)"));
    CHECK(invalid_mentions(fn(a, 2, a, 2, 0, 1.0f, out), "embed_dim"));
    CHECK(invalid_mentions(fn(a, 2, a, 2, 2, INFINITY, out), "logit_scale"));
    // A NaN or infinity in host features would come out as NaN logits: refused, naming [row, column].
    const float nan_row1[4] = {1, 0, NAN, 1}, inf_col1[4] = {1, INFINITY, 0, 1};
    CHECK(invalid_mentions(fn(nan_row1, 2, a, 2, 2, 1.0f, out), "image_features[1, 0] is NaN"));
    CHECK(invalid_mentions(fn(a, 2, inf_col1, 2, 2, 1.0f, out), "text_features[0, 1] is +Inf"));
}

using SoftmaxFn = clip4j_status (*)(const float*, int32_t, int32_t, int32_t, float*, float*, int32_t*);

void softmax_arguments(SoftmaxFn fn) {
    const float x[4] = {1, 2, 3, 4};
    float p[4];
    int32_t i[4];
    CHECK(invalid_mentions(fn(nullptr, 2, 2, 1, nullptr, p, i), "logits"));
    CHECK(invalid_mentions(fn(x, 2, 2, 1, nullptr, nullptr, i), "out_top_probs"));
    CHECK(invalid_mentions(fn(x, 2, 2, 1, nullptr, p, nullptr), "out_top_indices"));
    CHECK(invalid_mentions(fn(x, 0, 2, 1, nullptr, p, i), "n (rows)"));
    CHECK(invalid_mentions(fn(x, 2, 0, 1, nullptr, p, i), "m (columns)"));
    CHECK(invalid_mentions(fn(x, 2, 2, 0, nullptr, p, i), "k must be in [1, m=2], got 0"));
    CHECK(invalid_mentions(fn(x, 2, 2, 3, nullptr, p, i), "got 3"));
    // softmax(+Inf, 1, +Inf) would be NaN, not probabilities: non-finite logits are refused.
    const float inf[3] = {INFINITY, 1, INFINITY}, minus_inf[4] = {1, 2, 3, -INFINITY}, nan[2] = {NAN, 1};
    CHECK(invalid_mentions(fn(inf, 1, 3, 2, nullptr, p, i), "logits[0, 0] is +Inf"));
    CHECK(invalid_mentions(fn(minus_inf, 2, 2, 1, nullptr, p, i), "logits[1, 1] is -Inf"));
    CHECK(invalid_mentions(fn(nan, 1, 2, 1, nullptr, p, i), "logits[0, 0] is NaN"));
}

using ZeroShotFn = clip4j_status (*)(const float*, int32_t, const float*, int32_t, int32_t, float, int32_t, float*,
                                     int32_t*, float*);

void zero_shot_arguments(ZeroShotFn fn) {
    const float a[4] = {1, 0, 0, 1};
    float p[4];
    int32_t i[4];
    CHECK(invalid_mentions(fn(nullptr, 2, a, 2, 2, 1.0f, 1, p, i, nullptr), "image_features"));
    CHECK(invalid_mentions(fn(a, 2, a, 2, 2, 1.0f, 0, p, i, nullptr), "k must be"));
    CHECK(invalid_mentions(fn(a, 2, a, 2, 2, 1.0f, 3, p, i, p), "k must be"));
    CHECK(invalid_mentions(fn(a, 2, a, 2, 2, 1.0f, 1, p, nullptr, nullptr), "out_top_indices"));
    CHECK(invalid_mentions(fn(a, 2, a, 2, 2, 1.0f, 1, nullptr, i, nullptr), "out_top_probs is null"));
    const float nan_text[4] = {1, 0, 0, NAN}, inf_image[4] = {-INFINITY, 0, 0, 1};
    CHECK(invalid_mentions(fn(a, 2, nan_text, 2, 2, 1.0f, 1, p, i, nullptr), "text_features[1, 1] is NaN"));
    CHECK(invalid_mentions(fn(inf_image, 2, a, 2, 2, 1.0f, 1, p, i, nullptr), "image_features[0, 0] is -Inf"));
}

// The device entry points check their arguments first, then reject host memory where device memory is due
// (or report that there is no CUDA / no device): never a kernel on a host pointer.
void device_entry_points() {
    const float a[4] = {1, 0, 0, 1};
    float p[4];
    int32_t i[4];
    CHECK(invalid_mentions(clip4j_zero_shot_topk_cuda_device(a, 2, nullptr, 2, 2, 1.0f, 1, p, i, nullptr, nullptr),
                           "text_features"));
    CHECK(invalid_mentions(clip4j_zero_shot_topk_cuda_device(a, 2, a, 2, 2, 1.0f, 5, p, i, nullptr, nullptr),
                           "k must be"));
    const uint8_t rgb[12] = {};
    const uint8_t* images[1] = {rgb};
    const int32_t w[1] = {2}, h[1] = {2};
    const float mean[3] = {0.5f, 0.5f, 0.5f}, std[3] = {0.25f, 0.25f, 0.25f};
    float out[3 * 4 * 4];
    CHECK(invalid_mentions(clip4j_preprocess_cuda_device(images, w, h, 1, 4, mean, std, CLIP4J_FLOAT32, out,
                                                         sizeof(out) - 1, nullptr), "out_bytes"));
    CHECK(invalid_mentions(clip4j_preprocess_cuda_device(images, w, h, 0, 4, mean, std, CLIP4J_FLOAT32, out,
                                                         sizeof(out), nullptr), "count"));
    float big[3 * 4 * 4 + 1];
    CHECK(invalid_mentions(clip4j_preprocess_cuda_device(images, w, h, 1, 4, mean, std, CLIP4J_FLOAT32,
                                                         reinterpret_cast<char*>(big) + 1, sizeof(big) - 1, nullptr),
                           "not aligned"));
    CHECK(invalid_mentions(clip4j_zero_shot_topk_cuda_device(a, 2, reinterpret_cast<const float*>(
                                                                 reinterpret_cast<const char*>(big) + 2),
                                                             2, 2, 1.0f, 1, p, i, nullptr, nullptr),
                           "text_features is not aligned"));
    CHECK(clip4j_cuda_device_available(-1) == 0);
    CHECK(std::strstr(clip4j_last_error(), "device must be >= 0, got -1")); // with or without CUDA
    CHECK(clip4j_cuda_device_available(4096) == 0);
    CHECK(std::strlen(clip4j_last_error()) > 0);
    // Each message is read right after its call: the next clip4j call (even a successful one) replaces it.
    const clip4j_status pre = clip4j_preprocess_cuda_device(images, w, h, 1, 4, mean, std, CLIP4J_FLOAT32, out,
                                                            sizeof(out), nullptr);
    const std::string pre_message = clip4j_last_error();
    const clip4j_status zs = clip4j_zero_shot_topk_cuda_device(a, 2, a, 2, 2, 1.0f, 1, p, i, nullptr, nullptr);
    const std::string zs_message = clip4j_last_error();
    if (!clip4j_built_with_cuda()) {
        CHECK(pre == CLIP4J_ERR_NO_CUDA && zs == CLIP4J_ERR_NO_CUDA);
    } else if (!clip4j_cuda_available()) {
        CHECK(pre == CLIP4J_ERR_NO_DEVICE && zs == CLIP4J_ERR_NO_DEVICE);
    } else {
        CHECK_MSG(pre == CLIP4J_ERR_INVALID_ARGUMENT &&
                      pre_message.find("out_pixel_values must point to CUDA device memory, got host memory") !=
                          std::string::npos,
                  pre_message);
        CHECK_MSG(zs == CLIP4J_ERR_INVALID_ARGUMENT &&
                      zs_message.find("image_features must point to CUDA device memory") != std::string::npos,
                  zs_message);
    }
}

// A failure on one thread is invisible on another; a successful call clears the message.
void thread_local_messages() {
    const float x[2] = {1, 2};
    float p[2];
    int32_t i[2];
    CHECK(clip4j_softmax_topk_cpu(x, 1, 2, 5, nullptr, p, i) == CLIP4J_ERR_INVALID_ARGUMENT);
    std::string other = "unset";
    std::thread t([&] { other = clip4j_last_error(); });
    t.join();
    CHECK_MSG(other.empty(), "other thread saw '" + other + "'");
    CHECK(std::strlen(clip4j_last_error()) > 0);
    CHECK(clip4j_softmax_topk_cpu(x, 1, 2, 1, nullptr, p, i) == CLIP4J_OK);
    CHECK(std::strlen(clip4j_last_error()) == 0);
}

// Without CUDA (or without a device) the GPU entry points fail cleanly with the right code.
void cuda_unavailable() {
    const float a[4] = {1, 0, 0, 1};
    float out[4];
    if (!clip4j_built_with_cuda()) {
        CHECK(clip4j_cuda_available() == 0);
        CHECK(std::strstr(clip4j_last_error(), "built without CUDA") != nullptr);
        CHECK(clip4j_similarity_cuda(a, 2, a, 2, 2, 1.0f, out) == CLIP4J_ERR_NO_CUDA);
        CHECK(std::strstr(clip4j_last_error(), "built without CUDA") != nullptr);
    } else if (!clip4j_cuda_available()) {
        CHECK(std::strlen(clip4j_last_error()) > 0);
        CHECK(clip4j_similarity_cuda(a, 2, a, 2, 2, 1.0f, out) == CLIP4J_ERR_NO_DEVICE);
        CHECK(std::strstr(clip4j_last_error(), "clip4j_similarity_cuda") != nullptr);
    } else {
        std::printf("a CUDA device is present: the unavailable-device checks do not apply\n");
    }
}

// The message pointer stays readable after later calls: its text is replaced, never freed (under
// AddressSanitizer, in test_errors_emulated, a freed buffer would be reported here).
void stable_message_pointer() {
    const float x[2] = {1, 2};
    float p[2];
    int32_t i[2];
    CHECK(clip4j_softmax_topk_cpu(x, 1, 2, 5, nullptr, p, i) == CLIP4J_ERR_INVALID_ARGUMENT);
    const char* first = clip4j_last_error();
    CHECK(std::strstr(first, "k must be") != nullptr);
    CHECK(clip4j_cuda_device_available(-1) == 0);  // another message, maybe longer
    CHECK(clip4j_last_error() == first && std::strlen(first) > 0);
    CHECK(clip4j_softmax_topk_cpu(x, 1, 2, 1, nullptr, p, i) == CLIP4J_OK);
    CHECK(clip4j_last_error() == first && first[0] == '\0');
}

void status_names() {
    CHECK(std::strcmp(clip4j_status_name(CLIP4J_OK), "CLIP4J_OK") == 0);
    CHECK(std::strcmp(clip4j_status_name(CLIP4J_ERR_OUT_OF_MEMORY), "CLIP4J_ERR_OUT_OF_MEMORY") == 0);
    CHECK(std::strcmp(clip4j_status_name(CLIP4J_ERR_NO_DEVICE), "CLIP4J_ERR_NO_DEVICE") == 0);
    CHECK(std::strcmp(clip4j_status_name((clip4j_status)42), "unknown clip4j_status") == 0);
}

}  // namespace

int main() {
    preprocess_arguments(clip4j_preprocess_cpu);
    preprocess_arguments(clip4j_preprocess_cuda);
    similarity_arguments(clip4j_similarity_cpu);
    similarity_arguments(clip4j_similarity_cuda);
    softmax_arguments(clip4j_softmax_topk_cpu);
    softmax_arguments(clip4j_softmax_topk_cuda);
    zero_shot_arguments(clip4j_zero_shot_topk_cpu);
    zero_shot_arguments(clip4j_zero_shot_topk_cuda);
    device_entry_points();
    thread_local_messages();
    cuda_unavailable();
    stable_message_pointer();
    status_names();
    return check::finish("test_errors");
}
