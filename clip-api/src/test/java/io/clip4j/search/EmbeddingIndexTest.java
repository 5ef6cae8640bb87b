package io.clip4j.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.Features;
import io.clip4j.io.Npy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ranking and scores against the reference's logits_per_image of the tiny-vit fixture. */
class EmbeddingIndexTest {
    private static final Path VIT = Path.of(System.getProperty("clip4j.testdata"), "models", "tiny-vit");

    private static Features features(String name) {
        Npy npy = Npy.read(VIT.resolve(name + ".npy"));
        return new Features(npy.toFloatArray(), (int) npy.shape()[0], (int) npy.shape()[1]);
    }

    private static List<String> ids(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + i).collect(Collectors.toList());
    }

    /**
     * An activation that {@link EmbeddingIndex#load} would refuse ("gelu", a typo) is refused by the builder: it used to
     * be saved, leaving an index no search could open.
     */
    @Test
    void theBuilderTakesOnlyActivationsThatLoadBack() {
        for (String bad : List.of("gelu", "Quick_Gelu", "RELU", " GELU")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EmbeddingIndex.builder(2).activation(bad), bad);
            assertEquals("activation must be QUICK_GELU, GELU or \"\" (unknown), got \"" + bad + "\"", e.getMessage());
        }
        assertThrows(NullPointerException.class, () -> EmbeddingIndex.builder(2).activation(null));
        for (String good : List.of("QUICK_GELU", "GELU", "")) {
            assertEquals(good, EmbeddingIndex.builder(2).activation(good).build().activation());
        }
    }

    /** Text-to-image: each text_features row ranks the image_features rows as the reference's logits do. */
    @Test
    void textQueriesRankImagesLikeTheReferenceLogits() throws IOException {
        Features image = features("image_features");
        Features text = features("text_features");
        float[] logits = Npy.read(VIT.resolve("logits_per_image.npy")).toFloatArray(); // [images, texts]
        double scale = new ObjectMapper().readTree(VIT.resolve("meta.json").toFile()).get("logit_scale_exp").asDouble();
        EmbeddingIndex index = EmbeddingIndex.builder(image.dim()).addAll(ids("image-", image.rows()), image).build();

        List<List<SearchHit>> results = index.search(text, image.rows());
        for (int t = 0; t < text.rows(); t++) {
            final int col = t;
            List<Integer> expected = IntStream.range(0, image.rows()).boxed()
                    .sorted(Comparator.comparingDouble(i -> -logits[i * text.rows() + col])).collect(Collectors.toList());
            List<SearchHit> hits = results.get(t);
            assertEquals(expected, hits.stream().map(SearchHit::row).collect(Collectors.toList()), "text " + t);
            for (SearchHit h : hits) {
                assertEquals("image-" + h.row(), h.id());
                assertEquals(logits[h.row() * text.rows() + t], h.score() * scale, 1e-4, "text " + t + " image " + h.row());
            }
        }
    }

    /** Image-to-text, with k below the index size: the k best of the reference's logits_per_image rows. */
    @Test
    void imageQueriesKeepTheKBestTexts() {
        Features image = features("image_features");
        Features text = features("text_features");
        float[] logits = Npy.read(VIT.resolve("logits_per_image.npy")).toFloatArray();
        EmbeddingIndex index = EmbeddingIndex.builder(text.dim()).addAll(ids("text-", text.rows()), text).build();
        for (int i = 0; i < image.rows(); i++) {
            final int row = i;
            List<Integer> expected = IntStream.range(0, text.rows()).boxed()
                    .sorted(Comparator.comparingDouble(t -> -logits[row * text.rows() + t])).limit(3)
                    .collect(Collectors.toList());
            List<SearchHit> hits = index.search(image.row(i), 3);
            assertEquals(expected, hits.stream().map(SearchHit::row).collect(Collectors.toList()), "image " + i);
        }
    }

    /** The heap top-k against a full sort, on random scores with many ties (equal scores: lower row first). */
    @Test
    void topKMatchesAFullSortWithTies() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rnd.nextInt(60);
            int k = 1 + rnd.nextInt(n + 5);
            float[] scores = new float[n];
            TopScores top = new TopScores(Math.min(k, n));
            for (int r = 0; r < n; r++) {
                scores[r] = rnd.nextInt(6) / 5f - 0.5f;
                top.offer(r, scores[r]);
            }
            int[] expected = IntStream.range(0, n).boxed()
                    .sorted(Comparator.<Integer>comparingDouble(r -> -scores[r]).thenComparingInt(r -> r))
                    .limit(k).mapToInt(Integer::intValue).toArray();
            assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(top.rowsBestFirst()));
        }
    }

    @Test
    void rowsAreStoredNormalisedAndQueriesNormalised() {
        EmbeddingIndex index = EmbeddingIndex.builder(2).add("x", new float[]{3, 0}).add("y", new float[]{1, 1}).build();
        assertEquals(1f, index.features().get(0, 0));
        List<SearchHit> hits = index.search(new float[]{0, 10}, 5);
        assertEquals(List.of("y", "x"), hits.stream().map(SearchHit::id).collect(Collectors.toList()));
        assertEquals((float) Math.sqrt(0.5), hits.get(0).score(), 1e-7);
        assertEquals(0f, hits.get(1).score());
    }

    @Test
    void builderEditsAndRejectsBadRows() {
        EmbeddingIndex.Builder b = EmbeddingIndex.builder(2).add("a", new float[]{1, 0}).add("b", new float[]{0, 1});
        assertThrows(IllegalArgumentException.class, () -> b.add("a", new float[]{1, 1}));
        assertThrows(IllegalArgumentException.class, () -> b.add("z", new float[]{0, 0}));
        assertThrows(IllegalArgumentException.class, () -> b.add("n", new float[]{Float.NaN, 1}));
        assertThrows(IllegalArgumentException.class, () -> b.add("l", new float[]{1, 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> EmbeddingIndex.builder(0));
        EmbeddingIndex index = b.remove("a").remove("missing").add("c", new float[]{-1, 0}).build();
        assertEquals(List.of("b", "c"), index.ids());
        assertFalse(index.contains("a"));
        assertTrue(index.contains("c"));
        EmbeddingIndex grown = index.toBuilder().add("d", new float[]{1, 1}).build();
        assertEquals(List.of("b", "c", "d"), grown.ids());
        assertEquals(2, index.size(), "the original index is unchanged");
    }

    /** A refused batch used to leave the rows before the bad one in the builder, half a batch indexed. */
    @Test
    void addAllIsAllOrNothing() {
        EmbeddingIndex.Builder b = EmbeddingIndex.builder(2).add("a", new float[]{1, 0});
        Features three = new Features(new float[]{0, 1, 1, 1, 0, 0}, 3, 2);
        assertThrows(IllegalArgumentException.class, () -> b.addAll(List.of("x", "y", "z"), three), "zero row");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.addAll(List.of("x", "y", "x"), new Features(new float[]{0, 1, 1, 1, 1, -1}, 3, 2)));
        assertEquals("duplicate id in index: x", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> b.addAll(List.of("x", "a"), new Features(new float[]{0, 1, 1, 1}, 2, 2)), "id already added");
        assertThrows(NullPointerException.class,
                () -> b.addAll(java.util.Arrays.asList("x", null), new Features(new float[]{0, 1, 1, 1}, 2, 2)));
        assertEquals(1, b.size(), "no row of a refused batch is added");
        assertEquals(List.of("a", "x", "y"),
                b.addAll(List.of("x", "y"), new Features(new float[]{0, 1, 1, 1}, 2, 2)).build().ids());
    }

    @Test
    void badQueriesAreRejected() {
        EmbeddingIndex index = EmbeddingIndex.builder(2).model("m.pt").add("a", new float[]{1, 0}).build();
        IndexException e = assertThrows(IndexException.class, () -> index.search(new float[3], 1));
        assertTrue(e.getMessage().contains("m.pt"), e.getMessage());
        assertThrows(IndexException.class, () -> index.search(new Features(new float[0], 0, 3), 1));
        assertThrows(IllegalArgumentException.class, () -> index.search(new float[]{1, 0}, 0));
        assertThrows(IllegalArgumentException.class, () -> index.search(new Features(new float[0], 0, 2), 0),
                "k < 1 is refused for an empty batch of queries too, as documented");
        assertThrows(IllegalArgumentException.class, () -> index.search(new float[]{0, 0}, 1));
        IllegalArgumentException zeroRow = assertThrows(IllegalArgumentException.class,
                () -> index.search(new Features(new float[]{1, 0, 0, 0, 0, 1}, 3, 2), 1));
        assertTrue(zeroRow.getMessage().startsWith("query 1 of 3: "), zeroRow.getMessage());
        assertThrows(IllegalArgumentException.class, () -> index.search(new float[]{Float.POSITIVE_INFINITY, 0}, 1));
        assertEquals(List.of(), EmbeddingIndex.builder(2).build().search(new float[]{1, 0}, 3));
    }

    @Test
    void fingerprintsMatchOnlyTheSameModel() {
        Random rnd = new Random(3);
        float[] a = new float[128];
        float[] other = new float[128];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextGaussian();
            other[i] = (float) rnd.nextGaussian();
        }
        float[] nearlyA = a.clone();
        for (int i = 0; i < a.length; i++) {
            nearlyA[i] *= 1 + 0.02f * (float) rnd.nextGaussian(); // float16-sized noise
        }
        float[] halfOther = a.clone();
        System.arraycopy(other, 64, halfOther, 64, 64); // same text tower, other image tower
        assertTrue(ModelFingerprint.matches(a, a));
        assertTrue(ModelFingerprint.matches(a, nearlyA));
        assertFalse(ModelFingerprint.matches(a, other));
        assertFalse(ModelFingerprint.matches(a, halfOther));
        assertFalse(ModelFingerprint.matches(a, new float[64]));
        assertFalse(ModelFingerprint.matches(new float[0], new float[0]));
    }
    /**
     * A batch search scans the index in blocks of {@link EmbeddingIndex#SCAN_ROWS} rows shared by all queries: at
     * sizes around that block, with near ties, it returns the hits of one search per query.
     */
    @Test
    void batchSearchReturnsTheHitsOfOneSearchPerQuery() {
        Random rnd = new Random(37);
        int dim = 5;
        int block = EmbeddingIndex.SCAN_ROWS;
        for (int size : new int[] {1, 3, block - 1, block, block + 1, 2 * block + 7}) {
            EmbeddingIndex.Builder builder = EmbeddingIndex.builder(dim);
            for (int r = 0; r < size; r++) {
                float[] v = new float[dim];
                for (int j = 0; j < dim; j++) {
                    v[j] = rnd.nextInt(3) - 1 + (rnd.nextInt(4) == 0 ? 1e-7f * rnd.nextInt(3) : 0); // many ties
                }
                v[0] = v[0] == 0 ? 1 : v[0];
                builder.add("row-" + r, v);
            }
            EmbeddingIndex index = builder.build();
            int queries = 7;
            float[] q = new float[queries * dim];
            for (int i = 0; i < q.length; i++) {
                q[i] = (float) rnd.nextGaussian();
            }
            Features batch = new Features(q, queries, dim);
            for (int k : new int[] {1, 10, size + 3}) {
                List<List<SearchHit>> all = index.search(batch, k);
                assertEquals(queries, all.size());
                for (int i = 0; i < queries; i++) {
                    assertEquals(index.search(batch.row(i), k), all.get(i), "size " + size + ", k " + k + ", query " + i);
                }
            }
        }
        EmbeddingIndex index = EmbeddingIndex.builder(2).add("a", new float[] {1, 0}).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> index.search(new Features(new float[] {1, 0, 0, 0, Float.NaN, 1}, 3, 2), 1));
        assertTrue(e.getMessage().startsWith("query 1 of 3: embedding of query is all zeros"), e.getMessage());
        assertEquals(List.of(), index.search(new Features(new float[0], 0, 2), 1));
    }
}
