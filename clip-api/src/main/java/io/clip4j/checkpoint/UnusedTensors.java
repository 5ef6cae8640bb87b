package io.clip4j.checkpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Strict loading, shared by inference and training: a checkpoint tensor that building the model did not read is an
 * error, as with the reference's strict {@code model.load_state_dict(state_dict)} in {@code build_model}. Such a
 * tensor belongs to a part CLIP's architecture does not have (open_clip's layer scale {@code ls_1.gamma} or
 * {@code logit_bias}, an attentional pooler {@code attn_pool.*}, a classification head), and ignoring it would give
 * another model without an error. Exempt are the buffers the reference drops or never loads: the top-level
 * {@code input_resolution}, {@code context_length} and {@code vocab_size} of OpenAI's archives, the text tower's
 * {@code attn_mask}, and the {@code num_batches_tracked} counter of a BatchNorm whose {@code running_var} was read.
 */
public final class UnusedTensors {
    /** Top-level int64 buffers of OpenAI's archives; the reference {@code build_model} deletes them. */
    private static final Set<String> ARCHIVE_BUFFERS = Set.of("input_resolution", "context_length", "vocab_size");
    /** The text tower's causal mask, a fixed function of context_length (a tensor attribute in TorchScript). */
    private static final Pattern CAUSAL_MASK = Pattern.compile("(transformer\\.resblocks\\.\\d+\\.)?attn_mask");
    private static final String BATCH_COUNTER = ".num_batches_tracked";

    private UnusedTensors() {
    }

    /**
     * Checks that the model was built from every tensor of the checkpoint (strict {@code load_state_dict}).
     *
     * @param sd   the checkpoint
     * @param read the names of the tensors the model was built from
     * @throws CheckpointException naming the first tensor of {@code sd} that is neither read nor exempt, and their
     *                             count
     */
    public static void requireAllUsed(StateDict sd, Set<String> read) {
        Objects.requireNonNull(read, "read");
        List<String> unexpected = new ArrayList<>();
        for (String key : sd.keys()) {
            if (!read.contains(key) && !isExempt(key, read)) {
                unexpected.add(key);
            }
        }
        if (!unexpected.isEmpty()) {
            throw new CheckpointException(sd.source() + ": unexpected tensor '" + unexpected.get(0) + "' ("
                    + unexpected.size() + " in all): the checkpoint has parameters that CLIP's architecture"
                    + " (openai/CLIP clip/model.py) does not use, so it is another model or a variant clip4j does"
                    + " not implement");
        }
    }

    /**
     * Tells whether a tensor may be left unread: a buffer the reference drops or never loads.
     *
     * @param key  a tensor name
     * @param read the names of the tensors the model was built from
     * @return true if {@code key} is a buffer that strict loading does not require to be read
     */
    public static boolean isExempt(String key, Set<String> read) {
        if (ARCHIVE_BUFFERS.contains(key) || CAUSAL_MASK.matcher(key).matches()) {
            return true;
        }
        return key.endsWith(BATCH_COUNTER)
                && read.contains(key.substring(0, key.length() - BATCH_COUNTER.length()) + ".running_var");
    }
}
