package io.clip4j.checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Parameter name to tensor, in file order, as a checkpoint stores it (names are those of the
 * file's own format until a key mapping translates them). Immutable.
 */
public final class StateDict {
    private final String source;
    private final Map<String, TensorData> tensors;
    private final Map<String, String> metadata;

    /**
     * A state dict without metadata.
     *
     * @param source  where the tensors came from (a path), used in error messages
     * @param tensors name to tensor; copied, order kept
     * @throws NullPointerException if an argument is null
     */
    public StateDict(String source, Map<String, TensorData> tensors) {
        this(source, tensors, Map.of());
    }

    /**
     * Creates a state dict from copies of the tensors and metadata.
     *
     * @param source   where the tensors came from (a path), used in error messages
     * @param tensors  name to tensor; copied, order kept
     * @param metadata string pairs the file stores beside its tensors (a safetensors {@code __metadata__});
     *                 copied, order kept
     * @throws NullPointerException if an argument is null
     */
    public StateDict(String source, Map<String, TensorData> tensors, Map<String, String> metadata) {
        this.source = Objects.requireNonNull(source, "source");
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(tensors, "tensors")));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(metadata, "metadata")));
    }

    /** {@return the file or directory these tensors were read from} */
    public String source() {
        return source;
    }

    /** {@return parameter names in file order} */
    public Set<String> keys() {
        return tensors.keySet();
    }

    /** {@return the number of tensors} */
    public int size() {
        return tensors.size();
    }

    /**
     * Tells whether a tensor with this name is present.
     *
     * @param name parameter name
     * @return true if present
     */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /**
     * Looks up a tensor by name.
     *
     * @param name parameter name
     * @return the tensor, if present
     */
    public Optional<TensorData> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /**
     * Returns a tensor that must be present.
     *
     * @param name parameter name
     * @return the tensor
     * @throws CheckpointException naming the file and the key if it is missing
     */
    public TensorData get(String name) {
        TensorData t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException(source + ": missing tensor '" + name + "'");
        }
        return t;
    }

    /** {@return an unmodifiable view of all tensors} */
    public Map<String, TensorData> asMap() {
        return tensors;
    }

    /**
     * Returns the file's metadata.
     *
     * @return the string pairs stored with the tensors: a safetensors file's {@code __metadata__} (for a sharded
     *         directory, those of all shards), empty for a torch archive; unmodifiable
     */
    public Map<String, String> metadata() {
        return metadata;
    }
}
