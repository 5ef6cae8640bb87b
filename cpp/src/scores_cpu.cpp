// CPU implementation of similarity, softmax + top-k and their fusion (see kernels.h).
#include <algorithm>
#include <cmath>
#include <new>
#include <numeric>
#include <vector>

#include "pixel_math.h"
#include "status.h"
#include "validate.h"

namespace clip4j {
namespace {

// Row-wise x / ||x|| like model.py, the norm and the division in double as in clip-api's Features.normalized:
// a float32 norm overflows to infinity for rows of finite values beyond ~1e38 (the row became zeros) and loses
// precision among subnormals (a row of 1e-45s came out as ones, not 1/sqrt(d)). A zero row stays zero, as in
// Features.normalized, where model.py's 0/0 gives NaN logits and so NaN probabilities.
std::vector<float> l2_normalize(const float* x, int32_t rows, int32_t d) {
    std::vector<float> out((size_t)rows * d);
    for (int32_t r = 0; r < rows; ++r) {
        const float* row = x + (size_t)r * d;
        double ss = 0.0;
        for (int32_t j = 0; j < d; ++j) ss += (double)row[j] * row[j];
        const double norm = std::sqrt(ss);
        for (int32_t j = 0; j < d; ++j) out[(size_t)r * d + j] = norm == 0.0 ? 0.0f : (float)(row[j] / norm);
    }
    return out;
}

void similarity(const float* image_features, int32_t n, const float* text_features, int32_t m, int32_t d,
        float logit_scale, float* out) {
    const std::vector<float> a = l2_normalize(image_features, n, d);
    const std::vector<float> b = l2_normalize(text_features, m, d);
    // Blocks of text rows are reused across all image rows while they are in cache.
    const int32_t block = 64;
    for (int32_t j0 = 0; j0 < m; j0 += block) {
        const int32_t j1 = std::min(m, j0 + block);
        for (int32_t i = 0; i < n; ++i) {
            const float* ai = &a[(size_t)i * d];
            for (int32_t j = j0; j < j1; ++j) {
                const float* bj = &b[(size_t)j * d];
                double dot = 0.0;
                for (int32_t t = 0; t < d; ++t) dot += (double)ai[t] * bj[t];
                out[(size_t)i * m + j] = logit_scale * (float)dot;
            }
        }
    }
}

// Softmax of one row (max-shifted, sum in double) into probs, then its top k.
void softmax_topk_row(const float* logits, int32_t m, int32_t k, float* probs, float* top_p, int32_t* top_i,
        float* top_l, std::vector<int32_t>& order) {
    float mx = -INFINITY;
    for (int32_t j = 0; j < m; ++j) mx = std::fmax(mx, logits[j]);  // fmax skips NaN like a reduction would
    double sum = 0.0;
    for (int32_t j = 0; j < m; ++j) {
        probs[j] = std::exp(logits[j] - mx);
        sum += probs[j];
    }
    const float fsum = (float)sum;
    for (int32_t j = 0; j < m; ++j) probs[j] = probs[j] / fsum;
    order.resize(m);
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [probs](int32_t x, int32_t y) { return ranks_before(probs[x], x, probs[y], y); });
    for (int32_t r = 0; r < k; ++r) {
        top_i[r] = order[r];
        top_p[r] = probs[order[r]];
        if (top_l) top_l[r] = logits[order[r]];
    }
}

void softmax_topk(const float* logits, int32_t n, int32_t m, int32_t k, float* out_probs, float* top_p,
        int32_t* top_i, float* top_l = nullptr) {
    std::vector<float> scratch(out_probs ? 0 : (size_t)m);
    std::vector<int32_t> order;
    for (int32_t i = 0; i < n; ++i) {
        float* probs = out_probs ? out_probs + (size_t)i * m : scratch.data();
        softmax_topk_row(logits + (size_t)i * m, m, k, probs, top_p + (size_t)i * k, top_i + (size_t)i * k,
                         top_l ? top_l + (size_t)i * k : nullptr, order);
    }
}

}  // namespace
}  // namespace clip4j

using namespace clip4j;

extern "C" clip4j_status clip4j_similarity_cpu(const float* image_features, int32_t n,
        const float* text_features, int32_t m, int32_t d, float logit_scale, float* out_logits) {
    clear_error();
    const char* fn = "clip4j_similarity_cpu";
    clip4j_status st = validate_similarity(fn, image_features, n, text_features, m, d, logit_scale, out_logits);
    if (st == CLIP4J_OK) st = validate_finite_features(fn, image_features, n, text_features, m, d);
    if (st != CLIP4J_OK) return st;
    try {
        similarity(image_features, n, text_features, m, d, logit_scale, out_logits);
    } catch (const std::bad_alloc&) {
        return fail(CLIP4J_ERR_OUT_OF_MEMORY, "clip4j_similarity_cpu: out of host memory");
    }
    return CLIP4J_OK;
}

extern "C" clip4j_status clip4j_softmax_topk_cpu(const float* logits, int32_t n, int32_t m, int32_t k,
        float* out_probs, float* out_top_probs, int32_t* out_top_indices) {
    clear_error();
    const char* fn = "clip4j_softmax_topk_cpu";
    clip4j_status st = validate_softmax_topk(fn, logits, n, m, k, out_probs, out_top_probs, out_top_indices);
    if (st == CLIP4J_OK) st = validate_finite(fn, "logits", logits, n, m);
    if (st != CLIP4J_OK) return st;
    try {
        softmax_topk(logits, n, m, k, out_probs, out_top_probs, out_top_indices);
    } catch (const std::bad_alloc&) {
        return fail(CLIP4J_ERR_OUT_OF_MEMORY, "clip4j_softmax_topk_cpu: out of host memory");
    }
    return CLIP4J_OK;
}

extern "C" clip4j_status clip4j_zero_shot_topk_cpu(const float* image_features, int32_t n,
        const float* text_features, int32_t m, int32_t d, float logit_scale, int32_t k,
        float* out_top_probs, int32_t* out_top_indices, float* out_top_logits) {
    const char* fn = "clip4j_zero_shot_topk_cpu";
    clear_error();
    clip4j_status st = validate_zero_shot(fn, image_features, n, text_features, m, d, logit_scale, k, out_top_probs,
                                          out_top_indices, out_top_logits);
    if (st == CLIP4J_OK) st = validate_finite_features(fn, image_features, n, text_features, m, d);
    if (st != CLIP4J_OK) return st;
    try {
        // Row blocks keep the [rows, m] scratch small for large n.
        const int32_t rows = std::max<int32_t>(1, std::min<int64_t>(n, (int64_t)(16 << 20) / m));
        std::vector<float> logits((size_t)rows * m);
        for (int32_t i0 = 0; i0 < n; i0 += rows) {
            const int32_t r = std::min(rows, n - i0);
            similarity(image_features + (size_t)i0 * d, r, text_features, m, d, logit_scale, logits.data());
            softmax_topk(logits.data(), r, m, k, nullptr, out_top_probs + (size_t)i0 * k,
                         out_top_indices + (size_t)i0 * k, out_top_logits ? out_top_logits + (size_t)i0 * k : nullptr);
        }
    } catch (const std::bad_alloc&) {
        return fail(CLIP4J_ERR_OUT_OF_MEMORY, "clip4j_zero_shot_topk_cpu: out of host memory");
    }
    return CLIP4J_OK;
}
