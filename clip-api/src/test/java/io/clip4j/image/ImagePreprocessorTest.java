package io.clip4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Public API: input kinds, options, EXIF, batching, registry and error reporting. */
class ImagePreprocessorTest {

    private static Path file(String name) {
        return Fixtures.preprocessDir().resolve(Fixtures.image(name).get("file").asText());
    }

    private static byte[] refRgb(String name) {
        return Fixtures.npy("ref/" + name + ".rgb_u8.npy").toByteArray();
    }

    private static float[] refValues(String name) {
        return Fixtures.npy("ref/" + name + ".pixel_values.npy").toFloatArray();
    }

    @Test
    void pathBytesAndStreamInputsGiveReference() throws Exception {
        ImagePreprocessor p = ImagePreprocessor.clip();
        byte[] bytes = Files.readAllBytes(file("horse"));
        float[] expected = refValues("horse");
        assertArrayEquals(expected, p.preprocess(file("horse")));
        assertArrayEquals(expected, p.preprocess(bytes));
        assertArrayEquals(expected, p.preprocess(new ByteArrayInputStream(bytes)));
    }

    @Test
    void rawRgbaBufferMatchesReference() {
        // rgba_transparent: RGBA with a transparent hole whose colour is non-zero (premultiplication matters).
        DecodedImage d = Fixtures.referenceInput(Fixtures.image("rgba_transparent"));
        ImagePreprocessor p = ImagePreprocessor.clip();
        float[] v = p.preprocessPixels(d.data().clone(), d.width(), d.height(), PixelMode.RGBA);
        assertArrayEquals(refValues("rgba_transparent"), v);
        assertArrayEquals(refRgb("rgba_transparent"),
                p.resizeCropRgb(ImageInput.ofPixels(d.data(), d.width(), d.height(), PixelMode.RGBA)));
    }

    @Test
    void rawRgbBufferMatchesReference() {
        DecodedImage d = Fixtures.referenceInput(Fixtures.image("chelsea"));
        assertArrayEquals(refValues("chelsea"),
                ImagePreprocessor.clip().preprocessPixels(d.data(), d.width(), d.height(), PixelMode.RGB));
    }

    @Test
    void rawPixelArgumentsAreCheckedWithNamedExceptions() {
        // A null mode used to fail inside DecodedImage with a helpful-NPE message about mode.channels().
        assertEquals("mode", assertThrows(NullPointerException.class,
                () -> ImageInput.ofPixels(new byte[4], 2, 2, null)).getMessage());
        assertEquals("pixels", assertThrows(NullPointerException.class,
                () -> ImageInput.ofPixels(null, 2, 2, PixelMode.L)).getMessage());
        assertEquals("mode", assertThrows(NullPointerException.class,
                () -> DecodedImage.ofBytes(2, 2, null, new byte[4], false, 1)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ImageInput.ofPixels(new byte[3], 2, 2, PixelMode.L)).getMessage().contains("expected 4"));
    }

    @Test
    void clipsMeanAndStdCannotBeChangedFromOutside() {
        // They were public arrays: CLIP_MEAN[0] = 99 changed clip() and every config reader in the process.
        float[] before = ImagePreprocessor.clip(16).preprocessPixels(new byte[]{10, 20, 30}, 1, 1, PixelMode.RGB);
        ImagePreprocessor.clipMean()[0] = 99;
        ImagePreprocessor.clipStd()[1] = 99;
        assertArrayEquals(before, ImagePreprocessor.clip(16).preprocessPixels(new byte[]{10, 20, 30}, 1, 1,
                PixelMode.RGB));
        assertEquals(0.48145466, ImagePreprocessor.clipMean()[0]);
        assertEquals(0.26130258, ImagePreprocessor.clipStd()[1]);
    }

