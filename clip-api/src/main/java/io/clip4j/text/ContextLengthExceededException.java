package io.clip4j.text;

import io.clip4j.ClipException;

/**
 * A text needs more tokens than the context length allows and the tokenizer is strict
 * ({@link ClipTokenizer#withTruncation(boolean) withTruncation(false)}). Corresponds to the
 * {@code RuntimeError("Input ... is too long for context length ...")} of the reference
 * {@code clip.tokenize(texts, context_length, truncate=False)}.
 */
public class ContextLengthExceededException extends ClipException {
    private static final long serialVersionUID = 1L;

    /** Index of the offending text in the batch. */
    private final int textIndex;
    /** Its token count, start/end of text included. */
    private final int tokenCount;
    /** The context length it exceeds. */
    private final int contextLength;

    /** Characters of the text quoted in the message; a longer text is cut there with an ellipsis. */
    static final int QUOTED_CHARS = 60;

    /**
     * Creates the exception for a text whose tokens do not fit the context_length, with a message that quotes the
     * text's beginning, as the reference's {@code "Input {text} is too long ..."} quotes the text.
     *
     * @param textIndex     index of the offending text in the batch (0-based)
     * @param text          the offending text (its first {@value #QUOTED_CHARS} characters are quoted)
     * @param tokenCount    its number of tokens, start-of-text and end-of-text included
     * @param contextLength the context length it exceeds
     */
    public ContextLengthExceededException(int textIndex, String text, int tokenCount, int contextLength) {
        super("texts[" + textIndex + "] " + quote(text) + " needs " + tokenCount + " tokens (start/end of text"
                + " included), more than the context length " + contextLength);
        this.textIndex = textIndex;
        this.tokenCount = tokenCount;
        this.contextLength = contextLength;
    }

    /**
     * Creates the exception for a text whose tokens do not fit the context_length, with a message that names it by
     * index only.
     *
     * @param textIndex     index of the offending text in the batch (0-based)
     * @param tokenCount    its number of tokens, start-of-text and end-of-text included
     * @param contextLength the context length it exceeds
     */
    public ContextLengthExceededException(int textIndex, int tokenCount, int contextLength) {
        super("text " + textIndex + " needs " + tokenCount + " tokens (start/end of text included),"
                + " more than the context length " + contextLength);
        this.textIndex = textIndex;
        this.tokenCount = tokenCount;
        this.contextLength = contextLength;
    }

    /** The text in double quotes, printable and cut after {@link #QUOTED_CHARS} characters. */
    private static String quote(String text) {
        return "\"" + MessageText.printable(text, QUOTED_CHARS) + "\"";
    }

    /** {@return the index of the offending text in the batch (0-based)} */
    public int textIndex() {
        return textIndex;
    }

    /** {@return the text's number of tokens, start-of-text and end-of-text included (> context length)} */
    public int tokenCount() {
        return tokenCount;
    }

    /** {@return the context length that was exceeded} */
    public int contextLength() {
        return contextLength;
    }
}
