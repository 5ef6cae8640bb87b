package io.clip4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** torch.save state dicts and TorchScript archives of the reference fixtures. */
class TorchArchiveTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-vit", "tiny-rn"})
    void stateDictMatchesMeta(String model) {
        StateDict sd = CheckpointReader.read(Fixtures.model(model).resolve("state_dict.pt"));
        Fixtures.assertMatchesMeta(model, sd);
        assertEquals((float) Fixtures.meta(model).get("logit_scale").asDouble(), sd.get("logit_scale").toFloatArray()[0]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-vit", "tiny-rn"})
    void torchScriptArchiveMatchesMetaAndTheStateDict(String model) {
        StateDict script = CheckpointReader.read(Fixtures.model(model).resolve("model.pt"));
        Fixtures.assertMatchesMeta(model, script);
        StateDict sd = CheckpointReader.read(Fixtures.model(model).resolve("state_dict.pt"));
        Fixtures.assertSameValues(sd, script);
        for (String k : sd.keys()) {
            assertEquals(sd.get(k).dtype(), script.get(k).dtype(), k);
        }
    }

    @Test
    void deviceOrPipeIsNoCheckpointNotAMissingOne(@TempDir Path dir) throws Exception {
        // Found by fuzzing the CLI: clip info --model /dev/null said "no such checkpoint file or directory".
        assumeTrue(Files.exists(Path.of("/dev/null")));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> CheckpointReader.read(Path.of("/dev/null")));
        assertEquals("/dev/null: not a checkpoint file (not a regular file: a device, pipe or socket)", e.getMessage());
        Path none = dir.resolve("none.pt");
        e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(none));
        assertEquals(none + ": no such checkpoint file or directory", e.getMessage());
    }

    @Test
    void huggingFaceDirectoryEqualsTheStateDictAfterWidening() {
        StateDict sd = CheckpointReader.read(Fixtures.model("tiny-vit").resolve("state_dict.pt"));
        StateDict hf = CheckpointReader.read(Fixtures.model("tiny-vit"));
        Fixtures.assertSameValues(sd, hf);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-vit", "tiny-rn"})
    void configInferredFromEveryFormatEqualsMeta(String model) {
        for (String f : new String[]{"state_dict.pt", "model.pt"}) {
            Path p = Fixtures.model(model).resolve(f);
            assertEquals(Fixtures.config(model), ConfigInference.infer(CheckpointReader.read(p), p), f);
        }
    }

    @Test
    void resolutionBeyondTheLimitIsACheckpointError() {
        // patch 97 x grid 169 = 16393: loading used to fail later with IllegalArgumentException from the image
        // preprocessor's builder; up to 16384 it loaded and then ran out of heap on every image.
        CheckpointException e = assertThrows(CheckpointException.class, () -> ConfigInference.infer(vit(97, 169)));
        assertTrue(e.getMessage().contains("image_resolution of 16393"), e.getMessage());
        e = assertThrows(CheckpointException.class, () -> ConfigInference.infer(vit(64, 65)));
        assertTrue(e.getMessage().contains("image_resolution of 4160, more than the supported 4096"), e.getMessage());
        assertEquals(4096, ConfigInference.infer(vit(32, 128)).imageResolution());
    }

    @Test
    void contextLengthBeyondTheLimitIsACheckpointErrorNamingTheFile() throws IOException {
        // A 20000-row positional_embedding used to load; every text then took minutes in quadratic attention.
        Path tooLong = tmp.resolve("long-context.safetensors");
        SafetensorsWriter.write(tooLong, withContextLength(4097), java.util.Map.of());
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> ConfigInference.infer(CheckpointReader.read(tooLong), tooLong));
        assertTrue(e.getMessage().contains("long-context.safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains("context_length of 4097, more than the supported 4096"), e.getMessage());
        Path longest = tmp.resolve("longest.safetensors");
        SafetensorsWriter.write(longest, withContextLength(4096), java.util.Map.of());
        assertEquals(4096, ConfigInference.infer(CheckpointReader.read(longest), longest).contextLength());
        // The same bound for a Hugging Face config.json's declaration.
        Path json = tmp.resolve("config.json");
        Files.writeString(json, "{\"text_config\": {\"max_position_embeddings\": 100000}}");
        e = assertThrows(CheckpointException.class, () -> HuggingFaceConfig.read(json));
        assertTrue(e.getMessage().contains("context_length of 100000"), e.getMessage());
    }

    @Test
    void aContextTooShortForOneTextTokenIsACheckpointError() throws IOException {
        // A positional_embedding of 1 or 2 rows loaded: the tokenizer then gave every text [49407] or [49406, 49407],
        // so all texts had the same features (similarity and zero-shot silently uniform, or "duplicate labels").
        for (int rows : new int[]{1, 2}) {
            Path file = tmp.resolve("context-" + rows + ".safetensors");
            SafetensorsWriter.write(file, withContextLength(rows), java.util.Map.of());
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> ConfigInference.infer(CheckpointReader.read(file), file));
            assertTrue(e.getMessage().startsWith(file + ": positional_embedding implies a context_length of " + rows
                    + ", which leaves no room for a token between start and end of text (at least 3)"), e.getMessage());
        }
        Path three = tmp.resolve("context-3.safetensors");
        SafetensorsWriter.write(three, withContextLength(3), java.util.Map.of());
        assertEquals(3, ConfigInference.infer(CheckpointReader.read(three), three).contextLength());
        Path json = tmp.resolve("config.json");
        Files.writeString(json, "{\"text_config\": {\"max_position_embeddings\": 2}}");
        CheckpointException e = assertThrows(CheckpointException.class, () -> HuggingFaceConfig.read(json));
        assertTrue(e.getMessage().contains("max_position_embeddings implies a context_length of 2"), e.getMessage());
    }

    @Test
    void resNetVisionHeadsOfAHugeStemWidthDoNotOverflow() {
        // The reference's vision_width * 32 // 64, computed in int, gave 1 head for a stem of 2^27 + 2 (a tensor
        // without elements may declare that width) instead of 2^26 + 1.
        StateDict sd = CheckpointReader.read(Fixtures.model("tiny-rn").resolve("state_dict.pt"));
        java.util.Map<String, TensorData> m = new java.util.LinkedHashMap<>(sd.asMap());
        m.put("visual.layer1.0.conv1.weight", zeros((1L << 27) + 2, 0, 1, 1));
        assertEquals((1 << 26) + 1, ConfigInference.infer(new StateDict("rn", m)).visionHeads());
    }

    @Test
    void aTensorThatDisagreesWithTheOthersOnASharedSizeIsNamed() {
        // The damaged tensor was not named: a transposed text_projection was reported as "tensor 'visual.proj' has
        // shape [128, 64], the configuration expects [128, 128]", a widened ln_final.weight or visual.conv1.weight as
        // "MLP widths (...) are not 4 x width" of open_clip's ViT-g, with advice to load an open_clip directory.
        Object[][] cases = {
                {"tiny-vit", "text_projection", zeros(64, 128), "the text transformer's width (128 vs 64)"},
                {"tiny-vit", "text_projection", zeros(128, 63), "embed_dim (63 vs 64)"},
                {"tiny-vit", "ln_final.weight", zeros(129), "the text transformer's width (129 vs 128)"},
                {"tiny-vit", "visual.conv1.weight", zeros(129, 3, 32, 32), "the vision transformer's width (129 vs 128)"},
                {"tiny-vit", "visual.class_embedding", zeros(127), "the vision transformer's width (128 vs 127)"},
                {"tiny-rn", "text_projection", zeros(64, 65), "embed_dim (65 vs 64)"},
                // was "a ResNet needs an even vision_width, got 17", naming no tensor
                {"tiny-rn", "visual.layer1.0.conv1.weight", zeros(17, 16, 1, 1), "the ResNet's width (17 vs 16)"},
        };
        for (Object[] c : cases) {
            StateDict sd = CheckpointReader.read(Fixtures.model((String) c[0]).resolve("state_dict.pt"));
            java.util.Map<String, TensorData> m = new java.util.LinkedHashMap<>(sd.asMap());
            TensorData damaged = (TensorData) c[2];
            m.put((String) c[1], damaged);
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> ConfigInference.infer(new StateDict("damaged", m)));
            assertTrue(e.getMessage().startsWith("damaged: tensors '")
                    && e.getMessage().contains("'" + c[1] + "' " + java.util.Arrays.toString(damaged.shape()))
                    && e.getMessage().contains(" disagree on " + c[3]), e.getMessage());
        }
    }

    /** tiny-vit's tensors with a text positional_embedding of {@code rows} rows. */
    private static java.util.Map<String, TensorData> withContextLength(int rows) {
        StateDict sd = CheckpointReader.read(Fixtures.model("tiny-vit").resolve("state_dict.pt"));
        java.util.Map<String, TensorData> m = new java.util.LinkedHashMap<>(sd.asMap());
        m.put("positional_embedding", zeros(rows, m.get("positional_embedding").shape()[1]));
        return m;
    }

    /** tiny-vit with a patch embedding and positional embedding of another size. */
    private static StateDict vit(int patch, int grid) {
        StateDict sd = CheckpointReader.read(Fixtures.model("tiny-vit").resolve("state_dict.pt"));
        java.util.Map<String, TensorData> m = new java.util.LinkedHashMap<>(sd.asMap());
        int width = (int) m.get("visual.conv1.weight").shape()[0];
        m.put("visual.conv1.weight", zeros(width, 3, patch, patch));
        m.put("visual.positional_embedding", zeros((long) grid * grid + 1, width));
        return new StateDict("vit", m);
    }

    private static TensorData zeros(long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return new TensorData(DType.F16, shape, java.nio.ByteBuffer.allocate((int) (2 * n)));
    }

    @Test
    void batchNormCounterIsKeptAsInt64() {
        StateDict sd = CheckpointReader.read(Fixtures.model("tiny-rn").resolve("model.pt"));
        TensorData t = sd.get("visual.layer1.0.bn1.num_batches_tracked");
        assertEquals(DType.I64, t.dtype());
        assertEquals(0, t.dim());
    }

    @Test
    void scriptOnlyBuffersAreDropped() {
        StateDict script = CheckpointReader.read(Fixtures.model("tiny-vit").resolve("model.pt"));
        assertTrue(!script.contains("input_resolution") && !script.contains("context_length")
                && !script.contains("vocab_size"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"state_dict.pt", "model.pt"})
    void truncatedArchivesFailCleanly(String name) throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.model("tiny-vit").resolve(name));
        for (int cut : new int[]{3, 100, all.length / 2, all.length - 30, all.length - 1}) {
            Path f = tmp.resolve(cut + "-" + name);
            Files.write(f, Arrays.copyOf(all, cut));
            CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(f),
                    "cut at " + cut);
            assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        }
    }

    /**
     * torch.jit.save (PyTorch 1.8 and later) deflates the code/ sources and .debug_pkl records of more than 200 bytes;
     * a TorchScript archive saved by torch 1.13 was refused as a whole ("entry 'model/code/__torch__/clip/model.py' is
     * compressed"), although a checkpoint reader reads only data.pkl and the stored tensors. Found by
     * scripts/real-size-parity.py. A compressed entry that is read is still refused, by name.
     */
    @Test
    void deflatedCodeEntriesOfATorchScriptArchiveAreNotRead() throws IOException {
        Path original = Fixtures.model("tiny-vit").resolve("model.pt");
        Path f = tmp.resolve("deflated-code.pt");
        rezip(original, f, n -> n.contains("/code/") && !n.endsWith("/"));
        StateDict script = CheckpointReader.read(f);
        Fixtures.assertSameValues(CheckpointReader.read(original), script);
        assertEquals(Fixtures.config("tiny-vit"), ConfigInference.infer(script, f));

        Path g = tmp.resolve("deflated-data-pkl.pt");
        rezip(original, g, n -> n.endsWith("/data.pkl"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(g));
        assertTrue(e.getMessage().contains(g.toString()) && e.getMessage().contains("model/data.pkl")
                && e.getMessage().contains("compressed"), e.getMessage());
    }

    /** Copies a ZIP archive entry by entry: DEFLATED where {@code deflate} says so, else STORED as torch writes. */
    private static void rezip(Path from, Path to, java.util.function.Predicate<String> deflate) throws IOException {
        try (java.util.zip.ZipFile in = new java.util.zip.ZipFile(from.toFile());
             java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(Files.newOutputStream(to))) {
            for (java.util.zip.ZipEntry e : java.util.Collections.list(in.entries())) {
                byte[] data;
                try (java.io.InputStream is = in.getInputStream(e)) {
                    data = is.readAllBytes();
                }
                java.util.zip.ZipEntry copy = new java.util.zip.ZipEntry(e.getName());
                if (deflate.test(e.getName())) {
                    copy.setMethod(java.util.zip.ZipEntry.DEFLATED);
                } else {
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(data);
                    copy.setMethod(java.util.zip.ZipEntry.STORED);
                    copy.setSize(data.length);
                    copy.setCompressedSize(data.length);
                    copy.setCrc(crc.getValue());
                }
                out.putNextEntry(copy);
                out.write(data);
                out.closeEntry();
            }
        }
    }

    @Test
    void corruptLocalHeaderOfAStorageIsDetected() throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.model("tiny-vit").resolve("state_dict.pt"));
        byte[] name = "state_dict/data/5".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int at = indexOf(all, name); // first occurrence: the local header (the central directory comes last)
        assertEquals(0x50, all[at - 30]);
        all[at - 30] = 'X';
        Path f = tmp.resolve("badlocal.pt");
        Files.write(f, all);
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("state_dict/data/5"), e.getMessage());
    }

    @Test
    void aStoredEntryWhoseSizesDisagreeIsCorrupt() throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.model("tiny-vit").resolve("state_dict.pt"));
        byte[] name = "state_dict/data.pkl".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int cen = lastIndexOf(all, name) - 46; // the central directory header of that entry
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(all).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x02014b50, b.getInt(cen));
        assertEquals(0, b.getShort(cen + 10), "STORED");
        b.putInt(cen + 20, b.getInt(cen + 20) + 1); // compressed size one more than the size
        Path f = tmp.resolve("sizes.pt");
        Files.write(f, all);
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("stored entry 'state_dict/data.pkl'")
                && e.getMessage().contains("bytes in the archive"), e.getMessage());
    }

    private static int lastIndexOf(byte[] hay, byte[] needle) {
        int last = -1;
        for (int from = 0; ; ) {
            int i = indexOf(hay, needle, from);
            if (i < 0) {
                return last;
            }
            last = i;
            from = i + 1;
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        int i = indexOf(hay, needle, 0);
        if (i < 0) {
            throw new AssertionError("not found");
        }
        return i;
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void legacyAndUnknownFormatsAreNamed() throws IOException {
        Path legacy = tmp.resolve("legacy.pt");
        Files.write(legacy, new byte[]{(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46});
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(legacy));
        assertTrue(e.getMessage().contains("legacy torch.save format not supported"), e.getMessage());
        Path junk = tmp.resolve("junk.safetensors");
        Files.write(junk, "GIF89a not a checkpoint".getBytes());
        e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(junk));
        assertTrue(e.getMessage().contains("unknown checkpoint format"), e.getMessage());
        Path empty = tmp.resolve("empty.pt");
        Files.write(empty, new byte[0]);
        assertThrows(CheckpointException.class, () -> CheckpointReader.read(empty));
        assertThrows(CheckpointException.class, () -> CheckpointReader.read(tmp.resolve("absent.pt")));
    }

    @Test
    void zipWithoutTorchLayoutIsRejected() throws IOException {
        Path f = tmp.resolve("plain.zip");
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(f))) {
            z.putNextEntry(new java.util.zip.ZipEntry("hello.txt"));
            z.write("hi".getBytes());
            z.closeEntry();
        }
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.read(f));
        assertTrue(e.getMessage().contains("compressed") || e.getMessage().contains("data.pkl"), e.getMessage());
    }
}
