package io.clip4j;

/**
 * A model produced NaN or infinite image_features or text_features for an input: its checkpoint holds
 * non-finite weights, or a float16/bfloat16 activation overflowed. Also for features that are all zeros, which
 * have no direction (the reference's L2 normalisation turns them into NaN). Thrown instead of passing the values on,
 * where they would surface later as a misleading argument error (e.g. a similarity's non-finite logit).
 * Callers that process many inputs, like {@link io.clip4j.search.ImageIndexer}, may skip the input and go on.
 */
public class NonFiniteFeaturesException extends ClipException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message.
     *
     * @param message which features of which input, and the likely cause
     */
    public NonFiniteFeaturesException(String message) {
        super(message);
    }
}
