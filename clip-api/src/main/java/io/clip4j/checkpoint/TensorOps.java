package io.clip4j.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * The few byte-level tensor rearrangements the key mappings and the pickle reader need. Each returns a
 * new heap-backed tensor (only the rearranged tensors are copied; everything else stays memory-mapped).
 */
final class TensorOps {
    private TensorOps() {
    }

    /**
     * Concatenation along dimension 0 ({@code torch.cat(parts, 0)}).
     *
     * @param source for messages
     * @param what   the resulting parameter name, for messages
     * @param parts  tensors of one dtype whose shapes agree except in dimension 0
     * @return the concatenated tensor
     * @throws CheckpointException if dtypes or trailing shapes differ
     */
    static TensorData concat0(String source, String what, List<TensorData> parts) {
        TensorData first = parts.get(0);
        long rows = 0;
        long total = 0;
        for (TensorData p : parts) {
            long[] a = p.shape();
            long[] b = first.shape();
            if (p.dtype() != first.dtype() || a.length == 0 || a.length != b.length
                    || !Arrays.equals(Arrays.copyOfRange(a, 1, a.length), Arrays.copyOfRange(b, 1, b.length))) {
                throw new CheckpointException(source + ": cannot build '" + what + "': parts " + parts
                        + " differ in dtype or shape");
            }
            rows += a[0];
            total += p.data().remaining();
        }
        ByteBuffer out = allocate(source, what, total);
        for (TensorData p : parts) {
            out.put(p.data());
        }
        Buffers.flip(out);
        long[] shape = first.shape();
        shape[0] = rows;
        return new TensorData(first.dtype(), shape, out);
    }

    /**
     * Matrix transpose ({@code t.T.contiguous()} of a 2-D tensor).
     *
     * @param source for messages
     * @param what   the resulting parameter name, for messages
     * @param t      a 2-D tensor {@code [r, c]}
     * @return the {@code [c, r]} transpose
     * @throws CheckpointException if {@code t} is not 2-D
     */
    static TensorData transpose2d(String source, String what, TensorData t) {
        if (t.dim() != 2) {
            throw new CheckpointException(source + ": cannot build '" + what + "': expected a 2-D tensor, got " + t);
        }
        // A tensor without elements may have a dimension beyond int ([2^32 + 64, 0] is a valid safetensors shape):
        // the result's shape takes the longs, and the loops run only when there are elements, which bound both sizes.
        long[] shape = {t.size(1), t.size(0)};
        int rows = (int) t.size(0);
        int cols = t.numel() == 0 ? 0 : (int) t.size(1);
        int es = t.dtype().byteSize();
        ByteBuffer in = t.data();
        ByteBuffer out = allocate(source, what, in.remaining());
        for (int c = 0; c < cols; c++) {
            for (int r = 0; r < rows; r++) {
                int src = (r * cols + c) * es;
                for (int k = 0; k < es; k++) {
                    out.put(in.get(src + k));
                }
            }
        }
        Buffers.flip(out);
        return new TensorData(t.dtype(), shape, out);
    }

    /**
     * Gathers a strided view of a storage into a contiguous C-order tensor
     * ({@code storage.as_strided(size, stride, offset).contiguous()}).
     *
     * @param source  for messages
     * @param what    the parameter name, for messages
     * @param dtype   element type
     * @param storage the whole storage, little endian
     * @param offset  storage offset in elements
     * @param size    the view's shape
     * @param stride  the view's strides in elements (non-negative)
     * @return the contiguous tensor
     */
    static TensorData gather(String source, String what, DType dtype, ByteBuffer storage, long offset, long[] size,
                             long[] stride) {
        long numel = 1;
        for (long s : size) {
            numel *= s;
        }
        int es = dtype.byteSize();
        ByteBuffer out = allocate(source, what, numel * es);
        long[] idx = new long[size.length];
        for (long n = 0; n < numel; n++) {
            long e = offset;
            for (int d = 0; d < size.length; d++) {
                e += idx[d] * stride[d];
            }
            int src = (int) (e * es);
            for (int k = 0; k < es; k++) {
                out.put(storage.get(src + k));
            }
            for (int d = size.length - 1; d >= 0; d--) {
                if (++idx[d] < size[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        Buffers.flip(out);
        return new TensorData(dtype, size, out);
    }

    private static ByteBuffer allocate(String source, String what, long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new CheckpointException(source + ": '" + what + "' of " + bytes + " bytes exceeds the 2 GiB limit"
                    + " of a Java buffer");
        }
        return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
