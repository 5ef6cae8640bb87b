package io.clip4j.image;

import io.clip4j.ClipException;

/**
 * An image that cannot be decoded: unreadable or truncated file, unknown or unsupported format,
 * zero-sized image, or more pixels than the configured limit (decompression-bomb guard).
 */
public class ImageDecodeException extends ClipException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message.
     *
     * @param message one line naming the input and the problem
     */
    public ImageDecodeException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a message and the failure that caused it.
     *
     * @param message one line naming the input and the problem
     * @param cause   the underlying failure
     */
    public ImageDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
