package io.clip4j.cuda;

import io.clip4j.ClipException;

/**
 * A clip4j_kernels call failed: bad arguments, CUDA requested but unavailable, a CUDA runtime error,
 * or memory exhaustion. The message is the native one, naming the function and the argument.
 */
public class KernelException extends ClipException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message.
     *
     * @param message one line naming the failing call and input
     */
    public KernelException(String message) {
        super(message);
    }
}
