#include "resample_plan.h"

#include <algorithm>
#include <cmath>

#include "pixel_math.h"

namespace clip4j {
namespace {

// Pillow's bicubic_filter (Resample.c) with a = -0.5, evaluated in the same form.
double bicubic(double x) {
    const double a = -0.5;
    if (x < 0.0) x = -x;
    if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}

AxisPlan identity_axis(int64_t first, int32_t n) {
    AxisPlan p;
    p.ksize = 1;
    p.start.resize(n);
    p.count.assign(n, 1);
    p.coeff.assign(n, 1 << kPrecisionBits);
    for (int32_t i = 0; i < n; ++i) p.start[i] = (int32_t)(first + i);
    return p;
}

// Pillow's precompute_coeffs + normalize_coeffs_8bpc for output indices first .. first+n-1.
AxisPlan resample_axis(int32_t in_size, int64_t out_size, int64_t first, int32_t n) {
    if (out_size == in_size) return identity_axis(first, n);
    const double scale = (double)in_size / (double)out_size;
    const double filterscale = scale < 1.0 ? 1.0 : scale;
    const double support = 2.0 * filterscale;  // bicubic support 2, widened when downscaling
    const double ss = 1.0 / filterscale;
    AxisPlan p;
    p.ksize = (int32_t)std::ceil(support) * 2 + 1;
    p.start.resize(n);
    p.count.resize(n);
    p.coeff.assign((size_t)n * p.ksize, 0);
    std::vector<double> w(p.ksize);
    for (int32_t i = 0; i < n; ++i) {
        const double center = ((double)(first + i) + 0.5) * scale;
        int32_t xmin = (int32_t)(center - support + 0.5);  // C truncation, as Pillow
        if (xmin < 0) xmin = 0;
        int32_t xmax = (int32_t)(center + support + 0.5);
        if (xmax > in_size) xmax = in_size;
        xmax -= xmin;
        double ww = 0.0;
        for (int32_t x = 0; x < xmax; ++x) {
            w[x] = bicubic((x + xmin - center + 0.5) * ss);
            ww += w[x];
        }
        int32_t* k = &p.coeff[(size_t)i * p.ksize];
        for (int32_t x = 0; x < xmax; ++x) {
            const double v = ww != 0.0 ? w[x] / ww : w[x];
            k[x] = v < 0 ? (int32_t)(-0.5 + v * (1 << kPrecisionBits))
                         : (int32_t)(0.5 + v * (1 << kPrecisionBits));
        }
        p.start[i] = xmin;
        p.count[i] = xmax;
    }
    return p;
}

}  // namespace

int64_t center_crop_offset(int64_t size, int32_t n) {
    const int64_t twice = size - n;  // the offset is twice / 2
    const int64_t down = twice / 2;
    if (twice % 2 == 0) return down;
    return down % 2 == 0 ? down : down + 1;  // x.5 goes to the even neighbour
}

ImagePlan make_plan(int32_t width, int32_t height, int32_t n) {
    ImagePlan plan;
    plan.width = width;
    plan.height = height;
    // torchvision _compute_resized_output_size: int(n * long / short) in double precision.
    if (width <= height) {
        plan.resized_w = n;
        plan.resized_h = (int64_t)((double)n * (double)height / (double)width);
    } else {
        plan.resized_h = n;
        plan.resized_w = (int64_t)((double)n * (double)width / (double)height);
    }
    plan.left = center_crop_offset(plan.resized_w, n);
    plan.top = center_crop_offset(plan.resized_h, n);
    plan.horizontal = resample_axis(width, plan.resized_w, plan.left, n);
    plan.vertical = resample_axis(height, plan.resized_h, plan.top, n);
    int32_t lo = height, hi = 0;
    for (int32_t i = 0; i < n; ++i) {
        lo = std::min(lo, plan.vertical.start[i]);
        hi = std::max(hi, plan.vertical.start[i] + plan.vertical.count[i]);
    }
    plan.row_start = lo;
    plan.row_count = hi - lo;
    return plan;
}

}  // namespace clip4j
