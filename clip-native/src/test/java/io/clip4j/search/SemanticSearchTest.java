package io.clip4j.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.ClipModel;
import io.clip4j.image.ImageInput;
import io.clip4j.io.Npy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Indexing image files and searching them with the tiny-vit fixture, against the reference image_features
 * and logits_per_image; and refusing a model other than the one that built the index.
 */
class SemanticSearchTest {
    private static final Path DATA = Path.of(System.getProperty("clip4j.testdata"));
    private static final Path VIT = DATA.resolve("models/tiny-vit");
    private static ClipModel model;
    private static List<Path> images;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() throws IOException {
        model = ClipModel.builder(VIT).threads(1).build();
        images = new ArrayList<>();
        for (JsonNode img : new ObjectMapper().readTree(VIT.resolve("meta.json").toFile()).get("images")) {
            images.add(DATA.resolve(img.get("image_file").asText()));
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static float[] referenceUnitRows(String name) {
        Npy npy = Npy.read(VIT.resolve(name));
        int n = (int) npy.shape()[0];
        int d = (int) npy.shape()[1];
        return new io.clip4j.Features(npy.toFloatArray(), n, d).normalized().toArray();
    }

    @Test
    void indexHoldsTheReferenceFeaturesAndSkipsBrokenFiles() throws IOException {
        Path broken = Files.writeString(tmp.resolve("broken.png"), "not a png");
        List<Path> files = new ArrayList<>(images);
        files.add(2, broken);
        List<Integer> progress = new ArrayList<>();
        ImageIndexer.Result r = new ImageIndexer(model, VIT.toString()).batchSize(2).onProgress(progress::add)
                .index(files, null);
        assertEquals(images.stream().map(Path::toString).collect(Collectors.toList()), r.index().ids());
        assertEquals(4, r.added());
        assertEquals(1, r.skipped().size());
        assertEquals(broken.toString(), r.skipped().get(0).id());
        assertTrue(r.skipped().get(0).reason().contains("broken.png"), r.skipped().get(0).reason());
        assertEquals(List.of(0, 2, 4, 5), progress);
        assertArrayEquals(referenceUnitRows("image_features.npy"), r.index().features().toArray(), 1e-4f);
        assertEquals(VIT.toString(), r.index().model());
        assertEquals(128, r.index().fingerprint().length);

        // Updating with the same files plus one more encodes only the new one (a copy of image 0 under another id).
        Path copy = Files.copy(images.get(0), tmp.resolve("copy.png"));
        List<Path> more = new ArrayList<>(files);
        more.add(copy);
        ImageIndexer.Result u = new ImageIndexer(model, "other description").index(more, r.index());
        assertEquals(1, u.added());
        assertEquals(1, u.skipped().size(), "the broken file is tried again");
        assertEquals(5, u.index().size());
        assertEquals(VIT.toString(), u.index().model(), "the existing index keeps its model description");
    }

    @Test
    void textAndImageQueriesRankLikeTheReference() throws IOException {
        EmbeddingIndex index = new ImageIndexer(model, "tiny-vit").index(images, null).index();
        Path file = tmp.resolve("tiny.npz");
        index.save(file);
        SemanticSearch search = new SemanticSearch(model, EmbeddingIndex.load(file));
        List<String> texts = Arrays.asList(new ObjectMapper().readValue(VIT.resolve("texts.json").toFile(), String[].class));
        float[] logits = Npy.read(VIT.resolve("logits_per_image.npy")).toFloatArray(); // [4 images, 8 texts]
        List<List<SearchHit>> results = search.byTexts(texts, 4);
        for (int t = 0; t < texts.size(); t++) {
            final int col = t;
            List<Integer> expected = IntStream.range(0, 4).boxed()
                    .sorted(Comparator.comparingDouble(i -> -logits[i * texts.size() + col])).collect(Collectors.toList());
            assertEquals(expected, results.get(t).stream().map(SearchHit::row).collect(Collectors.toList()), texts.get(t));
            for (SearchHit h : results.get(t)) {
                assertEquals(logits[h.row() * texts.size() + t], h.score() * model.logitScale(), 1e-3, texts.get(t));
            }
        }
        List<SearchHit> single = search.byText(texts.get(1), 4); // a batch of one: equal up to float rounding
        for (int i = 0; i < 4; i++) {
            assertEquals(results.get(1).get(i).row(), single.get(i).row());
            assertEquals(results.get(1).get(i).score(), single.get(i).score(), 1e-5f);
        }
        List<SearchHit> self = search.byImage(ImageInput.of(images.get(3)), 2);
        assertEquals(images.get(3).toString(), self.get(0).id());
        assertEquals(1f, self.get(0).score(), 1e-5f);
        assertThrows(IllegalArgumentException.class, () -> search.byText("x", 0));
    }

    /**
     * Same embed_dim, other embeddings: tiny-rn. (tiny-vit run with GELU instead of QuickGELU is not "another
     * model" here: with its small random weights the features keep a cosine of 0.9999 with QuickGELU's.)
     */
    @Test
    void anotherModelIsRefused() {
        EmbeddingIndex index = new ImageIndexer(model, "tiny-vit/model.safetensors").index(images.subList(0, 2), null)
                .index();
        try (ClipModel other = ClipModel.load(DATA.resolve("models/tiny-rn/model.pt"))) {
            assertEquals(index.embedDim(), other.config().embedDim());
            IndexException e = assertThrows(IndexException.class, () -> new SemanticSearch(other, index));
            assertTrue(e.getMessage().contains("tiny-vit/model.safetensors"), e.getMessage());
            assertThrows(IndexException.class, () -> new ImageIndexer(other, "x").index(images, index));
        }
        EmbeddingIndex wide = EmbeddingIndex.builder(3).add("a", new float[]{1, 0, 0}).build();
        assertThrows(IndexException.class, () -> new SemanticSearch(model, wide));
    }
}
