// Double-precision references for similarity and softmax + top-k, written independently of the library.
#ifndef CLIP4J_TEST_REFERENCE_SCORES_H
#define CLIP4J_TEST_REFERENCE_SCORES_H

#include <stdint.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace reference {

/** logit_scale * cos(image_i, text_j) in double, [n, m]. */
inline std::vector<double> logits(const float* img, int n, const float* txt, int m, int d, double scale) {
    auto norm = [d](const float* r) {
        double s = 0;
        for (int t = 0; t < d; ++t) s += (double)r[t] * r[t];
        return std::sqrt(s);
    };
    std::vector<double> out((size_t)n * m);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < m; ++j) {
            const float* a = img + (size_t)i * d;
            const float* b = txt + (size_t)j * d;
            double dot = 0;
            for (int t = 0; t < d; ++t) dot += (double)a[t] * b[t];
            out[(size_t)i * m + j] = scale * dot / (norm(a) * norm(b));
        }
    return out;
}

/** Row softmax in double. */
template <class T>
std::vector<double> softmax(const T* x, int n, int m) {
    std::vector<double> out((size_t)n * m);
    for (int i = 0; i < n; ++i) {
        const T* r = x + (size_t)i * m;
        const double mx = *std::max_element(r, r + m);
        double s = 0;
        for (int j = 0; j < m; ++j) s += std::exp(r[j] - mx);
        for (int j = 0; j < m; ++j) out[(size_t)i * m + j] = std::exp(r[j] - mx) / s;
    }
    return out;
}

/** Column indices of row i sorted by value descending, equal values by lower index (stable sort). */
template <class T>
std::vector<int32_t> ranking(const T* row, int m) {
    std::vector<int32_t> idx(m);
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [row](int32_t a, int32_t b) { return row[a] > row[b]; });
    return idx;
}

}  // namespace reference

#endif
