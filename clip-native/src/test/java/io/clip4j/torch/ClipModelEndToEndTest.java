package io.clip4j.torch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.ClipConfig;
import io.clip4j.ClipException;
import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.SimilarityResult;
import io.clip4j.checkpoint.CheckpointException;
import io.clip4j.image.ImageInput;
import io.clip4j.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The public API end to end: image FILES and TEXTS through clip4j's own decoding, preprocessing,
 * tokenizer and towers, against the reference outputs, for every checkpoint format of the fixtures.
 */
class ClipModelEndToEndTest {
    private static final Path DATA = Path.of(System.getProperty("clip4j.testdata"));
    private static final ObjectMapper JSON = new ObjectMapper();

    static float maxAbs(float[] a) {
        float m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    static void assertNear(float[] expected, float[] actual, String what) {
        assertArrayEquals(expected, actual, 1e-4f * Math.max(1f, maxAbs(expected)), what);
    }

    static List<ImageInput> images(Path modelDir) throws IOException {
        List<ImageInput> out = new ArrayList<>();
        for (JsonNode img : JSON.readTree(modelDir.resolve("meta.json").toFile()).get("images")) {
            out.add(ImageInput.of(DATA.resolve(img.get("image_file").asText())));
        }
        return out;
    }

    static List<String> texts(Path modelDir) throws IOException {
        return Arrays.asList(JSON.readValue(modelDir.resolve("texts.json").toFile(), String[].class));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-vit", "tiny-vit/state_dict.pt", "tiny-vit/model.pt",
            "tiny-rn/state_dict.pt", "tiny-rn/model.pt"})
    void filesAndTextsReproduceReference(String checkpoint) throws IOException {
        Path path = DATA.resolve("models").resolve(checkpoint);
        Path dir = Files.isDirectory(path) ? path : path.getParent();
        try (ClipModel model = ClipModel.builder(path).threads(2).build()) {
            Features img = model.encodeImages(images(dir));
            Features txt = model.encodeTexts(texts(dir));
            assertNear(Npy.read(dir.resolve("image_features.npy")).toFloatArray(), img.toArray(), "image_features");
            assertNear(Npy.read(dir.resolve("text_features.npy")).toFloatArray(), txt.toArray(), "text_features");
            assertArrayEquals(Npy.read(dir.resolve("input_ids.npy")).toLongArray(), model.tokenize(texts(dir)));
            SimilarityResult s = SimilarityResult.of(img, txt, model.logitScale());
            assertNear(Npy.read(dir.resolve("logits_per_image.npy")).toFloatArray(), s.logitsPerImage(), "logits");
            assertArrayEquals(Npy.read(dir.resolve("probs.npy")).toFloatArray(), s.probs(), 1e-5f, "probs");
            float scale = (float) JSON.readTree(dir.resolve("meta.json").toFile()).get("logit_scale_exp").asDouble();
            assertEquals(scale, model.logitScale(), 1e-5f * scale);
        }
    }

