// Argument checks shared by the CPU and CUDA entry points; they run before any work starts.
#ifndef CLIP4J_VALIDATE_H
#define CLIP4J_VALIDATE_H

#include <stddef.h>

#include "clip4j/kernels.h"

namespace clip4j {

/** Largest accepted image side and output side. */
constexpr int32_t kMaxImageSide = 1 << 20;
constexpr int32_t kMaxOutputSide = 8192;

/**
 * The preprocessing arguments, including that neither output (out_rgb_u8 may be null) overlaps an input or the
 * other output: the outputs are assumed to be [count, 3, n_px, n_px] of dtype and of uint8.
 */
clip4j_status validate_preprocess(const char* fn, const uint8_t* const* images, const int32_t* widths,
        const int32_t* heights, int32_t count, int32_t n_px, const float* mean, const float* std,
        clip4j_dtype dtype, const void* out_pixel_values, const uint8_t* out_rgb_u8);

/** out_bytes holds [count, 3, n_px, n_px] of dtype (call after validate_preprocess). */
clip4j_status validate_output_bytes(const char* fn, int32_t count, int32_t n_px, clip4j_dtype dtype, int64_t out_bytes);

/** pointer is a multiple of bytes (a misaligned device write is a sticky error that would poison the context). */
clip4j_status validate_alignment(const char* fn, const char* name, const void* pointer, size_t bytes);

/*
 * The three below also refuse an output that overlaps an input or another output (inputs may share memory):
 * the CPU code would read what it already wrote, and the CUDA code copies in and out at other times, so the
 * two would not even agree on the wrong answer. Null optional outputs are skipped.
 */

clip4j_status validate_similarity(const char* fn, const float* image_features, int32_t n,
        const float* text_features, int32_t m, int32_t d, float logit_scale, const float* out_logits);

clip4j_status validate_softmax_topk(const char* fn, const float* logits, int32_t n, int32_t m, int32_t k,
        const float* out_probs, const float* out_top_probs, const int32_t* out_top_indices);

clip4j_status validate_zero_shot(const char* fn, const float* image_features, int32_t n, const float* text_features,
        int32_t m, int32_t d, float logit_scale, int32_t k, const float* out_top_probs, const int32_t* out_top_indices,
        const float* out_top_logits);

/**
 * Every value of the HOST matrix values [rows, cols] is finite (call after the size checks). A NaN or infinity
 * would otherwise come out as NaN probabilities that look like results; device memory cannot be read here.
 */
clip4j_status validate_finite(const char* fn, const char* name, const float* values, int32_t rows, int32_t cols);

/** validate_finite of HOST image_features [n, d] and text_features [m, d]. */
clip4j_status validate_finite_features(const char* fn, const float* image_features, int32_t n,
        const float* text_features, int32_t m, int32_t d);

}  // namespace clip4j

#endif
