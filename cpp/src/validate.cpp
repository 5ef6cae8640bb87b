#include "validate.h"

#include <cmath>
#include <cstdint>
#include <string>

#include "status.h"

namespace clip4j {
namespace {

clip4j_status bad(const char* fn, const std::string& what) {
    return fail(CLIP4J_ERR_INVALID_ARGUMENT, std::string(fn) + ": " + what);
}

}  // namespace

clip4j_status validate_preprocess(const char* fn, const uint8_t* const* images, const int32_t* widths,
        const int32_t* heights, int32_t count, int32_t n_px, const float* mean, const float* std,
        clip4j_dtype dtype, const void* out_pixel_values) {
    if (count < 1) return bad(fn, "count must be >= 1, got " + std::to_string(count));
    if (!images) return bad(fn, "images is null");
    if (!widths) return bad(fn, "widths is null");
    if (!heights) return bad(fn, "heights is null");
    if (!mean) return bad(fn, "mean is null");
    if (!std) return bad(fn, "std is null");
    if (!out_pixel_values) return bad(fn, "out_pixel_values is null");
    if (n_px < 1 || n_px > kMaxOutputSide) {
        return bad(fn, "n_px must be in [1, " + std::to_string(kMaxOutputSide) + "], got " + std::to_string(n_px));
    }
    if (dtype != CLIP4J_FLOAT32 && dtype != CLIP4J_FLOAT16) {
        return bad(fn, "dtype must be CLIP4J_FLOAT32 or CLIP4J_FLOAT16, got " + std::to_string((int)dtype));
    }
    for (int c = 0; c < 3; ++c) {
        if (!std::isfinite(mean[c])) return bad(fn, "mean[" + std::to_string(c) + "] is not finite");
        if (!(std[c] > 0.0f) || !std::isfinite(std[c])) {
            return bad(fn, "std[" + std::to_string(c) + "] must be finite and > 0");
        }
    }
    for (int32_t i = 0; i < count; ++i) {
        const std::string at = "image " + std::to_string(i) + ": ";
        if (!images[i]) return bad(fn, at + "pixel pointer is null");
        if (widths[i] < 1 || widths[i] > kMaxImageSide || heights[i] < 1 || heights[i] > kMaxImageSide) {
            return bad(fn, at + "size " + std::to_string(widths[i]) + "x" + std::to_string(heights[i]) +
                                   " is outside [1, " + std::to_string(kMaxImageSide) + "] per side");
        }
    }
    return CLIP4J_OK;
}

clip4j_status validate_output_bytes(const char* fn, int32_t count, int32_t n_px, clip4j_dtype dtype, int64_t out_bytes) {
    const int64_t need = (int64_t)count * 3 * n_px * n_px * (dtype == CLIP4J_FLOAT32 ? 4 : 2);
    if (out_bytes < need) {
        return bad(fn, "out_bytes is " + std::to_string(out_bytes) + ", the batch needs " + std::to_string(need));
    }
    return CLIP4J_OK;
}

clip4j_status validate_alignment(const char* fn, const char* name, const void* pointer, size_t bytes) {
    if (reinterpret_cast<uintptr_t>(pointer) % bytes != 0) {
        return bad(fn, std::string(name) + " is not aligned to " + std::to_string(bytes) + " bytes");
    }
    return CLIP4J_OK;
}

clip4j_status validate_similarity(const char* fn, const float* image_features, int32_t n,
        const float* text_features, int32_t m, int32_t d, float logit_scale, const void* out, const char* out_name) {
    if (!image_features) return bad(fn, "image_features is null");
    if (!text_features) return bad(fn, "text_features is null");
    if (!out) return bad(fn, std::string(out_name) + " is null");
    if (n < 1) return bad(fn, "n (image rows) must be >= 1, got " + std::to_string(n));
    if (m < 1) return bad(fn, "m (text rows) must be >= 1, got " + std::to_string(m));
    if (d < 1) return bad(fn, "d (embed_dim) must be >= 1, got " + std::to_string(d));
    if (!std::isfinite(logit_scale)) return bad(fn, "logit_scale is not finite");
    return CLIP4J_OK;
}

clip4j_status validate_softmax_topk(const char* fn, const float* logits, int32_t n, int32_t m, int32_t k,
        const float* out_top_probs, const int32_t* out_top_indices) {
    if (!logits) return bad(fn, "logits is null");
    if (!out_top_probs) return bad(fn, "out_top_probs is null");
    if (!out_top_indices) return bad(fn, "out_top_indices is null");
    if (n < 1) return bad(fn, "n (rows) must be >= 1, got " + std::to_string(n));
    if (m < 1) return bad(fn, "m (columns) must be >= 1, got " + std::to_string(m));
    if (k < 1 || k > m) {
        return bad(fn, "k must be in [1, m=" + std::to_string(m) + "], got " + std::to_string(k));
    }
    return CLIP4J_OK;
}

clip4j_status validate_finite(const char* fn, const char* name, const float* values, int32_t rows, int32_t cols) {
    const int64_t count = (int64_t)rows * cols;
    for (int64_t i = 0; i < count; ++i) {
        if (!std::isfinite(values[i])) {
            const char* what = std::isnan(values[i]) ? "NaN" : values[i] > 0 ? "+Inf" : "-Inf";
            return bad(fn, std::string(name) + "[" + std::to_string(i / cols) + ", " + std::to_string(i % cols) +
                                   "] is " + what + ", not a finite value");
        }
    }
    return CLIP4J_OK;
}

clip4j_status validate_finite_features(const char* fn, const float* image_features, int32_t n,
        const float* text_features, int32_t m, int32_t d) {
    clip4j_status st = validate_finite(fn, "image_features", image_features, n, d);
    return st != CLIP4J_OK ? st : validate_finite(fn, "text_features", text_features, m, d);
}

}  // namespace clip4j
