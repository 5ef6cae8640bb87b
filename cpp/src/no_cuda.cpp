// The CUDA entry points of a library built without CUDA: same symbols, they report "built without CUDA"
// after the usual argument checks, so callers can link one library and fall back on the CPU functions.
#include "status.h"
#include "validate.h"

namespace {

clip4j_status no_cuda(const char* fn) {
    return clip4j::fail(CLIP4J_ERR_NO_CUDA, std::string(fn) + ": clip4j_kernels was built without CUDA");
}

}  // namespace

using namespace clip4j;

extern "C" int clip4j_built_with_cuda(void) { return 0; }

extern "C" int clip4j_cuda_device_available(int32_t device) {
    clear_error();
    if (device < 0) { // the argument first, as the CUDA build and the other _cuda functions here check it
        fail(CLIP4J_ERR_INVALID_ARGUMENT,
             "clip4j_cuda_device_available: device must be >= 0, got " + std::to_string(device));
        return 0;
    }
    fail(CLIP4J_ERR_NO_CUDA, "clip4j_cuda_device_available: clip4j_kernels was built without CUDA");
    return 0;
}

extern "C" int clip4j_cuda_available(void) {
    clear_error();
    fail(CLIP4J_ERR_NO_CUDA, "clip4j_cuda_available: clip4j_kernels was built without CUDA");
    return 0;
}

extern "C" clip4j_status clip4j_preprocess_cuda(const uint8_t* const* images, const int32_t* widths,
        const int32_t* heights, int32_t count, int32_t n_px, const float* mean, const float* std,
        clip4j_dtype dtype, void* out_pixel_values, uint8_t* out_rgb_u8) {
    const char* fn = "clip4j_preprocess_cuda";
    clear_error();
    clip4j_status st = validate_preprocess(fn, images, widths, heights, count, n_px, mean, std, dtype, out_pixel_values,
                                           out_rgb_u8);
    return st != CLIP4J_OK ? st : no_cuda(fn);
}

extern "C" clip4j_status clip4j_similarity_cuda(const float* image_features, int32_t n,
        const float* text_features, int32_t m, int32_t d, float logit_scale, float* out_logits) {
    const char* fn = "clip4j_similarity_cuda";
    clear_error();
    clip4j_status st = validate_similarity(fn, image_features, n, text_features, m, d, logit_scale, out_logits);
    if (st == CLIP4J_OK) st = validate_finite_features(fn, image_features, n, text_features, m, d);
    return st != CLIP4J_OK ? st : no_cuda(fn);
}

extern "C" clip4j_status clip4j_softmax_topk_cuda(const float* logits, int32_t n, int32_t m, int32_t k,
        float* out_probs, float* out_top_probs, int32_t* out_top_indices) {
    const char* fn = "clip4j_softmax_topk_cuda";
    clear_error();
    clip4j_status st = validate_softmax_topk(fn, logits, n, m, k, out_probs, out_top_probs, out_top_indices);
    if (st == CLIP4J_OK) st = validate_finite(fn, "logits", logits, n, m);
    return st != CLIP4J_OK ? st : no_cuda(fn);
}

extern "C" clip4j_status clip4j_zero_shot_topk_cuda(const float* image_features, int32_t n,
        const float* text_features, int32_t m, int32_t d, float logit_scale, int32_t k,
        float* out_top_probs, int32_t* out_top_indices, float* out_top_logits) {
    const char* fn = "clip4j_zero_shot_topk_cuda";
    clear_error();
    clip4j_status st = validate_zero_shot(fn, image_features, n, text_features, m, d, logit_scale, k, out_top_probs,
                                          out_top_indices, out_top_logits);
    if (st == CLIP4J_OK) st = validate_finite_features(fn, image_features, n, text_features, m, d);
    return st != CLIP4J_OK ? st : no_cuda(fn);
}

extern "C" clip4j_status clip4j_preprocess_cuda_device(const uint8_t* const* images, const int32_t* widths,
        const int32_t* heights, int32_t count, int32_t n_px, const float* mean, const float* std,
        clip4j_dtype dtype, void* out_pixel_values, int64_t out_bytes, void* /*stream*/) {
    const char* fn = "clip4j_preprocess_cuda_device";
    clear_error();
    clip4j_status st = validate_preprocess(fn, images, widths, heights, count, n_px, mean, std, dtype, out_pixel_values,
                                           nullptr);
    if (st == CLIP4J_OK) st = validate_output_bytes(fn, count, n_px, dtype, out_bytes);
    if (st == CLIP4J_OK) st = validate_alignment(fn, "out_pixel_values", out_pixel_values, dtype == CLIP4J_FLOAT32 ? 4 : 2);
    return st != CLIP4J_OK ? st : no_cuda(fn);
}

extern "C" clip4j_status clip4j_zero_shot_topk_cuda_device(const float* image_features, int32_t n,
        const float* text_features, int32_t m, int32_t d, float logit_scale, int32_t k,
        float* out_top_probs, int32_t* out_top_indices, float* out_top_logits, void* /*stream*/) {
    const char* fn = "clip4j_zero_shot_topk_cuda_device";
    clear_error();
    clip4j_status st = validate_zero_shot(fn, image_features, n, text_features, m, d, logit_scale, k, out_top_probs,
                                          out_top_indices, out_top_logits);
    if (st == CLIP4J_OK) st = validate_alignment(fn, "image_features", image_features, sizeof(float));
    if (st == CLIP4J_OK) st = validate_alignment(fn, "text_features", text_features, sizeof(float));
    return st != CLIP4J_OK ? st : no_cuda(fn);
}
