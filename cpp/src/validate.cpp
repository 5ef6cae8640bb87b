#include "validate.h"

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "status.h"

namespace clip4j {
namespace {

clip4j_status bad(const char* fn, const std::string& what) {
    return fail(CLIP4J_ERR_INVALID_ARGUMENT, std::string(fn) + ": " + what);
}

// A buffer of `bytes` bytes at `data` (null: absent), named for messages.
struct Span {
    const char* name;
    const void* data;
    uint64_t bytes;
};

// Compares offsets, never end addresses, so a buffer at the top of the address space cannot wrap around.
bool overlap(const Span& a, const Span& b) {
    if (!a.data || !b.data) return false;
    const uintptr_t pa = reinterpret_cast<uintptr_t>(a.data), pb = reinterpret_cast<uintptr_t>(b.data);
    return pa <= pb ? pb - pa < a.bytes : pa - pb < b.bytes;
}

clip4j_status overlaps(const char* fn, const Span& out, const Span& other) {
    return bad(fn, std::string(out.name) + " overlaps " + other.name +
                           ": an output must not share memory with an input or another output");
}

// No output overlaps a later output or any input; inputs may overlap each other (e.g. one matrix passed twice).
clip4j_status check_disjoint(const char* fn, std::initializer_list<Span> outputs, std::initializer_list<Span> inputs) {
    for (const Span* o = outputs.begin(); o != outputs.end(); ++o) {
        for (const Span* p = o + 1; p != outputs.end(); ++p) {
            if (overlap(*o, *p)) return overlaps(fn, *o, *p);
        }
        for (const Span& in : inputs) {
            if (overlap(*o, in)) return overlaps(fn, *o, in);
        }
    }
    return CLIP4J_OK;
}

uint64_t floats(int64_t rows, int64_t cols) { return (uint64_t)rows * (uint64_t)cols * sizeof(float); }

// The size checks of similarity and zero-shot (not the buffers, whose sizes differ).
clip4j_status similarity_sizes(const char* fn, const float* image_features, int32_t n, const float* text_features,
        int32_t m, int32_t d, float logit_scale, const void* out, const char* out_name) {
    if (!image_features) return bad(fn, "image_features is null");
    if (!text_features) return bad(fn, "text_features is null");
    if (!out) return bad(fn, std::string(out_name) + " is null");
    if (n < 1) return bad(fn, "n (image rows) must be >= 1, got " + std::to_string(n));
    if (m < 1) return bad(fn, "m (text rows) must be >= 1, got " + std::to_string(m));
    if (d < 1) return bad(fn, "d (embed_dim) must be >= 1, got " + std::to_string(d));
    if (!std::isfinite(logit_scale)) return bad(fn, "logit_scale is not finite");
    return CLIP4J_OK;
}

clip4j_status check_k(const char* fn, int32_t m, int32_t k) {
    if (k < 1 || k > m) {
        return bad(fn, "k must be in [1, m=" + std::to_string(m) + "], got " + std::to_string(k));
    }
    return CLIP4J_OK;
}

}  // namespace

clip4j_status validate_preprocess(const char* fn, const uint8_t* const* images, const int32_t* widths,
        const int32_t* heights, int32_t count, int32_t n_px, const float* mean, const float* std,
        clip4j_dtype dtype, const void* out_pixel_values, const uint8_t* out_rgb_u8) {
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
    const uint64_t pixels = (uint64_t)count * 3 * n_px * n_px;
    const Span out{"out_pixel_values", out_pixel_values, pixels * (dtype == CLIP4J_FLOAT32 ? 4 : 2)};
    const Span rgb{"out_rgb_u8", out_rgb_u8, pixels};
    for (int32_t i = 0; i < count; ++i) {
        const std::string at = "image " + std::to_string(i) + ": ";
        if (!images[i]) return bad(fn, at + "pixel pointer is null");
        if (widths[i] < 1 || widths[i] > kMaxImageSide || heights[i] < 1 || heights[i] > kMaxImageSide) {
            return bad(fn, at + "size " + std::to_string(widths[i]) + "x" + std::to_string(heights[i]) +
                                   " is outside [1, " + std::to_string(kMaxImageSide) + "] per side");
        }
        const std::string name = "image " + std::to_string(i);
        const Span image{name.c_str(), images[i], (uint64_t)widths[i] * heights[i] * 3};
        clip4j_status st = check_disjoint(fn, {out, rgb}, {image});
        if (st != CLIP4J_OK) return st;
    }
    return check_disjoint(fn, {out, rgb},
                          {{"images", images, (uint64_t)count * sizeof(*images)},
                           {"widths", widths, (uint64_t)count * sizeof(*widths)},
                           {"heights", heights, (uint64_t)count * sizeof(*heights)},
                           {"mean", mean, 3 * sizeof(float)},
                           {"std", std, 3 * sizeof(float)}});
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
        const float* text_features, int32_t m, int32_t d, float logit_scale, const float* out_logits) {
    clip4j_status st = similarity_sizes(fn, image_features, n, text_features, m, d, logit_scale, out_logits,
                                        "out_logits");
    if (st != CLIP4J_OK) return st;
    return check_disjoint(fn, {{"out_logits", out_logits, floats(n, m)}},
                          {{"image_features", image_features, floats(n, d)},
                           {"text_features", text_features, floats(m, d)}});
}

clip4j_status validate_softmax_topk(const char* fn, const float* logits, int32_t n, int32_t m, int32_t k,
        const float* out_probs, const float* out_top_probs, const int32_t* out_top_indices) {
    if (!logits) return bad(fn, "logits is null");
    if (!out_top_probs) return bad(fn, "out_top_probs is null");
    if (!out_top_indices) return bad(fn, "out_top_indices is null");
    if (n < 1) return bad(fn, "n (rows) must be >= 1, got " + std::to_string(n));
    if (m < 1) return bad(fn, "m (columns) must be >= 1, got " + std::to_string(m));
    clip4j_status st = check_k(fn, m, k);
    if (st != CLIP4J_OK) return st;
    return check_disjoint(fn,
                          {{"out_probs", out_probs, floats(n, m)},
                           {"out_top_probs", out_top_probs, floats(n, k)},
                           {"out_top_indices", out_top_indices, floats(n, k)}},
                          {{"logits", logits, floats(n, m)}});
}

clip4j_status validate_zero_shot(const char* fn, const float* image_features, int32_t n, const float* text_features,
        int32_t m, int32_t d, float logit_scale, int32_t k, const float* out_top_probs, const int32_t* out_top_indices,
        const float* out_top_logits) {
    clip4j_status st = similarity_sizes(fn, image_features, n, text_features, m, d, logit_scale, out_top_probs,
                                        "out_top_probs");
    if (st != CLIP4J_OK) return st;
    if (!out_top_indices) return bad(fn, "out_top_indices is null");
    if ((st = check_k(fn, m, k)) != CLIP4J_OK) return st;
    // The softmax needs finite logits: scale * cosine must not overflow, with room for a cosine rounded above 1.
    if (std::fabs(logit_scale) > CLIP4J_MAX_ZERO_SHOT_LOGIT_SCALE) {
        char shown[32];
        std::snprintf(shown, sizeof shown, "%g", static_cast<double>(logit_scale)); // to_string gives 31 digits
        return bad(fn, std::string("|logit_scale| must be <= 1e30, got ") + shown);
    }
    return check_disjoint(fn,
                          {{"out_top_probs", out_top_probs, floats(n, k)},
                           {"out_top_indices", out_top_indices, floats(n, k)},
                           {"out_top_logits", out_top_logits, floats(n, k)}},
                          {{"image_features", image_features, floats(n, d)},
                           {"text_features", text_features, floats(m, d)}});
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
