package io.clip4j.bench;

import io.clip4j.image.DecodedImage;
import io.clip4j.image.ImageDecoder;
import io.clip4j.image.ImageDecoders;
import io.clip4j.image.ImageInput;
import io.clip4j.image.ImagePreprocessor;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Images/s of the reference preprocessing on a 1024x768 photo ({@code samples/aloe_1024x768.jpg}, and its lossy
 * WebP copy {@code samples/aloe_1024x768.webp}): decoding alone, resize+crop+normalise alone, and both, per
 * decoder. Run from the repository root
 * (see README, "Benchmarks").
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PreprocessBenchmark {
    /** Which decoder reads the photo: OpenCV (JPEG, native libjpeg-turbo), the pure-Java JPEG one, or WebP. */
    @Param({"opencv", "java", "webp"})
    public String decoder;

    private byte[] encoded;
    private ImagePreprocessor preprocessor;
    private ImageDecoders decoders;
    private DecodedImage decoded;

    /**
     * Loads the photo and picks the decoder.
     *
     * @throws IOException if the sample photo is missing
     */
    @Setup
    public void setup() throws IOException {
        String sample = decoder.equals("webp") ? "samples/aloe_1024x768.webp" : "samples/aloe_1024x768.jpg";
        encoded = Files.readAllBytes(Path.of(System.getProperty("clip4j.bench.image", sample)));
        ImageDecoder chosen = ImageDecoders.defaults().decoders().stream()
                .filter(d -> d.canDecode(encoded) && d.name().toLowerCase().contains(decoder))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + decoder + " decoder for " + sample));
        decoders = ImageDecoders.of(List.of(chosen));
        preprocessor = ImagePreprocessor.builder().decoders(decoders).parallelism(1).build();
        decoded = decoders.decode(encoded, Long.MAX_VALUE, "bench");
    }

    /** {@return decoded pixels} */
    @Benchmark
    public DecodedImage decode() {
        return decoders.decode(encoded, Long.MAX_VALUE, "bench");
    }

    /** {@return pixel_values of an already decoded image} */
    @Benchmark
    public float[] resizeCropNormalize() {
        return preprocessor.preprocess(decoded);
    }

    /** {@return pixel_values from the encoded bytes} */
    @Benchmark
    public float[] decodeAndPreprocess() {
        return preprocessor.preprocess(ImageInput.ofEncoded(encoded, "bench"));
    }
}
