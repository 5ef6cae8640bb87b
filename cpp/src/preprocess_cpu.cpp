// CPU implementation of the fused CLIP preprocessing (see clip4j_preprocess_cpu in kernels.h).
#include <new>
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

// Vertical pass + ToTensor/Normalize, writing the NCHW slice of one image (and its HWC bytes).
void vertical_pass(const ImagePlan& plan, const std::vector<uint8_t>& tmp, int32_t n, const float* mean,
        const float* std, clip4j_dtype dtype, void* out_chw, uint8_t* out_hwc) {
    const AxisPlan& v = plan.vertical;
    const size_t plane = (size_t)n * n;
    for (int32_t y = 0; y < n; ++y) {
        const int32_t* k = &v.coeff[(size_t)y * v.ksize];
        const uint8_t* base = &tmp[(size_t)(v.start[y] - plan.row_start) * n * 3];
        for (int32_t x = 0; x < n; ++x) {
            for (int c = 0; c < 3; ++c) {
                int32_t acc = 1 << (kPrecisionBits - 1);
                for (int32_t j = 0; j < v.count[y]; ++j) acc += base[(size_t)j * n * 3 + x * 3 + c] * k[j];
                const uint8_t u = clip8(acc);
                if (out_hwc) out_hwc[((size_t)y * n + x) * 3 + c] = u;
                const float f = normalize_u8(u, mean[c], std[c]);
                const size_t at = c * plane + (size_t)y * n + x;
                if (dtype == CLIP4J_FLOAT32) {
                    static_cast<float*>(out_chw)[at] = f;
                } else {
                    static_cast<uint16_t*>(out_chw)[at] = float_to_half_bits(f);
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
                                           mean, std, dtype, out_pixel_values);
    if (st != CLIP4J_OK) return st;
    const size_t image_elems = (size_t)3 * n_px * n_px;
    const size_t elem_bytes = dtype == CLIP4J_FLOAT32 ? 4 : 2;
    try {
        std::vector<uint8_t> tmp;
        for (int32_t i = 0; i < count; ++i) {
            const ImagePlan plan = make_plan(widths[i], heights[i], n_px);
            horizontal_pass(plan, images[i], n_px, tmp);
            vertical_pass(plan, tmp, n_px, mean, std, dtype,
                          static_cast<char*>(out_pixel_values) + i * image_elems * elem_bytes,
                          out_rgb_u8 ? out_rgb_u8 + i * image_elems : nullptr);
        }
    } catch (const std::bad_alloc&) {
        return fail(CLIP4J_ERR_OUT_OF_MEMORY, "clip4j_preprocess_cpu: out of host memory");
    }
    return CLIP4J_OK;
}
