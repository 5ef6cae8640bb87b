package io.clip4j.bench;

import io.clip4j.search.EmbeddingIndex;
import io.clip4j.search.SearchHit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Queries/s of {@link EmbeddingIndex#search(float[], int)}: an exhaustive cosine top-10 over random unit
 * embeddings of ViT-B/32's embed_dim 512 (index sizes from a photo folder to a large collection).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SearchBenchmark {
    private static final int EMBED_DIM = 512;

    /** Rows in the index. */
    @Param({"10000", "100000"})
    public int size;

    private EmbeddingIndex index;
    private float[] query;

    /** Fills the index with seeded Gaussian rows (normalised by the builder). */
    @Setup
    public void setup() {
        Random rnd = new Random(1);
        EmbeddingIndex.Builder b = EmbeddingIndex.builder(EMBED_DIM);
        for (int i = 0; i < size; i++) {
            b.add("image-" + i, gaussian(rnd));
        }
        index = b.build();
        query = gaussian(rnd);
    }

    private static float[] gaussian(Random rnd) {
        float[] v = new float[EMBED_DIM];
        for (int j = 0; j < EMBED_DIM; j++) {
            v[j] = (float) rnd.nextGaussian();
        }
        return v;
    }

    /** {@return the 10 best rows for one query} */
    @Benchmark
    public List<SearchHit> top10() {
        return index.search(query, 10);
    }
}
