package io.clip4j.text;

import io.clip4j.ClipException;

/**
 * A BPE merges file (or the bundled vocabulary resource) cannot be read or is malformed. The
 * message names the file and, for a malformed file, the offending line.
 */
public class VocabularyException extends ClipException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message.
     *
     * @param message one line naming the file and what is wrong with it
     */
    public VocabularyException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a message and the I/O failure that caused it.
     *
     * @param message one line naming the file and what is wrong with it
     * @param cause   the underlying I/O failure
     */
    public VocabularyException(String message, Throwable cause) {
        super(message, cause);
    }
}