    @Test
    void similarityBatchingAndThreadsAgree() throws Exception {
        Path dir = DATA.resolve("models/tiny-vit");
        List<ImageInput> imgs = images(dir);
        List<String> txts = texts(dir);
        try (ClipModel batched = ClipModel.builder(dir).batchSize(3).build()) {
            SimilarityResult ref = batched.similarity(imgs, txts);
            assertNear(Npy.read(dir.resolve("logits_per_image.npy")).toFloatArray(), ref.logitsPerImage(), "batch 3");
            Features one = batched.encodeImage(imgs.get(2));
            float[] row = Arrays.copyOfRange(Npy.read(dir.resolve("image_features.npy")).toFloatArray(), 2 * 64, 3 * 64);
            assertNear(row, one.toArray(), "batch of one");
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<float[]>> f = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    f.add(pool.submit(() -> batched.similarity(imgs, txts).logitsPerImage()));
                }
                for (Future<float[]> r : f) {
                    assertArrayEquals(ref.logitsPerImage(), r.get(), 1e-5f);
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void theEngineIsFoundWhenTheContextClassLoaderCannotSeeIt() throws IOException {
        // Plugin hosts and servers run code with a context class loader other than clip4j's: ClipModel looked for
        // its engine there only, and said "no clip4j engine on the class path" with clip-native beside clip-api.
        Path dir = DATA.resolve("models/tiny-vit");
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        thread.setContextClassLoader(ClassLoader.getPlatformClassLoader());
        try (ClipModel model = ClipModel.load(dir)) {
            assertNear(Npy.read(dir.resolve("text_features.npy")).toFloatArray(), model.encodeTexts(texts(dir)).toArray(),
                    "text_features");
        } finally {
            thread.setContextClassLoader(context);
        }
    }

    @Test
    void badCheckpointsAndOptionsGiveTypedErrors(@TempDir Path tmp) throws IOException {
        Path cut = tmp.resolve("cut.pt");
        byte[] b = Files.readAllBytes(DATA.resolve("models/tiny-vit/state_dict.pt"));
        Files.write(cut, Arrays.copyOf(b, b.length / 3));
        CheckpointException e = assertThrows(CheckpointException.class, () -> ClipModel.load(cut));
        assertTrue(e.getMessage().contains("cut.pt"), e.getMessage());
        assertThrows(CheckpointException.class, () -> ClipModel.load(tmp.resolve("missing.safetensors")));
        try (ClipModel m = ClipModel.load(DATA.resolve("models/tiny-vit"))) {
            assertEquals(0, m.encodeTexts(List.of()).rows());
            assertThrows(ClipException.class, () -> m.encodeTokens(new long[]{1, 2, 3}, 1));
        }
        // A vocab_size below the tokenizer's ids: refused at load, not at every encodeText.
        ClipConfig small = new ClipConfig(32, 64, new int[]{2}, 128, 16, 77, 1000, 64, 1, 2, 2);
        Path smallVocab = tmp.resolve("small-vocab.safetensors");
        io.clip4j.checkpoint.SafetensorsWriter.write(smallVocab, RandomStateDicts.create(small, 1).asMap(),
                java.util.Map.of());
        ClipException v = assertThrows(ClipException.class, () -> ClipModel.load(smallVocab));
        assertTrue(v.getMessage().contains("vocab_size 1000 is smaller than the 49408 token ids"), v.getMessage());
    }

    @Test
    void nonFiniteWeightsFailEncodingAsTheModelsErrorNotTheCallers(@TempDir Path tmp) throws IOException {
        // tiny-vit with a NaN text_projection: it loaded, encodeTexts returned NaN rows, and similarity() then threw
        // IllegalArgumentException("non-finite logit") as if the caller had passed bad features.
        Path dir = DATA.resolve("models/tiny-vit");
        java.util.Map<String, io.clip4j.checkpoint.TensorData> weights = new java.util.LinkedHashMap<>(
                io.clip4j.checkpoint.CheckpointReader.read(dir.resolve("state_dict.pt")).asMap());
        long[] shape = weights.get("text_projection").shape();
        float[] nan = new float[(int) (shape[0] * shape[1])];
        Arrays.fill(nan, Float.NaN);
        weights.put("text_projection", io.clip4j.checkpoint.SafetensorsWriter.float32(nan, shape));
        Path broken = tmp.resolve("nan-projection.safetensors");
        io.clip4j.checkpoint.SafetensorsWriter.write(broken, weights, java.util.Map.of());
        try (ClipModel m = ClipModel.load(broken)) {
            ClipException e = assertThrows(ClipException.class, () -> m.encodeTexts(List.of("a cat", "a dog")));
            assertTrue(e.getMessage().startsWith("text_features of text 0 contain NaN: the checkpoint's weights are"
                    + " probably not finite"), e.getMessage());
            e = assertThrows(ClipException.class, () -> m.similarity(images(dir), List.of("a cat")));
            assertTrue(e.getMessage().startsWith("text_features of text 0"), e.getMessage());
            // The image tower does not use text_projection: its features are still the reference's.
            assertNear(Npy.read(dir.resolve("image_features.npy")).toFloatArray(), m.encodeImages(images(dir)).toArray(),
                    "image_features");
        }
    }
}
