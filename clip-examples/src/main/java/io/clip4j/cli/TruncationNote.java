package io.clip4j.cli;

import io.clip4j.ClipModel;
import io.clip4j.text.ClipTokenizer;
import io.clip4j.text.TokenizedBatch;

import java.io.PrintWriter;
import java.util.List;

/**
 * Says on stderr when texts are longer than the model's context_length: they are cut, as the reference's
 * {@code clip.tokenize(truncate=True)} cuts them, which changes what they mean without any error.
 */
final class TruncationNote {
    private static final int CHUNK = 4096;

    private TruncationNote() {
    }

    /**
     * @param model the model the texts go to (its context_length)
     * @param texts texts about to be encoded (prompts, queries)
     * @param what  what they are, for the note ("prompts", "texts")
     * @param err   where the note goes
     */
    static void warnIfTruncated(ClipModel model, List<String> texts, String what, PrintWriter err) {
        warnIfTruncated(model.config().contextLength(), texts, what, err);
    }

    /** As {@link #warnIfTruncated(ClipModel, List, String, PrintWriter)}, for a context_length. */
    static void warnIfTruncated(int contextLength, List<String> texts, String what, PrintWriter err) {
        if (texts.isEmpty()) {
            return;
        }
        ClipTokenizer tokenizer = ClipTokenizer.create().withContextLength(contextLength);
        int count = 0;
        String first = null;
        // In slices: 80 templates x 20,000 labels tokenized at once would hold half a gigabyte of ids.
        for (int from = 0; from < texts.size(); from += CHUNK) {
            List<String> slice = texts.subList(from, Math.min(texts.size(), from + CHUNK));
            TokenizedBatch batch = tokenizer.tokenize(slice);
            for (int i = 0; i < slice.size(); i++) {
                if (batch.truncated(i)) {
                    count++;
                    first = first == null ? slice.get(i) : first;
                }
            }
        }
        if (count > 0) {
            String shown = first.codePointCount(0, first.length()) <= 60 ? first
                    : first.substring(0, first.offsetByCodePoints(0, 57)) + "..."; // never half an emoji
            err.println("clip: note: " + count + " of " + texts.size() + " " + what + " are longer than the model's "
                    + "context_length (" + contextLength + " tokens) and are cut, e.g. \"" + shown + "\"");
            err.flush();
        }
    }
}
