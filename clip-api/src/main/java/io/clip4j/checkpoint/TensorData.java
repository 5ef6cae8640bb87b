package io.clip4j.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of a checkpoint: dtype, shape and its elements as a contiguous, C-order, little-endian
 * byte buffer (often a slice of a memory-mapped file, so nothing is copied until a consumer asks).
 */
public final class TensorData {
    private final DType dtype;
    private final long[] shape;
    private final ByteBuffer data;

    /**
     * Creates a tensor viewing a little-endian buffer (not copied).
     *
     * @param dtype element type
     * @param shape sizes per dimension, each &ge; 0 (empty for a 0-dim scalar)
     * @param data  exactly {@code numel * dtype.byteSize()} bytes, C order, little endian; position 0
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if a dimension is negative, the shape's byte size exceeds a long, or the
     *                                  buffer size does not match the shape
     */
    public TensorData(DType dtype, long[] shape, ByteBuffer data) {
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.shape = Objects.requireNonNull(shape, "shape").clone();
        Objects.requireNonNull(data, "data");
        long bytes = dtype.byteSize();
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            if (s == 0) {
                bytes = 0; // an empty tensor, however large its other dimensions
            }
        }
        for (long s : shape) {
            if (bytes == 0) {
                break;
            }
            if (bytes > Long.MAX_VALUE / s) { // an IllegalArgumentException, not Math.multiplyExact's ArithmeticException
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + dtype
                        + " holds more bytes than a long counts");
            }
            bytes *= s;
        }
        if (data.remaining() != bytes) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + bytes + " bytes, buffer holds " + data.remaining());
        }
        this.data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** {@return the element type} */
    public DType dtype() {
        return dtype;
    }

    /** {@return a copy of the shape} */
    public long[] shape() {
        return shape.clone();
    }

    /** {@return the number of dimensions (0 for a scalar)} */
    public int dim() {
        return shape.length;
    }

    /**
     * Returns the size of one dimension, like {@code torch.Tensor.size(i)}.
     *
     * @param i dimension index in {@code [-dim(), dim())}, negative counts from the end
     * @return size of that dimension
     * @throws IndexOutOfBoundsException if i is outside that range (as torch's IndexError)
     */
    public long size(int i) {
        if (i < -shape.length || i >= shape.length) {
            throw new IndexOutOfBoundsException("dimension " + i + " out of range for a " + shape.length
                    + "-dimensional tensor (expected [" + -shape.length + ", " + shape.length + "))");
        }
        return shape[i < 0 ? shape.length + i : i];
    }

    /** {@return the number of elements (1 for a scalar)} */
    public long numel() {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    /** {@return a read-only little-endian view of the elements, position 0} */
    public ByteBuffer data() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Every element converted to float32 (fp16/bf16 widen exactly).
     *
     * @return a new array of {@link #numel()} values in C order
     * @throws IllegalStateException if the tensor has more than {@code Integer.MAX_VALUE} elements
     */
    public float[] toFloatArray() {
        long n = numel();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalStateException("tensor too large for a Java array: " + n + " elements");
        }
        float[] out = new float[(int) n];
        ByteBuffer b = data();
        for (int i = 0; i < out.length; i++) {
            switch (dtype) {
                case F32: out[i] = b.getFloat(i * 4); break;
                case F16: out[i] = Half.toFloat(b.getShort(i * 2)); break;
                case BF16: out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16); break;
                case F64: out[i] = (float) b.getDouble(i * 8); break;
                case I64: out[i] = b.getLong(i * 8); break;
                case I32: out[i] = b.getInt(i * 4); break;
                case I16: out[i] = b.getShort(i * 2); break;
                case I8: out[i] = b.get(i); break;
                case U8: case BOOL: out[i] = b.get(i) & 0xff; break;
                default: throw new IllegalStateException("unhandled dtype " + dtype);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "TensorData[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
