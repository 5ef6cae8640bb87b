package io.clip4j;

/**
 * Floating-point type the towers compute in. The CPU runs {@link #FLOAT32} only (the reference
 * {@code clip.load(device="cpu")} converts to float32 too); a GPU may use all three.
 */
public enum Precision {
    /** IEEE float32: matches the reference within float32 noise. */
    FLOAT32,
    /** IEEE float16 (GPU only): the dtype OpenAI's checkpoints are stored in. */
    FLOAT16,
    /** bfloat16 (GPU only). */
    BFLOAT16
}
