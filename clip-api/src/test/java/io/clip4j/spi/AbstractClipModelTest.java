package io.clip4j.spi;

import io.clip4j.ClipConfig;
import io.clip4j.ClipException;
import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.Precision;
import io.clip4j.image.ImageDecodeException;
import io.clip4j.image.ImageInput;
import io.clip4j.image.PixelMode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The batching of the engine base class, over an engine whose towers are arithmetic on their inputs. */
class AbstractClipModelTest {
    private static final ClipConfig CONFIG = new ClipConfig(4, 32, new int[] {1}, 64, 16, 77, 49408, 64, 1, 1, 1);

    /** Row i of a batch is {@code [first id or pixel + i, 1, 2, 3]}, or NaN at row {@code nanRow} of the whole run. */
    private static final class Arithmetic extends AbstractClipModel {
        final List<Integer> batchSizes = new ArrayList<>();
        int nanRow = -1;
        int zeroRow = -1;
        private int rowsSoFar;

        Arithmetic(int batchSize) {
            this(ClipModel.builder(Path.of("unused")).batchSize(batchSize));
        }

        Arithmetic(ClipModel.Builder options) {
            super(CONFIG, options);
        }

        @Override
        public float logitScale() {
            return 100f;
        }

        @Override
        public Features encodePixels(float[] pixelValues, int n) {
            return rows(n, pixelValues[0]);
        }

        @Override
        public Features encodeTokens(long[] ids, int n) {
            return rows(n, ids[1]);
        }

        private Features rows(int n, float first) {
            batchSizes.add(n);
            float[] out = new float[n * 4];
            for (int i = 0; i < n; i++, rowsSoFar++) {
                out[i * 4] = rowsSoFar == nanRow ? Float.NaN : first + rowsSoFar;
                out[i * 4 + 1] = 1;
                out[i * 4 + 2] = 2;
                out[i * 4 + 3] = 3;
                if (rowsSoFar == zeroRow) {
                    java.util.Arrays.fill(out, i * 4, i * 4 + 4, 0f);
                }
            }
            return new Features(out, n, 4);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void failuresInALaterBatchNameThePositionInTheWholeList() {
        Arithmetic m = new Arithmetic(4);
        List<String> texts = new ArrayList<>(Collections.nCopies(10, "a cat"));
        texts.set(9, null);
        // Checked before any batch runs, by position in the list: it was "texts[1] is null" after two batches.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.encodeTexts(texts));
        assertEquals("texts[9] is null", e.getMessage());
        List<ImageInput> images = new ArrayList<>(Collections.nCopies(6, ImageInput.ofPixels(new byte[3], 1, 1,
                PixelMode.RGB)));
        images.set(5, null);
        e = assertThrows(IllegalArgumentException.class, () -> m.encodeImages(images));
        assertEquals("images[5] is null", e.getMessage());
        assertEquals(List.of(), m.batchSizes);

        images.set(5, ImageInput.ofEncoded(new byte[] {1, 2, 3}, "junk.bin"));
        io.clip4j.image.ImageDecodeException d = assertThrows(io.clip4j.image.ImageDecodeException.class,
                () -> m.encodeImages(images));
        assertTrue(d.getMessage().startsWith("images 5 to 6 of 6: batch input 2 of 2: junk.bin"), d.getMessage());

    }

    @Test
    void imageLimitsOfTheBuilderReachThePreprocessor() {
        // 200 bytes of no known format: under the default limits the decoders see it, under 100 bytes they must not.
        byte[] notAnImage = new byte[200];
        ImageDecodeException plain = assertThrows(ImageDecodeException.class,
                () -> new Arithmetic(2).encodeImage(ImageInput.of(new java.io.ByteArrayInputStream(notAnImage), "up")));
        assertTrue(plain.getMessage().startsWith("up: unknown image format"), plain.getMessage());
        Arithmetic smallFiles = new Arithmetic(ClipModel.builder(Path.of("unused")).maxFileBytes(100));
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> smallFiles.encodeImage(ImageInput.of(new java.io.ByteArrayInputStream(notAnImage), "up")));
        assertEquals("up: stream is longer than the limit of 100 bytes", e.getMessage());
        Arithmetic fewPixels = new Arithmetic(ClipModel.builder(Path.of("unused")).maxPixels(15));
        e = assertThrows(ImageDecodeException.class,
                () -> fewPixels.encodeImage(ImageInput.ofPixels(new byte[4 * 4 * 3], 4, 4, PixelMode.RGB)));
        assertTrue(e.getMessage().contains("limit of 15"), e.getMessage());
        assertEquals(List.of(), smallFiles.batchSizes);
        assertThrows(IllegalArgumentException.class, () -> ClipModel.builder(Path.of("unused")).maxFileBytes(0));
    }

