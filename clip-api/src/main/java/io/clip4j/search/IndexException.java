package io.clip4j.search;

import io.clip4j.ClipException;

/**
 * An embedding index cannot be used as asked: its file is unreadable, corrupt or of another format, or a
 * query comes from a model other than the one that built it (another embed_dim, or other embeddings).
 * The message names the index file or the models involved.
 */
public class IndexException extends ClipException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with a message.
     *
     * @param message what is wrong and with which index
     */
    public IndexException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a message and the failure that caused it.
     *
     * @param message what is wrong and with which index
     * @param cause   the underlying I/O or parse failure
     */
    public IndexException(String message, Throwable cause) {
        super(message, cause);
    }
}
