package io.clip4j.train;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/** Bulk copies between Java arrays and LibTorch CPU tensors: one native copy per array, never per element. */
final class Tensors {
    private Tensors() {
    }

    /**
     * The copies below write {@code length} values into a tensor of {@code shape}: a longer array would write past
     * its memory, a shorter one leave uninitialised values in it.
     */
    private static void requireLength(int length, long... shape) {
        long numel = 1;
        for (long d : shape) {
            numel *= d;
        }
        if (numel != length) {
            throw new IllegalArgumentException(length + " values for a tensor of shape "
                    + java.util.Arrays.toString(shape) + " (" + numel + " elements)");
        }
    }

    /**
     * @return a new float32 tensor that owns a copy of {@code values}; it survives any enclosing
     *         {@link PointerScope} (the caller closes it)
     */
    static Tensor ownedFloats(float[] values, long... shape) {
        Tensor t;
        try (PointerScope scope = new PointerScope()) {
            requireLength(values.length, shape);
            t = torch.empty(shape, new TensorOptions(torch.ScalarType.Float), new MemoryFormatOptional());
            if (values.length > 0) {
                new FloatPointer(t.data_ptr()).capacity(values.length).put(values, 0, values.length);
            }
            t.retainReference(); // keep it alive past the scope's release
        }
        return t;
    }

    /** @return a float32 tensor (a Java peer of the enclosing scope) holding a copy of {@code values} */
    static Tensor floats(float[] values, long... shape) {
        requireLength(values.length, shape);
        Tensor t = torch.empty(shape, new TensorOptions(torch.ScalarType.Float), new MemoryFormatOptional());
        if (values.length > 0) {
            new FloatPointer(t.data_ptr()).capacity(values.length).put(values, 0, values.length);
        }
        return t;
    }

    /** @return an int64 tensor (a Java peer of the enclosing scope) holding a copy of {@code values} */
    static Tensor longs(long[] values, long... shape) {
        requireLength(values.length, shape);
        Tensor t = torch.empty(shape, new TensorOptions(torch.ScalarType.Long), new MemoryFormatOptional());
        if (values.length > 0) {
            new LongPointer(t.data_ptr()).capacity(values.length).put(values, 0, values.length);
        }
        return t;
    }

    /** @return the values of a float32 tensor in C order (gradient history ignored) */
    static float[] toFloats(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            Tensor c = t.detach().contiguous();
            long n = c.numel();
            if (n > Integer.MAX_VALUE) {
                throw new IllegalStateException("tensor too large for a Java array: " + n + " elements");
            }
            float[] out = new float[(int) n];
            if (n > 0) {
                new FloatPointer(c.data_ptr()).capacity(n).get(out, 0, out.length);
            }
            return out;
        }
    }

    /** @return the sizes of {@code t}, outermost first */
    static long[] shape(Tensor t) {
        long[] s = new long[(int) t.dim()];
        for (int i = 0; i < s.length; i++) {
            s[i] = t.size(i);
        }
        return s;
    }
}
