package io.clip4j.eval;

import io.clip4j.ClipException;

/**
 * An evaluation cannot run on the given input: an empty or inconsistent dataset, a class with too few
 * examples for the requested shots, features of different embed_dim, an out-of-range option.
 * The message names the offending input.
 */
public class EvaluationException extends ClipException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message.
     *
     * @param message what is wrong and with which input
     */
    public EvaluationException(String message) {
        super(message);
    }
}
