// Straightforward double-precision reference of the preprocessing (testdata/README.md section 2),
// written independently of the library: full-size horizontal pass, full-size vertical pass, then the crop.
#ifndef CLIP4J_TEST_REFERENCE_RESIZE_H
#define CLIP4J_TEST_REFERENCE_RESIZE_H

#include <stdint.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace reference {

struct Image {
    int width = 0, height = 0;
    std::vector<uint8_t> rgb;  // [height, width, 3]
    uint8_t at(int x, int y, int c) const { return rgb[((size_t)y * width + x) * 3 + c]; }
};

inline double cubic(double t) {
    const double a = -0.5, x = std::fabs(t);
    if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
    return 0;
}

// Fixed-point weights of output index i when resampling in_size -> out_size; first = first input index.
inline std::vector<long long> weights(int in_size, long long out_size, long long i, int* first) {
    const double scale = (double)in_size / (double)out_size;
    const double fs = std::max(scale, 1.0);
    const double support = 2 * fs;
    const double center = (i + 0.5) * scale;
    const int lo = std::max(0, (int)std::trunc(center - support + 0.5));
    const int hi = std::min(in_size, (int)std::trunc(center + support + 0.5));
    std::vector<double> w;
    double sum = 0;
    for (int j = lo; j < hi; ++j) {
        w.push_back(cubic((j - center + 0.5) * (1.0 / fs)));
        sum += w.back();
    }
    std::vector<long long> fixed;
    for (double v : w) {
        const double s = v / sum * 4194304.0;
        fixed.push_back((long long)std::trunc(s >= 0 ? s + 0.5 : s - 0.5));
    }
    *first = lo;
    return fixed;
}

inline uint8_t round_clamp(long long acc) {
    const long long v = (acc + (1LL << 21)) >> 22;
    return (uint8_t)std::min(255LL, std::max(0LL, v));
}

inline Image resize_width(const Image& in, int out_w) {
    if (out_w == in.width) return in;
    Image out;
    out.width = out_w;
    out.height = in.height;
    out.rgb.resize((size_t)out_w * in.height * 3);
    for (int x = 0; x < out_w; ++x) {
        int first = 0;
        const std::vector<long long> w = weights(in.width, out_w, x, &first);
        for (int y = 0; y < in.height; ++y)
            for (int c = 0; c < 3; ++c) {
                long long acc = 0;
                for (size_t j = 0; j < w.size(); ++j) acc += in.at(first + (int)j, y, c) * w[j];
                out.rgb[((size_t)y * out_w + x) * 3 + c] = round_clamp(acc);
            }
    }
    return out;
}

inline Image resize_height(const Image& in, int out_h) {
    if (out_h == in.height) return in;
    Image out;
    out.width = in.width;
    out.height = out_h;
    out.rgb.resize((size_t)in.width * out_h * 3);
    for (int y = 0; y < out_h; ++y) {
        int first = 0;
        const std::vector<long long> w = weights(in.height, out_h, y, &first);
        for (int x = 0; x < in.width; ++x)
            for (int c = 0; c < 3; ++c) {
                long long acc = 0;
                for (size_t j = 0; j < w.size(); ++j) acc += in.at(x, first + (int)j, c) * w[j];
                out.rgb[((size_t)y * in.width + x) * 3 + c] = round_clamp(acc);
            }
    }
    return out;
}

/** Resize(n) + CenterCrop(n): the uint8 [n, n, 3] image ToTensor receives. */
inline std::vector<uint8_t> resize_crop(const Image& img, int n) {
    const bool portrait = img.width <= img.height;
    const int short_side = portrait ? img.width : img.height, long_side = portrait ? img.height : img.width;
    const int new_long = (int)((double)n * long_side / short_side);
    const int out_w = portrait ? n : new_long, out_h = portrait ? new_long : n;
    const Image resized = resize_height(resize_width(img, out_w), out_h);
    // std::nearbyint uses the default rounding mode, round-half-to-even, like Python's round.
    const int left = (int)std::nearbyint((out_w - n) / 2.0), top = (int)std::nearbyint((out_h - n) / 2.0);
    std::vector<uint8_t> out((size_t)n * n * 3);
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x)
            for (int c = 0; c < 3; ++c) out[((size_t)y * n + x) * 3 + c] = resized.at(left + x, top + y, c);
    return out;
}

/** ToTensor + Normalize evaluated in double (the fixtures' float32 result is within 3e-7 of it). */
inline double normalize(uint8_t u, double mean, double std) { return (u / 255.0 - mean) / std; }

}  // namespace reference

#endif
