package io.clip4j;

/**
 * Root of every exception clip4j throws on bad input, bad files or a failing native layer.
 *
 * <p>Unchecked, like {@link IllegalArgumentException}: callers that want to treat all clip4j
 * failures alike catch this type; the subclasses say what went wrong (an undecodable image, a
 * corrupt checkpoint, a text too long for the context, ...). Messages are one clear line that
 * names the offending input.
 *
 * <p>Programming errors are not in this family: a null argument is usually a {@link NullPointerException} naming
 * the parameter (an {@link IllegalArgumentException} where a method's Javadoc says so, e.g. the tokenizer's), and an
 * argument outside its documented range (a k of 0, a negative size, a null list element, a shape mismatch) an
 * {@link IllegalArgumentException} or {@link IndexOutOfBoundsException}, as each method's Javadoc says.
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
