package io.clip4j.torch;

import org.bytedeco.pytorch.Tensor;

/**
 * Receives named intermediate values during a forward pass (the fixtures' {@code intermediates/}); used by
 * tests. Implementations must copy what they keep: the tensor is freed when the call returns.
 */
@FunctionalInterface
interface Taps {
    /** Records nothing. */
    Taps NONE = (name, value) -> { };

    /**
     * @param name  e.g. {@code vision_ln_post}, {@code text_ln_final_eot}
     * @param value the value at that point, batch first
     */
    void tap(String name, Tensor value);
}
