package io.clip4j.torch;

import io.clip4j.ClipException;
import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.ImagePipeline;
import io.clip4j.image.ImageInput;
import io.clip4j.zeroshot.ZeroShotResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The model's lifecycle under concurrency: close() racing with encodes on other threads and with other close()
 * calls, close() while a batch is decoding, interrupts during encodes and loads. Every outcome must be a result
 * equal to the sequential one or a typed {@link ClipException}; a hang fails the preemptive timeouts.
 */
class LifecycleConcurrencyTest {
    private static final Path DATA = Path.of(System.getProperty("clip4j.testdata"));
    private static final Path VIT = DATA.resolve("models/tiny-vit");
    private static final Duration HANG = Duration.ofSeconds(60);

    private static List<ImageInput> images() throws IOException {
        return ClipModelEndToEndTest.images(VIT);
    }

    private static List<String> texts() throws IOException {
        return ClipModelEndToEndTest.texts(VIT);
    }

    @ParameterizedTest
    @EnumSource(value = ImagePipeline.class, names = {"JAVA", "KERNELS"})
    void closeRacingWithEncodesOnEightThreadsGivesEqualResultsOrClosedErrors(ImagePipeline pipeline) throws Exception {
        List<ImageInput> imgs = images();
        List<String> txts = List.of("a photo of a cat", "a diagram", "a dog");
        ClipModel model = ClipModel.builder(VIT).imagePipeline(pipeline).batchSize(2).build();
        float[] expectImages = model.encodeImages(imgs).toArray();
        float[] expectTexts = model.encodeTexts(txts).toArray();
        ZeroShotResult expectZeroShot = model.zeroShot(imgs.get(0), txts);
        io.clip4j.zeroshot.ZeroShotClassifier classifier = model.classifier(txts, List.of("{}"));
        List<ZeroShotResult> expectTopK = classifier.classifyAll(imgs, 2); // the fused top-k with KERNELS
        int workers = 8;
        AtomicInteger successes = new AtomicInteger();
        CyclicBarrier start = new CyclicBarrier(workers + 3);
        ExecutorService pool = Executors.newFixedThreadPool(workers + 2);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int t = 0; t < workers; t++) {
                int kind = t % 4;
                results.add(pool.submit(() -> {
                    start.await();
                    try {
                        for (int i = 0; ; i++) {
                            // Equal bits to the sequential call, not only close: the same model on the same data.
                            switch (kind) {
                                case 0 -> assertArrayEquals(expectImages, model.encodeImages(imgs).toArray());
                                case 1 -> assertArrayEquals(expectTexts, model.encodeTexts(txts).toArray());
                                case 2 -> assertEquals(expectZeroShot, model.zeroShot(imgs.get(0), txts));
                                default -> assertEquals(expectTopK, classifier.classifyAll(imgs, 2));
                            }
                            successes.incrementAndGet();
                        }
                    } catch (ClipException e) {
                        return e.getMessage();
                    }
                }));
            }
            List<Future<?>> closers = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                closers.add(pool.submit(() -> {
                    start.await();
                    while (successes.get() < 2 * workers) {
                        Thread.onSpinWait();
                    }
                    model.close();
                    return null;
                }));
            }
            start.await();
            while (successes.get() < 2 * workers) {
                Thread.onSpinWait();
            }
            model.close();
            assertTimeoutPreemptively(HANG, () -> {
                for (Future<?> c : closers) {
                    c.get();
                }
                for (Future<String> r : results) {
                    String message = r.get();
                    assertTrue(message.contains("closed"), message);
                }
            });
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        }
        // After close: typed errors, and the methods that need no native memory still work.
        assertThrows(ClipException.class, () -> model.encodeTexts(txts));
        assertThrows(ClipException.class, () -> model.encodeImages(imgs));
        assertEquals(txts.size() * 77, model.tokenize(txts).length);
        model.close();
    }

    /** A stream that reports when it is first read and then waits for the test, so a batch stops in its decode. */
    private static final class GateStream extends InputStream {
        private final InputStream in;
        private final CountDownLatch reading = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);

        GateStream(byte[] bytes) {
            this.in = new java.io.ByteArrayInputStream(bytes);
        }

        @Override
        public int read() throws IOException {
            gate();
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            gate();
            return in.read(b, off, len);
        }

        private void gate() throws IOException {
            reading.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = ImagePipeline.class, names = {"JAVA", "KERNELS"})
    void closeDoesNotWaitForABatchThatIsDecoding(ImagePipeline pipeline) throws Exception {
        List<ImageInput> imgs = new ArrayList<>(images());
        int middle = imgs.size() / 2;
        byte[] bytes = Files.readAllBytes(DATA.resolve(
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(VIT.resolve("meta.json").toFile())
                        .get("images").get(middle).get("image_file").asText()));
        GateStream gate = new GateStream(bytes);
        imgs.set(middle, ImageInput.of(gate, "gated"));
        ClipModel model = ClipModel.builder(VIT).imagePipeline(pipeline).build();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<float[]> encode = pool.submit(() -> model.encodeImages(imgs).toArray());
            assertTrue(gate.reading.await(30, TimeUnit.SECONDS));
            // close() does not wait for decoding, which uses no weights: with KERNELS the decode runs inside the
            // engine's call and used to hold close() (and so every later caller) until the stream ended.
            Future<?> close = pool.submit(model::close);
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> close.get());
            gate.release.countDown();
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> assertTimeoutPreemptively(HANG, () -> encode.get()));
            if (!(e.getCause() instanceof ClipException ce) || !ce.getMessage().contains("closed")) {
                fail("not a closed error", e.getCause());
            }
        } finally {
            gate.release.countDown();
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
            model.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = ImagePipeline.class, names = {"JAVA", "KERNELS"})
    void closeFromInsideAnImageStreamDoesNotDeadlock(ImagePipeline pipeline) throws Exception {
        List<ImageInput> imgs = new ArrayList<>(images());
        ClipModel model = ClipModel.builder(VIT).imagePipeline(pipeline).build();
        byte[] bytes = Files.readAllBytes(DATA.resolve(
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(VIT.resolve("meta.json").toFile())
                        .get("images").get(0).get("image_file").asText()));
        InputStream closing = new java.io.ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                model.close(); // a read lock held here (KERNELS decoded under it) could never become close's write lock
                return super.read(b, off, len);
            }
        };
        imgs.set(1, ImageInput.of(closing, "closing"));
        ClipException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(ClipException.class, () -> model.encodeImages(imgs)));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = ImagePipeline.class, names = {"JAVA", "KERNELS"})
    void anInterruptedEncodeFailsTypedAndKeepsTheInterruptStatus(ImagePipeline pipeline) throws Exception {
        List<ImageInput> imgs = images();
        try (ClipModel model = ClipModel.builder(VIT).imagePipeline(pipeline).build()) {
            float[] expected = model.encodeImages(imgs).toArray();
            assertTimeoutPreemptively(HANG, () -> {
                Thread.currentThread().interrupt();
                try {
                    ClipException e = assertThrows(ClipException.class, () -> model.encodeImages(imgs));
                    assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
                    assertTrue(Thread.currentThread().isInterrupted(), "interrupt status kept");
                    // Texts need no decoding: an interrupt does not stop them.
                    assertEquals(texts().size(), model.encodeTexts(texts()).rows());
                    assertTrue(Thread.currentThread().isInterrupted(), "interrupt status kept");
                } finally {
                    Thread.interrupted();
                }
            });
            assertArrayEquals(expected, model.encodeImages(imgs).toArray()); // usable after the interrupt
        }
    }

    @Test
    void loadsAndClosesWhileAnotherModelEncodesOnManyThreads() throws Exception {
        List<String> txts = List.of("a photo of a cat", "a diagram", "a dog");
        List<ImageInput> imgs = images();
        try (ClipModel shared = ClipModel.load(VIT)) {
            float[] expectTexts = shared.encodeTexts(txts).toArray();
            float[] expectImages = shared.encodeImages(imgs).toArray();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            try {
                List<Future<Integer>> encoders = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    int k = t;
                    encoders.add(pool.submit(() -> {
                        int calls = 0;
                        do {
                            if (k == 0) {
                                assertArrayEquals(expectImages, shared.encodeImages(imgs).toArray());
                            } else {
                                assertArrayEquals(expectTexts, shared.encodeTexts(txts).toArray());
                            }
                            calls++;
                        } while (!stop.get());
                        return calls;
                    }));
                }
                // Other models come and go (threads(n) is LibTorch's process-wide setting) and are used in between.
                assertTimeoutPreemptively(HANG, () -> {
                    for (int i = 0; i < 12; i++) {
                        try (ClipModel m = ClipModel.builder(i % 2 == 0 ? VIT : DATA.resolve("models/tiny-rn/model.pt"))
                                .threads(1 + i % 2).build()) {
                            assertEquals(txts.size(), m.encodeTexts(txts).rows());
                        }
                    }
                    stop.set(true);
                    for (Future<Integer> f : encoders) {
                        assertTrue(f.get() > 0);
                    }
                });
            } finally {
                stop.set(true);
                pool.shutdownNow();
                assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void anInterruptedLoadFailsTypedOrLoadsAndKeepsTheInterruptStatus() throws Exception {
        for (String checkpoint : new String[]{"tiny-vit", "tiny-vit/state_dict.pt", "tiny-vit/model.pt",
                "tiny-rn/model.pt"}) {
            Path path = DATA.resolve("models").resolve(checkpoint);
            assertTimeoutPreemptively(HANG, () -> {
                Thread.currentThread().interrupt();
                try (ClipModel m = ClipModel.load(path)) {
                    assertEquals(64, m.config().embedDim());
                } catch (ClipException e) {
                    // Said as it is, not blamed on the file ("cannot open or map file").
                    assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
                } finally {
                    assertTrue(Thread.interrupted(), "interrupt status kept: " + checkpoint);
                }
            });
            try (ClipModel m = ClipModel.load(path)) { // and loads normally afterwards
                Features f = m.encodeTexts(List.of("a cat"));
                assertEquals(1, f.rows());
            }
        }
    }
}
