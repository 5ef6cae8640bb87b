/*
 * Plain-C use of clip4j_kernels (built and run by CTest, so this example stays true): preprocess two
 * synthetic RGB images the way CLIP's reference does, then rank 3 classes for 2 images from their
 * features, on the GPU when one is usable and on the CPU otherwise.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "clip4j/kernels.h"

#define CHECK(call)                                                                                  \
    do {                                                                                             \
        clip4j_status st_ = (call);                                                                  \
        if (st_ != CLIP4J_OK) {                                                                      \
            fprintf(stderr, "%s failed: %s: %s\n", #call, clip4j_status_name(st_), clip4j_last_error()); \
            return 1;                                                                                \
        }                                                                                            \
    } while (0)

/* Two decoded RGB images of different sizes (row-major, 3 bytes per pixel), preprocessed to N_PX x N_PX. */
enum { W0 = 640, H0 = 480, W1 = 300, H1 = 500, N_PX = 224 };

/* The example's work; every failure returns 1 to main, which frees the buffers either way. */
static int run(int use_gpu, uint8_t* img0, uint8_t* img1, float* pixel_values) {
    for (size_t i = 0; i < (size_t)W0 * H0 * 3; ++i) img0[i] = (uint8_t)(i * 7);
    for (size_t i = 0; i < (size_t)W1 * H1 * 3; ++i) img1[i] = (uint8_t)(i * 13);
    const uint8_t* images[2] = {img0, img1};
    const int32_t widths[2] = {W0, W1}, heights[2] = {H0, H1};
    const float mean[3] = {CLIP4J_CLIP_MEAN_R, CLIP4J_CLIP_MEAN_G, CLIP4J_CLIP_MEAN_B};
    const float std[3] = {CLIP4J_CLIP_STD_R, CLIP4J_CLIP_STD_G, CLIP4J_CLIP_STD_B};
    if (use_gpu) {
        CHECK(clip4j_preprocess_cuda(images, widths, heights, 2, N_PX, mean, std, CLIP4J_FLOAT32, pixel_values, NULL));
    } else {
        CHECK(clip4j_preprocess_cpu(images, widths, heights, 2, N_PX, mean, std, CLIP4J_FLOAT32, pixel_values, NULL));
    }
    /* The first value: R of the top-left output pixel of image 0, ((u8 / 255) - mean) / std. */
    printf("pixel_values[0] = %.6f\n", pixel_values[0]);

    /* image_features [2, 4] and class embeddings [3, 4], as an encoder would produce them. */
    const float image_features[2 * 4] = {1, 0, 0, 0.1f, 0, 1, 0.2f, 0};
    const float text_features[3 * 4] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
    float top_probs[2 * 2], top_logits[2 * 2];
    int32_t top_indices[2 * 2];
    if (use_gpu) {
        CHECK(clip4j_zero_shot_topk_cuda(image_features, 2, text_features, 3, 4, 100.0f, 2, top_probs, top_indices,
                                         top_logits));
    } else {
        CHECK(clip4j_zero_shot_topk_cpu(image_features, 2, text_features, 3, 4, 100.0f, 2, top_probs, top_indices,
                                        top_logits));
    }
    for (int i = 0; i < 2; ++i) {
        printf("image %d: class %d (p=%.4f, logit %.2f), class %d (p=%.4f)\n", i, top_indices[i * 2], top_probs[i * 2],
               top_logits[i * 2], top_indices[i * 2 + 1], top_probs[i * 2 + 1]);
    }
    /* Image 0 points along class 0, image 1 along class 1. */
    const int ok = top_indices[0] == 0 && top_indices[2] == 1 && fabsf(top_probs[0] + top_probs[1] - 1.0f) < 1e-3f;

    /* Bad input is an error code and a message, never a crash. */
    if (clip4j_zero_shot_topk_cpu(image_features, 2, text_features, 3, 4, 100.0f, 5, top_probs, top_indices, NULL) !=
        CLIP4J_ERR_INVALID_ARGUMENT) {
        return 1;
    }
    printf("k = 5 rejected: %s\n", clip4j_last_error());
    return ok ? 0 : 1;
}

int main(void) {
    const int use_gpu = clip4j_cuda_available();
    printf("backend: %s\n", use_gpu ? "CUDA" : "CPU");

    uint8_t* img0 = malloc((size_t)W0 * H0 * 3);
    uint8_t* img1 = malloc((size_t)W1 * H1 * 3);
    float* pixel_values = malloc(sizeof(float) * 2 * 3 * N_PX * N_PX); /* [2, 3, 224, 224] */
    const int allocated = img0 != NULL && img1 != NULL && pixel_values != NULL;
    if (!allocated) fprintf(stderr, "out of memory\n");
    const int rc = allocated ? run(use_gpu, img0, img1, pixel_values) : 1;
    free(img0); /* free(NULL) is a no-op */
    free(img1);
    free(pixel_values);
    return rc;
}
