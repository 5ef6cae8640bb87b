package io.clip4j.torch;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Bulk copies between Java arrays and host tensors (one native copy per array, never per element). Must run
 * inside a {@link org.bytedeco.javacpp.PointerScope}: the tensors made here view native buffers that the
 * scope frees.
 */
final class TensorIo {
    private TensorIo() {
    }

    /** @return a float32 tensor of the given C-order shape viewing a native copy of {@code values} */
    static Tensor floats(float[] values, long... shape) {
        FloatPointer data = new FloatPointer(values);
        return torch.from_blob(data, shape, new TensorOptions(torch.ScalarType.Float));
    }

    /** @return an int64 tensor of the given C-order shape viewing a native copy of {@code values} */
    static Tensor longs(long[] values, long... shape) {
        LongPointer data = new LongPointer(values);
        return torch.from_blob(data, shape, new TensorOptions(torch.ScalarType.Long));
    }

    /**
     * @param t a tensor on any device, of any floating-point dtype
     * @return its elements as float32 in C order; a float16/bfloat16 value widens exactly, a device tensor is
     *         copied to the host first (a synchronising copy, so the values are final)
     */
    static float[] toFloats(Tensor t) {
        Tensor host = t.is_cpu() && Placement.hasType(t, torch.ScalarType.Float) ? t
                : t.to(new Device(torch.DeviceType.CPU), torch.ScalarType.Float, false, false,
                        new MemoryFormatOptional());
        Tensor c = host.contiguous();
        long n = c.numel();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalStateException("tensor too large for a Java array: " + n + " elements");
        }
        float[] out = new float[(int) n];
        if (n > 0) {
            new FloatPointer(c.data_ptr()).get(out, 0, out.length);
        }
        return out;
    }
}
