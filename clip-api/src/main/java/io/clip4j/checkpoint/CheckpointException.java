package io.clip4j.checkpoint;

import io.clip4j.ClipException;

/**
 * A checkpoint file or directory that cannot be used: unknown format, truncated or corrupt data,
 * a pickle opcode or class outside what a tensor state dict needs, missing keys or wrong shapes.
 * The message names the file and the problem.
 */
public class CheckpointException extends ClipException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message.
     *
     * @param message one line naming the file and the problem
     */
    public CheckpointException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a message and the failure that caused it.
     *
     * @param message one line naming the file and the problem
     * @param cause   the underlying failure
     */
    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
