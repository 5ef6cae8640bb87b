package io.clip4j.bench;

import io.clip4j.Features;
import io.clip4j.cuda.CudaKernels;
import io.clip4j.cuda.KernelBackend;
import io.clip4j.image.DecodedImage;
import io.clip4j.image.ImageDecoders;
import io.clip4j.image.ImagePreprocessor;
import io.clip4j.math.Similarity;
import io.clip4j.math.TopK;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The clip-cuda kernels on their CPU backend next to clip-api's pure-Java code doing the same work: the
 * reference preprocessing of a decoded 1024x768 photo ({@code samples/aloe_1024x768.jpg}) to 224, and zero-shot
 * scoring (normalise, logit_scale * cosine, softmax, top-5) of 256 images against 1000 classes at embed_dim 512.
 * Operations per second, one thread. Run from the repository root (see README, "Benchmarks").
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class KernelsBenchmark {
    private static final int IMAGES = 256;
    private static final int CLASSES = 1000;
    private static final int EMBED_DIM = 512;

    private CudaKernels kernels;
    private ImagePreprocessor preprocessor;
    private DecodedImage decoded;
    private float[] imageFeatures;
    private float[] classEmbeddings;

    /**
     * Decodes the photo once and makes seeded random features.
     *
     * @throws IOException if the sample photo is missing
     */
    @Setup
    public void setup() throws IOException {
        kernels = CudaKernels.create(KernelBackend.CPU);
        preprocessor = ImagePreprocessor.builder().parallelism(1).build();
        byte[] jpeg = Files.readAllBytes(Path.of(System.getProperty("clip4j.bench.image", "samples/aloe_1024x768.jpg")));
        decoded = ImageDecoders.defaults().decode(jpeg, Long.MAX_VALUE, "bench");
        Random random = new Random(7);
        imageFeatures = new float[IMAGES * EMBED_DIM];
        classEmbeddings = new float[CLASSES * EMBED_DIM];
        for (int i = 0; i < imageFeatures.length; i++) {
            imageFeatures[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < classEmbeddings.length; i++) {
            classEmbeddings[i] = (float) random.nextGaussian();
        }
    }

    /** {@return pixel_values [1, 3, 224, 224] from the CPU kernel} */
    @Benchmark
    public float[] preprocessKernelCpu() {
        return kernels.preprocess(List.of(decoded), 224);
    }

    /** {@return pixel_values [3, 224, 224] from clip-api} */
    @Benchmark
    public float[] preprocessJava() {
        return preprocessor.pixelValues(decoded);
    }

    /** {@return top-5 of 256 images x 1000 classes from the fused CPU kernel} */
    @Benchmark
    public TopK zeroShotTopKKernelCpu() {
        return kernels.zeroShotTopK(imageFeatures, classEmbeddings, EMBED_DIM, 100f, 5);
    }

    /** {@return top-5 of 256 images x 1000 classes from clip-api's Similarity} */
    @Benchmark
    public TopK zeroShotTopKJava() {
        float[] logits = Similarity.logits(new Features(imageFeatures, IMAGES, EMBED_DIM),
                new Features(classEmbeddings, CLASSES, EMBED_DIM), 100f);
        return Similarity.softmaxTopK(logits, IMAGES, CLASSES, 5);
    }
}
