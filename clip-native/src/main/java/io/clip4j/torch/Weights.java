package io.clip4j.torch;

import io.clip4j.checkpoint.CheckpointException;
import io.clip4j.checkpoint.StateDict;
import io.clip4j.checkpoint.TensorData;
import io.clip4j.checkpoint.UnusedTensors;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The tensors of one model, converted on demand from a {@link StateDict} with OpenAI names and checked against
 * the shape the architecture expects, then placed on the model's device in its compute dtype (float32 on the
 * CPU by default). Owns every tensor it hands out until {@link #close()}. Not thread-safe: used only while a
 * model is being built.
 */
final class Weights implements AutoCloseable {
    private final StateDict stateDict;
    private final Placement placement;
    private final ParameterFactory factory;
    private final String factorySource;
    private final List<Tensor> owned = new ArrayList<>();
    private final Set<String> used = new HashSet<>();

    /** Weights for the CPU in float32. */
    Weights(StateDict stateDict) {
        this(stateDict, Placement.CPU_FLOAT32);
    }

    /**
     * @param stateDict the checkpoint's tensors
     * @param placement the device and compute dtype of the model being built
     */
    Weights(StateDict stateDict, Placement placement) {
        this.stateDict = stateDict;
        this.placement = placement;
        this.factory = null;
        this.factorySource = null;
    }

    /**
     * Weights made by a factory instead of read from a checkpoint (training, CPU float32): every tensor the
     * factory returns is used as-is (shared, not copied), so in-place updates by an optimiser are seen by the
     * towers. Nothing is owned: {@link #release()} returns an empty list and {@link #close()} frees nothing.
     *
     * @param source  a name for messages
     * @param factory makes the tensor of each parameter name and shape, in tower build order
     */
    Weights(String source, ParameterFactory factory) {
        this.stateDict = null;
        this.placement = Placement.CPU_FLOAT32;
        this.factory = factory;
        this.factorySource = source;
    }

    /**
     * @param name          OpenAI parameter name, e.g. {@code visual.conv1.weight}
     * @param expectedShape the shape the configuration implies (empty for a 0-dim scalar)
     * @return a new tensor on the model's device in its compute dtype with the values of the checkpoint
     *         (fp16/bf16 widen exactly to float32; narrowing rounds to nearest like the reference's
     *         {@code convert_weights})
     * @throws CheckpointException naming the file and the key if it is missing, has another shape or a
     *                             non-floating dtype
     */
    Tensor get(String name, long... expectedShape) {
        return load(name, placement.computeType(), expectedShape);
    }

    /**
     * A parameter the reference keeps in float32 whatever the model's dtype: LayerNorm and BatchNorm
     * parameters (its {@code convert_weights} skips them) and {@code logit_scale}.
     *
     * @param name          OpenAI parameter name, e.g. {@code ln_final.weight}
     * @param expectedShape the shape the configuration implies (empty for a 0-dim scalar)
     * @return a new float32 tensor on the model's device
     * @throws CheckpointException as {@link #get}
     */
    Tensor getFloat32(String name, long... expectedShape) {
        return load(name, torch.ScalarType.Float, expectedShape);
    }

    private Tensor load(String name, torch.ScalarType target, long[] expectedShape) {
        if (factory != null) {
            Tensor t = factory.create(name, expectedShape.clone());
            long[] shape = shapeOf(t);
            if (!Arrays.equals(shape, expectedShape)) {
                throw new CheckpointException(factorySource + ": tensor '" + name + "' has shape "
                        + Arrays.toString(shape) + ", the configuration expects "
                        + Arrays.toString(expectedShape));
            }
            return t;
        }
        TensorData data = stateDict.get(name);
        used.add(name);
        long[] shape = data.shape();
        if (!Arrays.equals(shape, expectedShape)) {
            throw new CheckpointException(stateDict.source() + ": tensor '" + name + "' has shape "
                    + Arrays.toString(shape) + ", the configuration expects " + Arrays.toString(expectedShape));
        }
        torch.ScalarType type = scalarType(name, data);
        Tensor result;
        // The scope frees the source-dtype staging tensor and the option objects; only the result survives.
        try (PointerScope scope = new PointerScope()) {
            Tensor raw = torch.empty(shape, new TensorOptions(type), new MemoryFormatOptional());
            ByteBuffer src = data.data();
            if (src.remaining() > 0) {
                long n = src.remaining();
                // A view of the tensor's storage; asByteBuffer() spans [position, limit).
                BytePointer dst = new BytePointer(raw.data_ptr()).capacity(n).limit(n);
                dst.asByteBuffer().put(src);
            }
            if (placement.device().isCuda()) {
                result = placement.copyTo(raw, target); // one transfer, cast on the way
            } else if (type == target) {
                result = raw; // already the model's tensor: no second copy of (up to gigabytes of) weights
            } else {
                result = raw.toType(target);
            }
            // One extra reference: the scope's release on close leaves it alive (detach() would free it).
            result.retainReference();
        }
        owned.add(result);
        return result;
    }

    /**
     * Fails if the checkpoint holds a tensor that the towers built so far did not read, by the rules of
     * {@link UnusedTensors} (shared with training). Weights made by a factory are not checked.
     *
     * @throws CheckpointException naming the first unexpected tensor and their count
     */
    void requireAllUsed() {
        if (stateDict != null) {
            UnusedTensors.requireAllUsed(stateDict, used);
        }
    }

    /** @return the sizes of {@code t}, outermost first (empty for a 0-dim scalar) */
    static long[] shapeOf(Tensor t) {
        long[] shape = new long[(int) t.dim()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.size(i);
        }
        return shape;
    }

    private torch.ScalarType scalarType(String name, TensorData data) {
        switch (data.dtype()) {
            case F16: return torch.ScalarType.Half;
            case BF16: return torch.ScalarType.BFloat16;
            case F32: return torch.ScalarType.Float;
            case F64: return torch.ScalarType.Double;
            default:
                throw new CheckpointException(stateDict.source() + ": tensor '" + name + "' has dtype " + data.dtype()
                        + ", expected a floating-point type");
        }
    }

    /** @return the file the tensors come from, for messages */
    String source() {
        return stateDict != null ? stateDict.source() : factorySource;
    }

    /** @return every tensor handed out so far; the caller now owns (and must close) them, this object none */
    List<Tensor> release() {
        List<Tensor> all = new ArrayList<>(owned);
        owned.clear();
        return all;
    }

    /** Frees every tensor still owned (after a failed build). */
    @Override
    public void close() {
        for (Tensor t : owned) {
            t.close();
        }
        owned.clear();
    }
}
