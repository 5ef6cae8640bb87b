package io.clip4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsReaderTest {
    private static final Path HF_FILE = Fixtures.model("tiny-vit").resolve("model.safetensors");

    @TempDir
    Path tmp;

    @Test
    void readsHuggingFaceNamesShapesAndDtypesAsStored() {
        StateDict sd = SafetensorsReader.read(HF_FILE);
        // tiny-vit/README.md: 78 tensors; q/k/v split; projections transposed; token embedding stored as F16.
        assertEquals(78, sd.size());
        assertArrayEquals(new long[]{128, 128}, sd.get("vision_model.encoder.layers.1.self_attn.k_proj.weight").shape());
        assertArrayEquals(new long[]{64, 128}, sd.get("text_projection.weight").shape());
        assertEquals(DType.F16, sd.get("text_model.embeddings.token_embedding.weight").dtype());
        assertEquals(DType.F32, sd.get("vision_model.embeddings.class_embedding").dtype());
        TensorData scale = sd.get("logit_scale");
        assertEquals(0, scale.dim());
        assertEquals((float) Fixtures.meta("tiny-vit").get("logit_scale").asDouble(), scale.toFloatArray()[0]);
    }

    @Test
    void tensorsAreSlicesOfTheMappedFileNotCopies() {
        TensorData t = SafetensorsReader.read(HF_FILE).get("vision_model.embeddings.patch_embedding.weight");
        assertTrue(t.data().isDirect(), "memory-mapped buffers are direct");
    }

    @Test
    void truncatedInHeader() throws IOException {
        Path f = truncatedCopy(100);
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafetensorsReader.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("header length"), e.getMessage());
    }

    @Test
    void truncatedInData() throws IOException {
        Path f = truncatedCopy(Files.size(HF_FILE) - 1000);
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafetensorsReader.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void tooShortForTheLengthField() throws IOException {
        Path f = truncatedCopy(5);
        assertThrows(CheckpointException.class, () -> SafetensorsReader.read(f));
    }

    @Test
    void rejectsMalformedHeaders() throws IOException {
        expectCorrupt("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", 8, "not valid JSON");
        expectCorrupt("[1,2]", 0, "not a JSON object");
        expectCorrupt("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2, "unsupported dtype");
        expectCorrupt("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "needs 12 bytes");
        expectCorrupt("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "bad shape");
        expectCorrupt("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, "outside the data area");
        expectCorrupt("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 12, "trailing");
        expectCorrupt("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "gap");
        expectCorrupt("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "overlap");
        expectCorrupt("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "Duplicate");
        expectCorrupt("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", 8,
                "impossibly large");
    }

    @Test
    void headerWithTooManyTokensIsRejectedBeforeItFillsTheHeap() throws IOException {
        // Within the format's 100 MB cap a header of small values parsed into a tree of several GB; the metadata
        // array here is 2 MB, over the token budget, and must be refused by the parser, not by the heap.
        StringBuilder h = new StringBuilder("{\"__metadata__\":[0");
        for (long i = 0; i < SafetensorsReader.MAX_HEADER_TOKENS; i++) {
            h.append(",0");
        }
        h.append("],\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
        expectCorrupt(h.toString(), 4, "too large or too deeply nested");
    }

    @Test
    void readsAWellFormedHandMadeFile() throws IOException {
        Path f = write("{\"__metadata__\":{\"format\":\"pt\"},\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]},"
                + "\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", bytes(1.5, 0x3fc0, 0xc000));
        StateDict sd = SafetensorsReader.read(f);
        assertEquals(Arrays.asList("a", "b"), Arrays.asList(sd.keys().toArray()));
        assertArrayEquals(new float[]{1.5f}, sd.get("a").toFloatArray());
        assertArrayEquals(new float[]{1.5f, -2f}, sd.get("b").toFloatArray());
    }

    private static byte[] bytes(double d, int bf1, int bf2) {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        b.putDouble(d).putShort((short) bf1).putShort((short) bf2);
        return b.array();
    }

    private void expectCorrupt(String header, int dataBytes, String problem) throws IOException {
        Path f = write(header, new byte[dataBytes]);
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafetensorsReader.read(f), header);
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains(problem),
                "message for " + header + ": " + e.getMessage());
    }

    private Path write(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path f = Files.createTempFile(tmp, "hand", ".bin");
        Files.write(f, b.array());
        return f;
    }

    private Path truncatedCopy(long length) throws IOException {
        byte[] all = Files.readAllBytes(HF_FILE);
        Path f = tmp.resolve("cut-" + length + ".safetensors");
        Files.write(f, Arrays.copyOf(all, (int) length));
        return f;
    }
}
