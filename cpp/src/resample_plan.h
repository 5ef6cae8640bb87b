// Pillow-exact resize + centre-crop plan: the fixed-point weights of every output row/column that
// survives the crop. Computed once on the host (in double precision, exactly like Pillow's
// precompute_coeffs) and then applied by integer-only CPU or CUDA code, so both agree bit for bit.
#ifndef CLIP4J_RESAMPLE_PLAN_H
#define CLIP4J_RESAMPLE_PLAN_H

#include <stdint.h>

#include <vector>

namespace clip4j {

/** Weights of one axis for the n output indices kept by the crop. */
struct AxisPlan {
    int32_t ksize = 1;            // weights stored per output index (Pillow's ksize)
    std::vector<int32_t> start;   // [n] first input index (Pillow's xmin)
    std::vector<int32_t> count;   // [n] number of input indices used (Pillow's xmax - xmin)
    std::vector<int32_t> coeff;   // [n * ksize] 22-bit fixed-point weights, zero padded
};

/** Everything needed to resize + crop one image to n x n. */
struct ImagePlan {
    int32_t width = 0, height = 0;        // input
    int64_t resized_w = 0, resized_h = 0; // torchvision Resize(n) output size
    int64_t left = 0, top = 0;            // CenterCrop offsets in the resized image
    AxisPlan horizontal;                  // columns left .. left+n-1 of the resized image
    AxisPlan vertical;                    // rows top .. top+n-1
    int32_t row_start = 0, row_count = 0; // input rows the vertical pass reads
};

/**
 * Builds the plan for an RGB image of width x height (both >= 1) resized so its shorter side is n
 * (longer side int(n * long / short)) and centre-cropped to n x n. An axis whose size does not
 * change gets identity weights (Pillow skips that pass; one weight of 2^22 gives the same bytes).
 */
ImagePlan make_plan(int32_t width, int32_t height, int32_t n);

/** Python's round((size - n) / 2) for size >= n: halves round to even (torchvision's CenterCrop). */
int64_t center_crop_offset(int64_t size, int32_t n);

}  // namespace clip4j

#endif
