/**
 * Pure-Java arithmetic of CLIP's head, on row-major float32 matrices: {@link io.clip4j.math.Similarity}
 * (L2 normalisation, {@code logit_scale * cos} as in the reference {@code CLIP.forward}, row softmax, top-k) with
 * its result type {@link io.clip4j.math.TopK} (PyTorch's {@code softmax(dim=-1).topk(k)}, ties to the lower
 * column), and {@link io.clip4j.math.ArraySizes}, which checks a {@code rows * cols} array length before it is
 * allocated ({@link java.lang.IllegalArgumentException} past the Java array limit instead of a wrapped int).
 * {@code Similarity} and {@code ArraySizes} are stateless and thread-safe; {@code Similarity} is the CPU reference
 * that clip-cuda's kernels are tested against.
 */
package io.clip4j.math;
