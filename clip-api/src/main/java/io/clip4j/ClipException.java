package io.clip4j;

/**
 * Root of every exception clip4j throws on bad input, bad files or a failing native layer.
 *
 * <p>Unchecked, like {@link IllegalArgumentException}: callers that want to treat all clip4j
 * failures alike catch this type; the subclasses say what went wrong (an undecodable image, a
 * corrupt checkpoint, a text too long for the context, ...). Messages are one clear line that
 * names the offending input.
 */
public class ClipException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message.
     *
     * @param message one line saying what went wrong and with which input
     */
    public ClipException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a message and the failure that caused it.
     *
     * @param message one line saying what went wrong and with which input
     * @param cause   the underlying failure (I/O, native error, ...)
     */
    public ClipException(String message, Throwable cause) {
        super(message, cause);
    }
}
