// CPU implementation of the fused CLIP preprocessing (see clip4j_preprocess_cpu in kernels.h).
#include <algorithm>
#include <atomic>
#include <new>
#include <system_error>
#include <thread>
#include <vector>

#include "pixel_math.h"
#include "resample_plan.h"
#include "status.h"
#include "validate.h"

namespace clip4j {
namespace {

// Horizontal pass over the rows the vertical pass needs, kept columns only: tmp [row_count, n, 3].
void horizontal_pass(const ImagePlan& plan, const uint8_t* src, int32_t n, std::vector<uint8_t>& tmp) {
    const AxisPlan& h = plan.horizontal;
    tmp.resize((size_t)plan.row_count * n * 3);
    for (int32_t r = 0; r < plan.row_count; ++r) {
        const uint8_t* row = src + (size_t)(plan.row_start + r) * plan.width * 3;
        uint8_t* out = &tmp[(size_t)r * n * 3];
        for (int32_t x = 0; x < n; ++x) {
            const int32_t* k = &h.coeff[(size_t)x * h.ksize];
            const uint8_t* p = row + (size_t)h.start[x] * 3;
            int32_t acc[3] = {1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1)};
            for (int32_t j = 0; j < h.count[x]; ++j) {
                for (int c = 0; c < 3; ++c) acc[c] += p[j * 3 + c] * k[j];
            }
            for (int c = 0; c < 3; ++c) out[x * 3 + c] = clip8(acc[c]);
        }
    }
}

// ToTensor + Normalize of every byte value per channel: a uint8 input has 256 possible results, so a table
// gives the reference's two float32 divisions bit for bit without doing them per pixel.
struct NormalizeTable {
    float value[3][256];
    uint16_t half[3][256];
    NormalizeTable(const float* mean, const float* std) {
        for (int c = 0; c < 3; ++c) {
            for (int u = 0; u < 256; ++u) {
                value[c][u] = normalize_u8((uint8_t)u, mean[c], std[c]);
                half[c][u] = float_to_half_bits(value[c][u]);
            }
        }
    }
};

// Vertical pass + ToTensor/Normalize, writing the NCHW slice of one image (and its HWC bytes). The taps loop
// runs over whole rows of [n * 3] accumulators, so the compiler can vectorise it.
void vertical_pass(const ImagePlan& plan, const std::vector<uint8_t>& tmp, int32_t n, const NormalizeTable& table,
        clip4j_dtype dtype, void* out_chw, uint8_t* out_hwc, std::vector<int32_t>& acc) {
    const AxisPlan& v = plan.vertical;
    const size_t plane = (size_t)n * n;
    const size_t row_len = (size_t)n * 3;
    acc.resize(row_len);
    for (int32_t y = 0; y < n; ++y) {
        const int32_t* k = &v.coeff[(size_t)y * v.ksize];
        const uint8_t* base = &tmp[(size_t)(v.start[y] - plan.row_start) * row_len];
        std::fill(acc.begin(), acc.end(), 1 << (kPrecisionBits - 1));
        for (int32_t j = 0; j < v.count[y]; ++j) {
            const uint8_t* row = base + (size_t)j * row_len;
            const int32_t kj = k[j];
            for (size_t i = 0; i < row_len; ++i) acc[i] += row[i] * kj;
        }
        for (int32_t x = 0; x < n; ++x) {
            for (int c = 0; c < 3; ++c) {
                const uint8_t u = clip8(acc[(size_t)x * 3 + c]);
                if (out_hwc) out_hwc[((size_t)y * n + x) * 3 + c] = u;
                const size_t at = c * plane + (size_t)y * n + x;
                if (dtype == CLIP4J_FLOAT32) {
                    static_cast<float*>(out_chw)[at] = table.value[c][u];
                } else {
                    static_cast<uint16_t*>(out_chw)[at] = table.half[c][u];
                }
            }
        }
    }
}

}  // namespace
}  // namespace clip4j

extern "C" clip4j_status clip4j_preprocess_cpu(const uint8_t* const* images, const int32_t* widths,
        const int32_t* heights, int32_t count, int32_t n_px, const float* mean, const float* std,
        clip4j_dtype dtype, void* out_pixel_values, uint8_t* out_rgb_u8) {
    using namespace clip4j;
    clear_error();
    clip4j_status st = validate_preprocess("clip4j_preprocess_cpu", images, widths, heights, count, n_px,
                                           mean, std, dtype, out_pixel_values, out_rgb_u8);
    if (st != CLIP4J_OK) return st;
    const size_t image_elems = (size_t)3 * n_px * n_px;
    const size_t elem_bytes = dtype == CLIP4J_FLOAT32 ? 4 : 2;
    try {
        const NormalizeTable table(mean, std);
        // Images are independent: a batch is split over up to hardware_concurrency() threads (image i on
        // thread i % threads), each with its own scratch buffers.
        const int32_t threads = std::max<int32_t>(1, std::min<int32_t>(count, (int32_t)std::thread::hardware_concurrency()));
        std::atomic<bool> out_of_memory{false};
        auto work = [&](int32_t first) {
            try {
                std::vector<uint8_t> tmp;
                std::vector<int32_t> acc;
                for (int32_t i = first; i < count && !out_of_memory; i += threads) {
                    const ImagePlan plan = make_plan(widths[i], heights[i], n_px);
                    horizontal_pass(plan, images[i], n_px, tmp);
                    vertical_pass(plan, tmp, n_px, table, dtype,
                                  static_cast<char*>(out_pixel_values) + i * image_elems * elem_bytes,
                                  out_rgb_u8 ? out_rgb_u8 + i * image_elems : nullptr, acc);
                }
            } catch (const std::bad_alloc&) {
                out_of_memory = true;
            }
        };
        std::vector<std::thread> pool;
        for (int32_t t = 1; t < threads; ++t) {
            try {
                pool.emplace_back(work, t);
            } catch (const std::system_error&) {
                // No thread to be had: this thread takes that share too.
                for (int32_t i = t; i < threads; ++i) work(i);
                break;
            }
        }
        work(0);
        for (std::thread& th : pool) th.join();
        if (out_of_memory) throw std::bad_alloc();
    } catch (const std::bad_alloc&) {
        return fail(CLIP4J_ERR_OUT_OF_MEMORY, "clip4j_preprocess_cpu: out of host memory");
    }
    return CLIP4J_OK;
}
