package io.clip4j.bench;

import io.clip4j.text.ClipTokenizer;
import io.clip4j.zeroshot.PromptTemplates;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Texts/s of {@code clip.tokenize}-equivalent tokenization, steady state (BPE cache warm): the 80
 * ImageNet prompt templates filled with 10 class names (800 short prompts, the zero-shot workload),
 * and 800 caption-length texts, each tokenized as one batch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TokenizerBenchmark {
    private static final int PROMPTS = 800;
    private ClipTokenizer tokenizer;
    private List<String> prompts;
    private List<String> captions;

    /** Builds the prompt list and loads the bundled vocabulary. */
    @Setup
    public void setup() {
        tokenizer = ClipTokenizer.create();
        String[] classes = {"tabby cat", "golden retriever", "airliner", "espresso", "goldfish",
                "pizza", "mountain bike", "volcano", "teapot", "lighthouse"};
        prompts = new ArrayList<>();
        for (String t : PromptTemplates.IMAGENET_80) {
            for (String c : classes) {
                prompts.add(PromptTemplates.fill(t, c));
            }
        }
        captions = new ArrayList<>();
        for (int i = 0; i < PROMPTS; i++) {
            captions.add("A small brown dog chases a red ball across the green park, photo number " + i
                    + " — taken on a sunny afternoon; the owner's café is nearby!");
        }
    }

    /** {@return ids of 800 zero-shot prompts (BPE cache warm)} */
    @Benchmark
    @OperationsPerInvocation(PROMPTS)
    public long[] imagenetPrompts() {
        return tokenizer.tokenize(prompts).ids();
    }

    /** {@return ids of 800 caption-length texts with punctuation, digits and a non-ASCII word} */
    @Benchmark
    @OperationsPerInvocation(PROMPTS)
    public long[] captions() {
        return tokenizer.tokenize(captions).ids();
    }
}