    @Test
    void size336WithCustomMeanStd() {
        // A 1x1 image resizes to a constant (every normalised weight is exactly 1.0).
        ImagePreprocessor p = ImagePreprocessor.builder().size(336).mean(0.5, 0.25, 0.125).std(0.2, 0.3, 0.7).build();
        float[] v = p.preprocess(file("tiny_1x1"));
        assertEquals(3 * 336 * 336, v.length);
        int[] rgb = {200, 30, 90};
        float[] mean = {0.5f, 0.25f, 0.125f};
        float[] std = {0.2f, 0.3f, 0.7f};
        for (int c = 0; c < 3; c++) {
            float expected = ((float) rgb[c] / 255f - mean[c]) / std[c];
            for (int i = 0; i < 336 * 336; i++) {
                assertEquals(expected, v[c * 336 * 336 + i], 0.0f);
            }
        }
    }

    @Test
    void meanAndStdThatAreNotFinitePositiveFloat32AreRefused() {
        // They are used as float32: a std of 1e-50 became 0 there (every pixel value infinite), an infinite std made
        // every pixel value 0, and a NaN mean made them all NaN, all without a word.
        for (double bad : new double[]{Double.NaN, Double.POSITIVE_INFINITY, -1e39}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ImagePreprocessor.builder().mean(0.5, bad, 0.5));
            assertEquals("mean must be finite float32 values, got [0.5, " + bad + ", 0.5]", e.getMessage());
        }
        // A negative std too: the fused kernels and open_clip refuse it, so every pipeline refuses it up front.
        for (double bad : new double[]{Double.NaN, Double.POSITIVE_INFINITY, 1e-50, 0, -0.5}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ImagePreprocessor.builder().std(0.5, 0.5, bad));
            assertEquals("std must be finite float32 values, all above 0, got [0.5, 0.5, " + bad + "]",
                    e.getMessage());
        }
        assertEquals(1e-30f, ImagePreprocessor.builder().std(0.5, 0.5, 1e-30).build().std()[2], 0f);
    }

    @Test
    void meanAndStdWhoseQuotientOverflowsAreRefused() {
        // Each value finite and std above 0, yet (v / 255 - mean) / std overflowed float32: a std of 1e-45 (the
        // smallest float32) or a mean of 3e38 gave infinite pixel values without a word.
        ImagePreprocessor.Builder tiny = ImagePreprocessor.builder().std(0.5, 1e-45, 0.5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, tiny::build);
        assertTrue(e.getMessage().contains("channel 1's pixel values infinite"), e.getMessage());
        ImagePreprocessor.Builder huge = ImagePreprocessor.builder().mean(0.5, 0.5, 3e38).std(0.5, 0.5, 0.5);
        e = assertThrows(IllegalArgumentException.class, huge::build);
        assertTrue(e.getMessage().contains("channel 2's pixel values infinite"), e.getMessage());
        // Large but finite values are still built (and computed exactly as torchvision would).
        assertEquals(3e30f, ImagePreprocessor.builder().mean(0.5, 0.5, 3e30).build().mean()[2], 0f);
    }

    @Test
    void customMeanStdAppliedToReferenceRgb() {
        ImagePreprocessor p = ImagePreprocessor.builder().mean(0.1, 0.2, 0.3).std(0.9, 0.8, 0.7).build();
        byte[] rgb = refRgb("coffee");
        float[] v = p.preprocess(file("coffee"));
        float[] m = {0.1f, 0.2f, 0.3f};
        float[] s = {0.9f, 0.8f, 0.7f};
        int plane = 224 * 224;
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(((float) (rgb[i * 3 + c] & 0xFF) / 255f - m[c]) / s[c], v[c * plane + i], 0.0f);
            }
        }
    }

    @Test
    void sizeEqualToShortSideOnlyCrops() {
        // chelsea is 451x300: at size 300 Resize is the identity and CenterCrop takes columns 76..375
        // (round(75.5) = 76, half to even).
        DecodedImage d = Fixtures.referenceInput(Fixtures.image("chelsea"));
        byte[] rgb = ImagePreprocessor.clip(300).resizeCropRgb(ImageInput.of(file("chelsea")));
        for (int y = 0; y < 300; y++) {
            for (int x = 0; x < 300; x++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(d.data()[(y * 451 + x + 76) * 3 + c], rgb[(y * 300 + x) * 3 + c]);
                }
            }
        }
    }

    @Test
    void exifOrientationAllEightOnSyntheticImage() {
        byte[] px = {1, 2, 3, 4, 5, 6}; // 3x2 L image: row 0 = 1 2 3, row 1 = 4 5 6
        byte[][] expected = {
            null,
            {1, 2, 3, 4, 5, 6},
            {3, 2, 1, 6, 5, 4},
            {6, 5, 4, 3, 2, 1},
            {4, 5, 6, 1, 2, 3},
            {1, 4, 2, 5, 3, 6},
            {4, 1, 5, 2, 6, 3}, // 6: rotate 90 degrees clockwise
            {6, 3, 5, 2, 4, 1},
            {3, 6, 2, 5, 1, 4},
        };
        ImagePreprocessor on = ImagePreprocessor.builder().applyExifOrientation(true).build();
        for (int o = 1; o <= 8; o++) {
            DecodedImage img = DecodedImage.ofBytes(3, 2, PixelMode.L, px, false, o);
            DecodedImage up = on.decode(ImageInput.of(img));
            assertEquals(o >= 5 ? 2 : 3, up.width(), "orientation " + o);
            assertArrayEquals(expected[o], up.data(), "orientation " + o);
        }
    }

    @Test
    void exifOrientationOptionOnFixtureJpegPixels() {
        JsonNode e = Fixtures.image("exif_orientation6");
        DecodedImage stored = Fixtures.referenceInput(e);
        DecodedImage tagged = DecodedImage.ofBytes(stored.width(), stored.height(), stored.mode(), stored.data(), false, 6);
        // Default: the tag is ignored, like the reference.
        assertArrayEquals(refValues("exif_orientation6"), ImagePreprocessor.clip().preprocess(tagged));
        // Option on: 451x300 becomes 300x451 portrait, so Resize gives 224x336 and the crop is vertical.
        ImagePreprocessor on = ImagePreprocessor.builder().applyExifOrientation(true).build();
        DecodedImage up = on.decode(ImageInput.of(tagged));
        assertEquals(300, up.width());
        assertEquals(451, up.height());
        // Bottom-left stored pixel becomes top-left.
        for (int c = 0; c < 3; c++) {
            assertEquals(stored.data()[(299 * 451) * 3 + c], up.data()[c]);
        }
    }

    @Test
    void batchParallelEqualsSequentialAndReference() {
        String[] names = {"clip_diagram", "astronaut", "chelsea", "coffee", "gray16", "palette_P", "tiny_7x5"};
        List<ImageInput> inputs = new ArrayList<>();
        for (String n : names) {
            inputs.add(ImageInput.of(file(n)));
        }
        float[] seq = ImagePreprocessor.builder().parallelism(1).build().preprocessBatch(inputs);
        ExecutorService ex = Executors.newFixedThreadPool(3);
        try {
            float[] par = ImagePreprocessor.builder().parallelism(3).executor(ex).build().preprocessBatch(inputs);
            assertArrayEquals(seq, par);
        } finally {
            ex.shutdownNow();
        }
        float[] common = ImagePreprocessor.builder().parallelism(4).build().preprocessBatch(inputs);
        assertArrayEquals(seq, common);
        int per = 3 * 224 * 224;
        for (int i = 0; i < names.length; i++) {
            assertArrayEquals(refValues(names[i]), java.util.Arrays.copyOfRange(seq, i * per, (i + 1) * per), names[i]);
        }
    }

    @Test
    void anExecutorThatRefusesTasksIsAClipException() throws Exception {
        ImageInput pixel = ImageInput.ofPixels(new byte[] {1, 2, 3}, 1, 1, PixelMode.RGB);
        List<ImageInput> inputs = List.of(pixel, pixel, pixel, pixel);
        // A shut-down pool rejects every task; RejectedExecutionException used to escape from preprocessBatch.
        ExecutorService closed = Executors.newSingleThreadExecutor();
        closed.shutdown();
        io.clip4j.ClipException e = assertThrows(io.clip4j.ClipException.class,
                () -> ImagePreprocessor.builder().parallelism(4).executor(closed).build().preprocessBatch(inputs));
        assertTrue(e.getMessage().contains("executor refused task 1 of 3"), e.getMessage());
        // Takes the first task, then throws: the task it took has finished when the call fails.
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.atomic.AtomicInteger taken = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.Executor once = r -> {
                if (taken.getAndIncrement() > 0) {
                    throw new IllegalStateException("broken executor");
                }
                pool.execute(r);
            };
            e = assertThrows(io.clip4j.ClipException.class,
                    () -> ImagePreprocessor.builder().parallelism(4).executor(once).build().decodeBatch(inputs));
            assertTrue(e.getMessage().contains("refused task 2 of 3") && e.getMessage().contains("broken executor"),
                    e.getMessage());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anExecutorThatDropsOrInlinesTasksStillFinishesTheBatch() throws Exception {
        List<ImageInput> inputs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            inputs.add(ImageInput.ofPixels(new byte[] {(byte) i, 2, 3, 4, 5, (byte) (7 * i)}, 2, 1, PixelMode.RGB));
        }
        float[] expected = ImagePreprocessor.builder().parallelism(1).build().preprocessBatch(inputs);
        // Accepts every task and never runs it, as shutdownNow() does with the tasks in its queue: the batch
        // used to wait for them forever.
        List<Runnable> dropped = new ArrayList<>();
        ImagePreprocessor dropping = ImagePreprocessor.builder().parallelism(4).executor(dropped::add).build();
        float[] got = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> dropping.preprocessBatch(inputs));
        assertArrayEquals(expected, got);
        assertEquals(3, dropped.size());
        dropped.forEach(Runnable::run); // running them late finds nothing left to do
        assertArrayEquals(expected, got);
        // Runs each task on the calling thread inside execute().
        ImagePreprocessor inline = ImagePreprocessor.builder().parallelism(4).executor(Runnable::run).build();
        assertArrayEquals(expected, inline.preprocessBatch(inputs));
        // A real pool shut down while the batch's tasks wait in its queue: a ClipException (refused) or the
        // full batch, never a hang.
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0,
                java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>());
        java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
        pool.execute(() -> {
            busy.countDown();
            java.util.concurrent.locks.LockSupport.parkNanos(Long.MAX_VALUE); // until shutdownNow() interrupts
        });
        busy.await();
        Thread stopper = new Thread(() -> {
            while (pool.getQueue().isEmpty()) {
                Thread.onSpinWait();
            }
            pool.shutdownNow();
        });
        stopper.start();
        ImagePreprocessor onPool = ImagePreprocessor.builder().parallelism(4).executor(pool).build();
        float[] result = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try {
                return onPool.preprocessBatch(inputs);
            } catch (io.clip4j.ClipException e) {
                assertTrue(e.getMessage().contains("refused"), e.getMessage());
                return expected;
            }
        });
        assertArrayEquals(expected, result);
        stopper.join();
    }

    @Test
    void anInterruptedCallerStopsTheBatchAndKeepsItsInterruptStatus() {
        ImageInput pixel = ImageInput.ofPixels(new byte[] {1, 2, 3}, 1, 1, PixelMode.RGB);
        List<ImageInput> inputs = List.of(pixel, pixel, pixel, pixel);
        for (int parallelism : new int[] {1, 4}) {
            ImagePreprocessor p = ImagePreprocessor.builder().parallelism(parallelism).build();
            Thread.currentThread().interrupt();
            try {
                io.clip4j.ClipException e = assertThrows(io.clip4j.ClipException.class, () -> p.decodeBatch(inputs));
                assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
                assertTrue(Thread.currentThread().isInterrupted());
            } finally {
                Thread.interrupted();
            }
            assertEquals(4, p.decodeBatch(inputs).size()); // the status cleared, the preprocessor works again
        }
    }

    @Test
    void batchFailureNamesTheInput() {
        List<ImageInput> inputs = List.of(ImageInput.of(file("astronaut")), ImageInput.of(file("coffee")),
                ImageInput.ofEncoded(new byte[] {1, 2, 3, 4, 5}, "garbage.bin"), ImageInput.of(file("chelsea")));
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> ImagePreprocessor.builder().parallelism(2).build().preprocessBatch(inputs));
        assertTrue(e.getMessage().contains("batch input 3 of 4") && e.getMessage().contains("garbage.bin"), e.getMessage());
    }

    @Test
    void nullInputsAndReusedStreamsAreNamed() throws Exception {
        List<ImageInput> withNull = java.util.Arrays.asList(ImageInput.of(file("astronaut")), null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImagePreprocessor.clip().preprocessBatch(withNull));
        assertEquals("images[1] is null", e.getMessage());
        ImageInput once = ImageInput.of(new ByteArrayInputStream(Files.readAllBytes(file("horse"))), "horse stream");
        assertArrayEquals(refValues("horse"), ImagePreprocessor.clip().preprocessBatch(List.of(once)));
        ImageDecodeException again = assertThrows(ImageDecodeException.class,
                () -> ImagePreprocessor.clip().preprocessBatch(List.of(once)));
        assertTrue(again.getMessage().startsWith("horse stream: this stream input was already read"), again.getMessage());
    }

    @Test
    void decodeBatchThenPixelValuesGivesTheReference() {
        String[] names = {"clip_diagram", "gray16", "palette_P", "exif_orientation6", "tiny_1x1"};
        List<ImageInput> inputs = new ArrayList<>();
        for (String n : names) {
            inputs.add(ImageInput.of(file(n)));
        }
        ImagePreprocessor pre = ImagePreprocessor.builder().parallelism(3).build();
        List<DecodedImage> decoded = pre.decodeBatch(inputs);
        assertEquals(names.length, decoded.size());
        for (int i = 0; i < names.length; i++) {
            assertArrayEquals(refValues(names[i]), pre.pixelValues(decoded.get(i)), names[i]);
        }
        // With EXIF rotation on, decodeBatch rotates once and pixelValues does not rotate again.
        ImagePreprocessor exif = ImagePreprocessor.builder().applyExifOrientation(true).build();
        DecodedImage rotated = exif.decodeBatch(List.of(ImageInput.of(file("exif_orientation6")))).get(0);
        assertArrayEquals(exif.preprocess(ImageInput.of(file("exif_orientation6"))), exif.pixelValues(rotated));
        assertArrayEquals(new float[] {0.48145466f, 0.4578275f, 0.40821073f}, pre.mean());
        assertArrayEquals(new float[] {0.26862954f, 0.26130258f, 0.27577711f}, pre.std());
        List<ImageInput> bad = List.of(ImageInput.of(file("coffee")), ImageInput.ofEncoded(new byte[] {9, 9}, "x.bin"));
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> pre.decodeBatch(bad));
        assertTrue(e.getMessage().contains("batch input 2 of 2") && e.getMessage().contains("x.bin"), e.getMessage());
        // A range decodes just that part; a failure is placed in the whole list.
        List<DecodedImage> tail = pre.decodeBatch(inputs, 3, 5);
        assertEquals(2, tail.size());
        assertArrayEquals(refValues("tiny_1x1"), pre.pixelValues(tail.get(1)));
        List<ImageInput> longer = new ArrayList<>(inputs);
        longer.add(ImageInput.ofEncoded(new byte[] {9, 9}, "y.bin"));
        e = assertThrows(ImageDecodeException.class, () -> pre.decodeBatch(longer, 4, 6));
        assertTrue(e.getMessage().contains("batch input 6 of 6") && e.getMessage().contains("y.bin"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> pre.decodeBatch(inputs, 2, 9));
    }

    @Test
    void garbageBytesNameFormatAndFirstBytes() {
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> ImagePreprocessor.clip().preprocess(new byte[] {0x13, 0x37, 0x00, 0x42}));
        assertTrue(e.getMessage().contains("unknown image format") && e.getMessage().contains("13 37 00 42"), e.getMessage());
        ImageDecodeException jpeg = assertThrows(ImageDecodeException.class, () -> ImagePreprocessor.builder()
                .decoders(ImageDecoders.of(List.of(new PngDecoder()))).build().preprocess(file("jpeg_q90")));
        assertTrue(jpeg.getMessage().contains("JPEG") && jpeg.getMessage().contains("jpeg_q90.jpg"), jpeg.getMessage());
        assertThrows(ImageDecodeException.class, () -> ImagePreprocessor.clip().preprocess(new byte[0]));
        assertThrows(ImageDecodeException.class, () -> ImagePreprocessor.clip().preprocess(Path.of("/nonexistent/x.png")));
    }

    @Test
    void pixelLimitOptionAppliesToDecodedAndEncodedInputs() {
        ImagePreprocessor small = ImagePreprocessor.builder().maxPixels(512 * 511).build();
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> small.preprocess(file("astronaut")));
        assertTrue(e.getMessage().contains("astronaut.png") && e.getMessage().contains("limit"), e.getMessage());
        assertThrows(ImageDecodeException.class, () -> small.preprocessPixels(new byte[512 * 512 * 3], 512, 512, PixelMode.RGB));
        ImagePreprocessor tinyFiles = ImagePreprocessor.builder().maxFileBytes(1000).build();
        assertThrows(ImageDecodeException.class, () -> tinyFiles.preprocess(file("astronaut")));
    }

    /** A path whose size reads 0 but never ends (a device) is read only up to the file limit. */
    @Test
    void endlessDeviceFileStopsAtTheFileLimit() {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(java.nio.file.Path.of("/dev/zero")),
                "needs /dev/zero (Linux, macOS)");
        ImagePreprocessor tinyFiles = ImagePreprocessor.builder().maxFileBytes(1 << 20).build();
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> tinyFiles.preprocess(ImageInput.of(java.nio.file.Path.of("/dev/zero"))));
        assertEquals("/dev/zero: file is longer than the limit of 1048576 bytes", e.getMessage());
    }

    @Test
    void directoryIsNamedAsSuch(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> ImagePreprocessor.clip().preprocess(ImageInput.of(dir)));
        assertEquals(dir + ": is a directory, not an image file", e.getMessage());
    }

    @Test
    void registryLoadsServiceDecodersAndExplicitOnesFirst() {
        List<String> names = new ArrayList<>();
        for (ImageDecoder d : ImageDecoders.defaults().decoders()) {
            names.add(d.name());
        }
        assertTrue(names.containsAll(List.of("png (java)", "gif (java)", "bmp (java)")), names.toString());
        ImageDecoder fake = new ImageDecoder() {
            @Override
            public boolean canDecode(byte[] header) {
                return header.length > 0 && header[0] == (byte) 0x89;
            }

            @Override
            public DecodedImage decode(byte[] file, long maxPixels) {
                return DecodedImage.ofBytes(1, 1, PixelMode.RGB, new byte[] {(byte) 200, 30, 90}, false, 1);
            }

            @Override
            public String name() {
                return "fake";
            }
        };
        ImagePreprocessor p = ImagePreprocessor.builder().decoders(ImageDecoders.defaults().with(fake)).build();
        // The fake claims PNGs and returns tiny_1x1's pixel for every one of them.
        assertArrayEquals(refValues("tiny_1x1"), p.preprocess(file("astronaut")));
    }

    @Test
    void awtBridge() {
        DecodedImage d = Fixtures.referenceInput(Fixtures.image("tiny_7x5"));
        java.awt.image.BufferedImage bi = new java.awt.image.BufferedImage(7, 5, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 7; x++) {
                int s = (y * 7 + x) * 3;
                bi.setRGB(x, y, ((d.data()[s] & 0xFF) << 16) | ((d.data()[s + 1] & 0xFF) << 8) | (d.data()[s + 2] & 0xFF));
            }
        }
        DecodedImage a = AwtImages.toDecodedImage(bi);
        assertEquals(PixelMode.RGB, a.mode());
        assertArrayEquals(refValues("tiny_7x5"), ImagePreprocessor.clip().preprocess(a));
    }

    @Test
    void awtBridgeReadsACmykJpegAsPillowDoes() throws Exception {
        // ImageIO reads a CMYK JPEG as a CMYK ComponentColorModel; through getRGB its ICC profile converted it, and
        // the pixel_values differed from the reference by up to 1.13. Its samples are Pillow's CMYK (inversion undone).
        java.awt.image.BufferedImage bi = javax.imageio.ImageIO.read(file("cmyk_jpeg").toFile());
        org.junit.jupiter.api.Assumptions.assumeTrue(bi != null, "this JDK's ImageIO cannot read CMYK JPEGs");
        DecodedImage d = AwtImages.toDecodedImage(bi);
        assertEquals(PixelMode.CMYK, d.mode());
        assertArrayEquals(refValues("cmyk_jpeg"), ImagePreprocessor.clip().preprocess(d));
    }

    @Test
    void awtBridgeReadsGrayAnd16BitImagesAsPillowReadsThePng() throws Exception {
        // ImageIO gives TYPE_USHORT_GRAY for gray16.png and a 16-bit TYPE_CUSTOM for rgb16.png; through getRGB the
        // gray was brightened as linear light (every value of gray16 differed) and 16 bits rounded to 8 where
        // Pillow keeps the high byte (rgb16 differed by up to 2 levels).
        for (String name : new String[] {"gray16", "rgb16", "gray_L"}) {
            java.awt.image.BufferedImage bi = javax.imageio.ImageIO.read(file(name).toFile());
            assertArrayEquals(refValues(name), ImagePreprocessor.clip().preprocess(AwtImages.toDecodedImage(bi)), name);
        }
        // 8-bit gray with alpha (TYPE_CUSTOM, as ImageIO reads such a PNG) is LA with its samples unchanged.
        java.awt.image.ComponentColorModel cm = new java.awt.image.ComponentColorModel(
                java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_GRAY), true, false,
                java.awt.Transparency.TRANSLUCENT, java.awt.image.DataBuffer.TYPE_BYTE);
        java.awt.image.BufferedImage la = new java.awt.image.BufferedImage(cm, cm.createCompatibleWritableRaster(2, 1),
                false, null);
        la.getRaster().setPixels(0, 0, 2, 1, new int[] {128, 255, 50, 100});
        DecodedImage d = AwtImages.toDecodedImage(la);
        assertEquals(PixelMode.LA, d.mode());
        assertArrayEquals(new byte[] {(byte) 128, (byte) 255, 50, 100}, d.data());
        // 16-bit gray with alpha: RGBA of the high bytes, as Pillow's LA;16B.
        java.awt.image.ComponentColorModel cm16 = new java.awt.image.ComponentColorModel(
                java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_GRAY), true, false,
                java.awt.Transparency.TRANSLUCENT, java.awt.image.DataBuffer.TYPE_USHORT);
        java.awt.image.BufferedImage la16 = new java.awt.image.BufferedImage(cm16,
                cm16.createCompatibleWritableRaster(1, 1), false, null);
        la16.getRaster().setPixels(0, 0, 1, 1, new int[] {0x8012, 0xFF34});
        d = AwtImages.toDecodedImage(la16);
        assertEquals(PixelMode.RGBA, d.mode());
        assertArrayEquals(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0xFF}, d.data());
    }
}
