package io.clip4j.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.SimilarityResult;
import io.clip4j.io.Npy;
import io.clip4j.search.SearchHit;
import io.clip4j.zeroshot.Prediction;
import io.clip4j.zeroshot.ZeroShotResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every example program on the tiny-vit fixture, against the reference outputs. */
class ExamplesTest {
    private static final Path DATA = Path.of(System.getProperty("clip4j.testdata"));
    private static final Path VIT = DATA.resolve("models/tiny-vit");
    private static final String[] IMAGES = {"CLIP.png", "astronaut.png", "chelsea.png", "coffee.png"}; // fixture order
    private static final int TEXTS = 8;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    private static Path image(int i) {
        return DATA.resolve("preprocess/images").resolve(IMAGES[i]);
    }

    private static float[] logits() {
        return Npy.read(VIT.resolve("logits_per_image.npy")).toFloatArray(); // [4 images, 8 texts]
    }

    private static List<String> texts() throws IOException {
        return Arrays.asList(new ObjectMapper().readValue(VIT.resolve("texts.json").toFile(), String[].class));
    }

    @Test
    void similarityExamplePrintsTheReferenceLogits() throws IOException {
        List<Path> images = IntStream.range(0, 4).mapToObj(ExamplesTest::image).collect(Collectors.toList());
        SimilarityResult s = SimilarityExample.run(VIT, images, texts(), out);
        assertArrayEquals(logits(), s.logitsPerImage(), 1e-3f);
        assertArrayEquals(Npy.read(VIT.resolve("probs.npy")).toFloatArray(), s.probs(), 1e-5f);
        assertEquals(4, printed.toString(StandardCharsets.UTF_8).strip().split("\n").length);
    }

    /** With the template "{}" each label is its own prompt: the softmax over the reference's logits columns. */
    @Test
    void zeroShotExampleRanksLikeTheReference() throws IOException {
        List<String> labels = texts().subList(0, 4); // "a diagram", "a dog", "a cat", "a photo of a cat"
        ZeroShotResult r = ZeroShotExample.run(VIT, image(2), labels, List.of("{}"), out);
        float[] row = Arrays.copyOfRange(logits(), 2 * TEXTS, 2 * TEXTS + 4);
        double max = 0;
        double sum = 0;
        for (float v : row) {
            max = Math.max(max, v);
        }
        for (float v : row) {
            sum += Math.exp(v - max);
        }
        for (Prediction p : r.predictions()) {
            int t = labels.indexOf(p.label());
            assertEquals(row[t], p.logit(), 1e-3);
            assertEquals(Math.exp(row[t] - max) / sum, p.probability(), 1e-5);
        }
        assertTrue(printed.toString(StandardCharsets.UTF_8).startsWith(r.top().label()));
    }

    @Test
    void imageSearchExampleRanksTheFolderLikeTheReference(@TempDir Path folder) throws IOException {
        for (int i = 0; i < 4; i++) {
            Files.copy(image(i), folder.resolve(i + "-" + IMAGES[i]));
        }
        List<SearchHit> hits = ImageSearchExample.run(VIT, folder, "a cat", 4, out);
        float[] logits = logits();
        List<String> expected = IntStream.range(0, 4).boxed()
                .sorted(Comparator.comparingDouble(i -> -logits[i * TEXTS + 2])) // text 2 is "a cat"
                .map(i -> i + "-" + IMAGES[i]).collect(Collectors.toList());
        assertEquals(expected, hits.stream().map(h -> Path.of(h.id()).getFileName().toString())
                .collect(Collectors.toList()));
        assertEquals(4, printed.toString(StandardCharsets.UTF_8).strip().split("\n").length);
    }

    @Test
    void preprocessExampleGivesTheReferenceInputs() throws IOException {
        PreprocessExample.Inputs in = PreprocessExample.run(image(2), texts().get(3), out);
        long[] ids = Npy.read(VIT.resolve("input_ids.npy")).toLongArray(); // [8, 77]
        assertArrayEquals(Arrays.copyOfRange(ids, 3 * 77, 4 * 77), in.inputIds());
        assertArrayEquals(Npy.read(DATA.resolve("preprocess/ref/chelsea.pixel_values.npy")).toFloatArray(),
                in.pixelValues());
        assertTrue(printed.toString(StandardCharsets.UTF_8).startsWith("input_ids: 49406 "), printed.toString());
    }
}
