package io.clip4j.checkpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a safetensors file: 8-byte little-endian header length N, N bytes of UTF-8 JSON mapping each
 * tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to the first
 * byte after the header; an optional {@code "__metadata__"} object of strings is returned as {@link StateDict#metadata()}), then the raw
 * little-endian C-order tensor bytes. Validation follows the format's own rules: known dtype, non-negative
 * shape, {@code end - begin == numel * itemsize}, and the tensors tile the data area exactly (no gap, no
 * overlap, nothing after the last tensor). Tensor names are returned as stored.
 */
final class SafetensorsReader {
    /** The format caps the header at 100 MB; a larger length field means a corrupt or foreign file. */
    static final long MAX_HEADER = 100L * 1024 * 1024;

    /**
     * JSON tokens a header may hold. A tensor takes about 12, so this allows 80,000 tensors (the largest CLIP
     * checkpoints have under 2,000); without a bound a 100 MB header of small values parses into a tree of several
     * GB and fails with OutOfMemoryError after a minute of garbage collection.
     */
    static final long MAX_HEADER_TOKENS = 1_000_000;

    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxTokenCount(MAX_HEADER_TOKENS).build()).build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private SafetensorsReader() {
    }

    /**
     * @param head the first bytes of a file (at least 9 for a positive answer)
     * @param fileSize the file's size in bytes
     * @return true if the bytes look like a safetensors header: a plausible length followed by '{'
     */
    static boolean looksLikeSafetensors(byte[] head, long fileSize) {
        if (head.length < 9) {
            return false;
        }
        long n = ByteBuffer.wrap(head, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        return n >= 2 && n <= MAX_HEADER && n <= fileSize - 8 && head[8] == '{';
    }

    /**
     * @param file a safetensors file
     * @return its tensors in data order, each a slice of the memory-mapped file
     * @throws CheckpointException if the file is truncated, the header is malformed or inconsistent
     */
    static StateDict read(Path file) {
        try (MappedFile f = MappedFile.open(file)) {
            if (f.size() < 8) {
                throw corrupt(file, "file of " + f.size() + " bytes is shorter than the 8-byte header length");
            }
            long n = f.slice(0, 8).getLong(0);
            if (n < 2 || n > MAX_HEADER || n > f.size() - 8) {
                throw corrupt(file, "header length " + Long.toUnsignedString(n) + " does not fit the file of "
                        + f.size() + " bytes (truncated or not a safetensors file)");
            }
            long dataStart = 8 + n;
            JsonNode header = parseHeader(file, f.slice(8, n));
            return new StateDict(file.toString(), tensors(file, f, header, dataStart, f.size() - dataStart),
                    metadata(file, header.get("__metadata__")));
        }
    }

    private static JsonNode parseHeader(Path file, ByteBuffer bytes) {
        byte[] raw = new byte[bytes.remaining()];
        bytes.get(raw);
        JsonNode header;
        try {
            header = JSON.readTree(new String(raw, StandardCharsets.UTF_8));
        } catch (StreamConstraintsException e) {
            throw corrupt(file, "header is too large or too deeply nested: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw corrupt(file, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (header == null || !header.isObject()) {
            throw corrupt(file, "header is not a JSON object");
        }
        return header;
    }

    /** The {@code __metadata__} object: string to string, as the format defines it. */
    private static Map<String, String> metadata(Path file, JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) { // null: no metadata, as the safetensors crate's Option reads it
            return out;
        }
        if (!node.isObject()) {
            throw corrupt(file, "__metadata__ is not an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw corrupt(file, "__metadata__ value of '" + e.getKey() + "' is not a string: " + e.getValue());
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    private static Map<String, TensorData> tensors(Path file, MappedFile f, JsonNode header, long dataStart,
                                                   long dataSize) {
        Map<String, long[]> offsets = new LinkedHashMap<>();
        Map<String, DType> dtypes = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (name.equals("__metadata__")) {
                continue;
            }
            JsonNode info = e.getValue();
            if (!info.isObject()) {
                throw corrupt(file, "entry '" + name + "' is not an object");
            }
            DType dtype = dtype(file, name, info.get("dtype"));
            long[] shape = longs(file, name, "shape", info.get("shape"), -1);
            long[] off = longs(file, name, "data_offsets", info.get("data_offsets"), 2);
            long numel = 1;
            for (long s : shape) {
                numel = multiply(file, name, numel, s);
            }
            long bytes = multiply(file, name, numel, dtype.byteSize());
            if (off[0] > off[1] || off[1] > dataSize) {
                throw corrupt(file, "tensor '" + name + "' data_offsets " + Arrays.toString(off)
                        + " lie outside the data area of " + dataSize + " bytes");
            }
            if (off[1] - off[0] != bytes) {
                throw corrupt(file, "tensor '" + name + "' of " + dtype + " " + Arrays.toString(shape) + " needs "
                        + bytes + " bytes but data_offsets " + Arrays.toString(off) + " span " + (off[1] - off[0]));
            }
            offsets.put(name, off);
            dtypes.put(name, dtype);
            shapes.put(name, shape);
        }
        checkTiling(file, offsets, dataSize);
        // Data order (the order of the bytes in the file) is the natural "file order" for a StateDict.
        List<String> names = new ArrayList<>(offsets.keySet());
        names.sort(Comparator.comparingLong(k -> offsets.get(k)[0]));
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (String name : names) {
            long[] off = offsets.get(name);
            ByteBuffer data = f.slice(dataStart + off[0], off[1] - off[0]);
            out.put(name, new TensorData(dtypes.get(name), shapes.get(name), data));
        }
        return out;
    }

    private static void checkTiling(Path file, Map<String, long[]> offsets, long dataSize) {
        List<Map.Entry<String, long[]>> sorted = new ArrayList<>(offsets.entrySet());
        sorted.sort(Comparator.comparingLong((Map.Entry<String, long[]> e) -> e.getValue()[0])
                .thenComparingLong(e -> e.getValue()[1]));
        long expected = 0;
        for (Map.Entry<String, long[]> e : sorted) {
            long[] off = e.getValue();
            if (off[0] != expected) {
                throw corrupt(file, "tensor '" + e.getKey() + "' starts at " + off[0] + " but the previous tensor ends at "
                        + expected + (off[0] < expected ? " (overlap)" : " (gap)"));
            }
            expected = off[1];
        }
        if (expected != dataSize) {
            throw corrupt(file, "tensors cover " + expected + " bytes but the data area holds " + dataSize
                    + (expected < dataSize ? " (trailing bytes)" : " (truncated)"));
        }
    }

    private static DType dtype(Path file, String name, JsonNode node) {
        if (node == null || !node.isTextual()) {
            throw corrupt(file, "tensor '" + name + "' has no dtype string");
        }
        switch (node.asText()) {
            case "F16": return DType.F16;
            case "BF16": return DType.BF16;
            case "F32": return DType.F32;
            case "F64": return DType.F64;
            case "I8": return DType.I8;
            case "U8": return DType.U8;
            case "I16": return DType.I16;
            case "I32": return DType.I32;
            case "I64": return DType.I64;
            case "BOOL": return DType.BOOL;
            default:
                throw corrupt(file, "tensor '" + name + "' has unsupported dtype '" + node.asText() + "'");
        }
    }

    private static long[] longs(Path file, String name, String field, JsonNode node, int length) {
        if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
            throw corrupt(file, "tensor '" + name + "' has no valid " + field + " array");
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
                throw corrupt(file, "tensor '" + name + "' has a bad " + field + " value " + v);
            }
            out[i] = v.asLong();
        }
        return out;
    }

    private static long multiply(Path file, String name, long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw corrupt(file, "tensor '" + name + "' has an impossibly large shape");
        }
    }

    private static CheckpointException corrupt(Path file, String problem) {
        return new CheckpointException(file + ": corrupt safetensors file: " + problem);
    }
}
