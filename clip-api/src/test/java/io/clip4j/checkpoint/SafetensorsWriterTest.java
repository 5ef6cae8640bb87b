package io.clip4j.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SafetensorsWriterTest {
    private static final Path MODELS = Path.of(System.getProperty("clip4j.testdata")).resolve("models");

    @Test
    void rewritingTheReferenceSafetensorsRoundTrips(@TempDir Path dir) {
        // The Hugging Face fixture read under OpenAI names, written back, read again: same tensors, same bytes.
        StateDict sd = CheckpointReader.read(MODELS.resolve("tiny-vit"));
        Path f = dir.resolve("m.safetensors");
        SafetensorsWriter.write(f, sd.asMap(), Map.of("format", "pt"));
        StateDict back = CheckpointReader.read(f);
        assertEquals(sd.keys(), back.keys());
        for (String k : sd.keys()) {
            assertEquals(sd.get(k).dtype(), back.get(k).dtype(), k);
            assertArrayEquals(sd.get(k).shape(), back.get(k).shape(), k);
            assertEquals(sd.get(k).data(), back.get(k).data(), k);
        }
        assertEquals(ConfigInference.infer(sd), ConfigInference.infer(back));
        // A name near the 255-byte limit: the temporary file (whole name + random part + .tmp) was too long.
        Path longName = dir.resolve("m".repeat(240) + ".safetensors");
        SafetensorsWriter.write(longName, sd.asMap(), Map.of("format", "pt"));
        assertEquals(sd.keys(), CheckpointReader.read(longName).keys());
    }

    /**
     * A written file gets the mode any new file gets (the umask's): {@code train}'s model.safetensors was owner-only
     * (a temporary file's 0600) while its metrics.jsonl and run.json beside it were not.
     */
    @Test
    void writtenFilesAreNotPrivate(@TempDir Path dir) throws java.io.IOException {
        java.util.Set<java.nio.file.attribute.PosixFilePermission> made;
        try {
            made = Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain-new-file")));
        } catch (UnsupportedOperationException notPosix) {
            return; // nothing to compare on a non-POSIX file system
        }
        Path f = dir.resolve("shared.safetensors");
        SafetensorsWriter.write(f, Map.of("x", SafetensorsWriter.float32(new float[]{1f}, 1)), Map.of());
        assertEquals(made, Files.getPosixFilePermissions(f));
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary file left beside it");
        }
    }

    @Test
    void float16RoundsToNearestEvenLikeTorchHalf(@TempDir Path dir) {
        float[] v = {0f, -0f, 1f, 65504f, 65520f, 1e-8f, 5.9604645e-8f, 1.0009766f, 1.00048828125f,
                1.00146484375f, Float.NaN, -2.5f, 6.1035156e-5f, 3.0517578e-5f};
        // expected bits from IEEE 754 binary16 round-to-nearest-even (what torch.tensor(v).half() gives)
        short[] expected = {0x0000, (short) 0x8000, 0x3c00, 0x7bff, 0x7c00, 0x0000, 0x0001, 0x3c01, 0x3c00,
                0x3c02, 0x7e00, (short) 0xc100, 0x0400, 0x0200};
        TensorData t = SafetensorsWriter.float16(v, v.length);
        for (int i = 0; i < v.length; i++) {
            assertEquals(expected[i], t.data().getShort(i * 2), "value " + v[i]);
        }
        Path f = dir.resolve("h.safetensors");
        Map<String, TensorData> m = new LinkedHashMap<>();
        m.put("h", t);
        m.put("f", SafetensorsWriter.float32(new float[]{1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f}, 2, 3));
        m.put("s", SafetensorsWriter.int64(new long[]{7}));
        SafetensorsWriter.write(f, m, Map.of());
        StateDict back = CheckpointReader.read(f);
        assertArrayEquals(new float[]{1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f}, back.get("f").toFloatArray());
        assertArrayEquals(new long[]{2, 3}, back.get("f").shape());
        assertEquals(7f, back.get("s").toFloatArray()[0]);
        assertEquals(0, back.get("s").dim());
        assertThrows(CheckpointException.class, () -> SafetensorsWriter.write(f, Map.of("__metadata__", t), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.float32(new float[3], 2, 2));
        Path root = f.getRoot();
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafetensorsWriter.write(root, m,
                Map.of()));
        assertEquals(root + ": cannot write safetensors file: not a file path", e.getMessage());
    }

    @Test
    void headerIsPaddedToEightBytes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("p.safetensors");
        SafetensorsWriter.write(f, Map.of("a", SafetensorsWriter.float32(new float[]{1f}, 1)), Map.of());
        byte[] b = Files.readAllBytes(f);
        long n = java.nio.ByteBuffer.wrap(b, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8);
        assertEquals(8 + n + 4, b.length);
    }

    @Test
    void nullNamesTensorsAndMetadataAreRefusedBeforeWriting(@TempDir Path dir) {
        Path file = dir.resolve("w.safetensors");
        Map<String, TensorData> one = new LinkedHashMap<>();
        one.put("w", SafetensorsWriter.float32(new float[] {1, 2}, 2));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", null);
        // A null value was written as a JSON null, which safetensors' string-only metadata refuses.
        assertEquals("metadata value of format", assertThrows(NullPointerException.class,
                () -> SafetensorsWriter.write(file, one, meta)).getMessage());
        Map<String, TensorData> hole = new LinkedHashMap<>(one);
        hole.put("b", null);
        assertEquals("tensor b", assertThrows(NullPointerException.class,
                () -> SafetensorsWriter.write(file, hole, Map.of())).getMessage());
        assertEquals(false, Files.exists(file));
    }
}