    @Test
    void singleNullInputIsRefusedNamingTheArgument() {
        Arithmetic m = new Arithmetic(2);
        NullPointerException e = assertThrows(NullPointerException.class, () -> m.encodeImage(null));
        assertEquals("image", e.getMessage());
        e = assertThrows(NullPointerException.class, () -> m.encodeText(null));
        assertEquals("text", e.getMessage());
        assertEquals(List.of(), m.batchSizes);
    }

    @Test
    void textsAreEncodedInBatchesAndStackedInOrder() {
        Arithmetic m = new Arithmetic(2);
        Features f = m.encodeTexts(List.of("a", "a", "a", "a", "a"));
        assertEquals(List.of(2, 2, 1), m.batchSizes);
        long a = m.tokenizer().encode("a")[0];
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(new float[] {a + i, 1, 2, 3}, f.row(i));
        }
        assertEquals(0, m.encodeTexts(List.of()).rows());
    }

    @Test
    void nonFiniteFeaturesAreTheModelsErrorNamingTheInput() {
        // They used to come back silently and make similarity() blame the caller with "non-finite logit".
        Arithmetic texts = new Arithmetic(2);
        texts.nanRow = 3;
        ClipException e = assertThrows(ClipException.class, () -> texts.encodeTexts(Collections.nCopies(5, "a")));
        assertEquals("text_features of text 3 contain NaN: the checkpoint's weights are probably not finite",
                e.getMessage());
        Arithmetic images = new Arithmetic(32);
        images.nanRow = 0;
        ImageInput gray = ImageInput.ofPixels(new byte[4], 2, 2, PixelMode.L);
        e = assertThrows(ClipException.class, () -> images.similarity(List.of(gray), List.of("a")));
        assertTrue(e.getMessage().startsWith("image_features of image 0 contain NaN"), e.getMessage());
        // Below float32 an activation may also have overflowed.
        Arithmetic half = new Arithmetic(ClipModel.builder(Path.of("unused")).precision(Precision.FLOAT16));
        half.nanRow = 1;
        e = assertThrows(ClipException.class, () -> half.encodeTexts(List.of("a", "b")));
        assertTrue(e.getMessage().endsWith("not finite, or a FLOAT16 activation overflowed (try Precision.FLOAT32)"),
                e.getMessage());
    }

    @Test
    void allZeroFeaturesAreTheModelsErrorToo() {
        // They normalised to zero, so every label got the same probability; the reference gives NaN.
        Arithmetic m = new Arithmetic(2);
        m.zeroRow = 2;
        ClipException e = assertThrows(io.clip4j.NonFiniteFeaturesException.class,
                () -> m.encodeTexts(Collections.nCopies(4, "a")));
        assertTrue(e.getMessage().startsWith("text_features of text 2 are all zeros"), e.getMessage());
    }

    @Test
    void resultsTooLargeForOneArrayAreRefusedBeforeEncoding() {
        // Integer.MAX_VALUE / 4 + 1 texts need 2^31 + 4 floats: a NegativeArraySizeException before.
        Arithmetic m = new Arithmetic(32);
        int n = Integer.MAX_VALUE / 4 + 1;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.encodeTexts(Collections.nCopies(n, "a")));
        assertTrue(e.getMessage().contains("text_features [" + n + ", 4] would hold"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> m.encodeImages(Collections.nCopies(n, ImageInput.ofPixels(new byte[1], 1, 1, PixelMode.L))));
        assertTrue(e.getMessage().contains("image_features [" + n + ", 4] would hold"), e.getMessage());
        assertEquals(List.of(), m.batchSizes);
    }
}
