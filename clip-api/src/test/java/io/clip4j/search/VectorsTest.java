package io.clip4j.search;

import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Vectors#dot4}, which {@link EmbeddingIndex#search(float[], int)} runs on four rows at a time, must give the
 * bits of four {@link Vectors#dot} calls, so that scores and the order of near ties stay what they were.
 */
class VectorsTest {
    /** Values whose float sums depend on the order they are added in. */
    private static final float[] CANCELLING = {4096f, -4096f, 1f, -0.75f, 1.25f, 0x1p-12f};

    private static float[] random(Random rnd, int len) {
        float[] v = new float[len];
        for (int i = 0; i < len; i++) {
            v[i] = rnd.nextBoolean() ? CANCELLING[rnd.nextInt(CANCELLING.length)] : (float) rnd.nextGaussian();
        }
        return v;
    }

    @Test
    void dot4GivesTheBitsOfFourDots() {
        Random rnd = new Random(23);
        for (int len : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 512}) {
            for (int round = 0; round < 50; round++) {
                int off = rnd.nextInt(3);
                float[] a = random(rnd, off + 4 * len + rnd.nextInt(3));
                float[] b = random(rnd, len);
                float[] four = new float[4];
                Vectors.dot4(a, off, b, len, four);
                for (int r = 0; r < 4; r++) {
                    assertEquals(Float.floatToIntBits(Vectors.dot(a, off + r * len, b, len)),
                            Float.floatToIntBits(four[r]), "len " + len + ", row " + r);
                }
            }
        }
        float[] special = {Float.NaN, 1f, Float.POSITIVE_INFINITY, 2f, -0f, -0f, Float.NEGATIVE_INFINITY, 1f};
        float[] four = new float[4];
        Vectors.dot4(special, 0, new float[] {1f, 1f}, 2, four);
        assertEquals(Float.NaN, four[0]);
        assertEquals(Float.POSITIVE_INFINITY, four[1]);
        assertEquals(Float.floatToIntBits(0f), Float.floatToIntBits(four[2])); // sums start at +0, like dot's
        assertEquals(Float.NEGATIVE_INFINITY, four[3]);
    }

    /** Index sizes around the block of four rows: the hits (rows, score bits, order) of a plain scan and sort. */
    @Test
    void searchRanksLikeAPlainScanAtEverySize() {
        Random rnd = new Random(29);
        int dim = 7;
        for (int size = 1; size <= 11; size++) {
            EmbeddingIndex.Builder builder = EmbeddingIndex.builder(dim);
            for (int r = 0; r < size; r++) {
                float[] v = random(rnd, dim);
                v[0] += 1e-3f; // never all zeros
                builder.add("row-" + r, v);
            }
            EmbeddingIndex index = builder.build();
            float[] vectors = index.features().toArray();
            float[] query = random(rnd, dim);
            query[1] += 1e-3f;
            float[] q = Vectors.unit(query, 0, dim, "query");
            List<Integer> expected = IntStream.range(0, size).boxed()
                    .sorted(Comparator.<Integer>comparingDouble(r -> -Vectors.dot(vectors, r * dim, q, dim))
                            .thenComparingInt(r -> r))
                    .limit(5).collect(Collectors.toList());
            List<SearchHit> hits = index.search(query, 5);
            assertEquals(expected, hits.stream().map(SearchHit::row).collect(Collectors.toList()), "size " + size);
            for (SearchHit h : hits) {
                assertEquals(Float.floatToIntBits(Vectors.dot(vectors, h.row() * dim, q, dim)),
                        Float.floatToIntBits(h.score()), "size " + size + ", row " + h.row());
            }
        }
    }
}
