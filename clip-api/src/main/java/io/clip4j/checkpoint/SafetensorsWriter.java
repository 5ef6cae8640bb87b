package io.clip4j.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.io.TempNames;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a safetensors file (the format {@link CheckpointReader} reads): an 8-byte little-endian header length
 * N, N bytes of UTF-8 JSON (padded with spaces to a multiple of 8 so that the data area is 8-byte aligned)
 * mapping each tensor name to {@code {"dtype", "shape", "data_offsets"}}, an optional {@code "__metadata__"}
 * object of strings, then the tensors' little-endian C-order bytes, back to back in map order.
 *
 * <p>The file is written to a temporary sibling and then moved into place, so a reader never sees a partly
 * written checkpoint (an interrupted training run leaves the previous file intact).
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {
    }

    /**
     * Writes tensors to a safetensors file.
     *
     * @param file     destination (replaced if it exists; its directory must exist)
     * @param tensors  name to tensor, written in iteration order; names must not be {@code __metadata__}
     * @param metadata string pairs stored under {@code __metadata__} (may be empty)
     * @throws NullPointerException if an argument, a tensor name, a tensor, or a metadata key or value is null
     *                              (checked before anything is written)
     * @throws CheckpointException  if the file cannot be written or a name is reserved
     */
    public static void write(Path file, Map<String, TensorData> tensors, Map<String, String> metadata) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metadata, "metadata");
        byte[] header = header(file, tensors, metadata);
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || file.getFileName() == null) { // a file system root names no file to write
            throw new CheckpointException(file + ": cannot write safetensors file: not a file path");
        }
        Path tmp = null;
        try {
            // Not Files.createTempFile: its owner-only mode (0600) became the model's, unlike every other file a run
            // writes; createFile honours the umask. The stem keeps a long name within the file system's limit.
            // Assigned once created: a name that exists already (another writer's) is not deleted below.
            tmp = Files.createFile(dir.resolve(TempNames.stem(file.getFileName().toString()) + "."
                    + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp"));
            try (OutputStream out = Files.newOutputStream(tmp); WritableByteChannel ch = Channels.newChannel(out)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
                Buffers.flip(len);
                ch.write(len);
                ch.write(ByteBuffer.wrap(header));
                for (TensorData t : tensors.values()) {
                    ByteBuffer data = t.data();
                    while (data.hasRemaining()) {
                        ch.write(data);
                    }
                }
            }
            TempNames.moveOver(tmp, file);
            tmp = null;
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot write safetensors file: " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort; the original failure is what matters
                }
            }
        }
    }

    private static byte[] header(Path file, Map<String, TensorData> tensors, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            // A null value became a JSON null: a file that safetensors (whose metadata are strings) refuses.
            metadata.forEach((k, v) -> meta.put(Objects.requireNonNull(k, "metadata key"),
                    Objects.requireNonNull(v, () -> "metadata value of " + k)));
        }
        long offset = 0;
        for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
            Objects.requireNonNull(e.getKey(), "tensor name");
            Objects.requireNonNull(e.getValue(), () -> "tensor " + e.getKey());
            if (e.getKey().equals("__metadata__")) {
                throw new CheckpointException(file + ": '__metadata__' is reserved and cannot name a tensor");
            }
            TensorData t = e.getValue();
            ObjectNode info = root.putObject(e.getKey());
            info.put("dtype", t.dtype().name());
            ArrayNode shape = info.putArray("shape");
            for (long s : t.shape()) {
                shape.add(s);
            }
            long bytes = t.numel() * t.dtype().byteSize();
            info.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        StringBuilder json = new StringBuilder(root.toString());
        while (json.toString().getBytes(StandardCharsets.UTF_8).length % 8 != 0) {
            json.append(' ');
        }
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Returns a float32 tensor of the given shape.
     *
     * @param values elements in C order
     * @param shape  sizes (empty for a scalar); their product must equal {@code values.length}
     * @return a float32 tensor holding a copy of the values
     * @throws NullPointerException     if {@code values} or {@code shape} is null
     * @throws IllegalArgumentException if the shape does not match the number of values
     */
    public static TensorData float32(float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new TensorData(DType.F32, shape, b);
    }

    /**
     * Returns a float16 tensor of the given shape, rounding each value to half precision.
     *
     * @param values elements in C order
     * @param shape  sizes (empty for a scalar); their product must equal {@code values.length}
     * @return a float16 tensor, each value rounded to the nearest half (ties to even, like
     *         {@code torch.Tensor.half()}; beyond &plusmn;65504 becomes infinite)
     * @throws NullPointerException     if {@code values} or {@code shape} is null
     * @throws IllegalArgumentException if the shape does not match the number of values
     */
    public static TensorData float16(float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; i++) {
            b.putShort(i * 2, Half.fromFloat(values[i]));
        }
        return new TensorData(DType.F16, shape, b);
    }

    /**
     * Returns an int64 tensor of the given shape.
     *
     * @param values elements in C order
     * @param shape  sizes (empty for a scalar); their product must equal {@code values.length}
     * @return an int64 tensor holding a copy of the values
     * @throws NullPointerException     if {@code values} or {@code shape} is null
     * @throws IllegalArgumentException if the shape does not match the number of values
     */
    public static TensorData int64(long[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new TensorData(DType.I64, shape, b);
    }
}
