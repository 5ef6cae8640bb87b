package io.clip4j.eval;

import io.clip4j.ClipConfig;
import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.data.LabeledDataset;
import io.clip4j.data.LabeledImage;
import io.clip4j.image.ImageDecodeException;
import io.clip4j.image.ImageInput;
import io.clip4j.image.PixelMode;
import io.clip4j.spi.AbstractClipModel;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An image an evaluation cannot decode is named by its place in the whole set, not in a chunk or batch of it. */
class DecodeFailuresTest {
    private static final ClipConfig CONFIG = new ClipConfig(4, 32, new int[] {1}, 64, 16, 77, 49408, 64, 1, 1, 1);

    /** Every image and text gets the features [1, 2, 3, 4]; batches of 32 as the engines' default. */
    private static final class Constant extends AbstractClipModel {
        int pixelBatches;

        Constant() {
            super(CONFIG, ClipModel.builder(Path.of("unused")).batchSize(32));
        }

        @Override
        public float logitScale() {
            return 100f;
        }

        @Override
        public Features encodePixels(float[] pixelValues, int n) {
            pixelBatches++;
            return rows(n);
        }

        @Override
        public Features encodeTokens(long[] ids, int n) {
            return rows(n);
        }

        private static Features rows(int n) {
            float[] out = new float[n * 4];
            for (int i = 0; i < out.length; i++) {
                out[i] = i % 4 + 1;
            }
            return new Features(out, n, 4);
        }

        @Override
        public void close() {
        }
    }

    /** 100 small grey images; the 71st is three bytes of no known format. */
    private static LabeledDataset setWithJunkAt71() {
        List<LabeledImage> examples = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ImageInput image = i == 70 ? ImageInput.ofEncoded(new byte[] {1, 2, 3}, "junk.bin")
                    : ImageInput.ofPixels(new byte[8 * 8], 8, 8, PixelMode.L);
            examples.add(new LabeledImage(image, i % 2));
        }
        return new LabeledDataset("set", List.of("cat", "dog"), examples);
    }

    @Test
    void featuresForAProbeNameTheImageByItsPlaceInTheSet() {
        // In chunks of 64 and model batches of 32 it was "images 1 to 32 of 36: batch input 7 of 32: junk.bin: ...".
        Constant model = new Constant();
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> LabeledFeatures.encode(model, setWithJunkAt71(), 64));
        String why = assertThrows(ImageDecodeException.class,
                () -> model.preprocess(List.of(ImageInput.ofEncoded(new byte[] {1, 2, 3}, "junk.bin")))).getMessage();
        assertTrue(why.startsWith("junk.bin: "), why);
        assertEquals("image 71 of 100: " + why, e.getMessage());
        assertEquals(2, model.pixelBatches, "the failing chunk's images were only decoded again, not encoded");
    }

    @Test
    void streamInputsTheChunkAlreadyReadAreNotBlamed() throws java.io.IOException {
        // Images 65 to 70 are InputStream inputs, read by the failing chunk's call: decoded again one at a time they
        // fail as "already read", and the first of them (image 65) was named instead of junk.bin, image 71.
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_BYTE_GRAY),
                "png", png);
        List<LabeledImage> examples = new ArrayList<>(setWithJunkAt71().examples());
        for (int i = 64; i < 70; i++) {
            examples.set(i, new LabeledImage(ImageInput.of(new java.io.ByteArrayInputStream(png.toByteArray()),
                    "stream" + (i + 1)), i % 2));
        }
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> LabeledFeatures.encode(new Constant(), new LabeledDataset("set", List.of("cat", "dog"), examples),
                        64));
        assertTrue(e.getMessage().startsWith("image 71 of 100: junk.bin: "), e.getMessage());
    }

    @Test
    void zeroShotAccuracyNamesTheImageByItsPlaceInTheSet() {
        Constant model = new Constant();
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> ZeroShotEvaluator.evaluate(model, setWithJunkAt71(), List.of("a photo of a {}."), 64));
        assertTrue(e.getMessage().startsWith("image 71 of 100: junk.bin: "), e.getMessage());
        // A failure in the first chunk, which the model saw as a whole list, is restated the same way.
        ImageDecodeException first = assertThrows(ImageDecodeException.class,
                () -> ZeroShotEvaluator.evaluate(model, setWithJunkAt71(), List.of("a photo of a {}."), 128));
        assertTrue(first.getMessage().startsWith("image 71 of 100: junk.bin: "), first.getMessage());
    }

    @Test
    void aNullImageIsNamedByItsPlaceInTheWholeList() {
        Constant model = new Constant();
        List<ImageInput> images = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            images.add(ImageInput.ofPixels(new byte[8 * 8], 8, 8, PixelMode.L));
        }
        images.add(null);
        // In chunks of 2 it was the model's "images[1] is null", the index within the second chunk.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LabeledFeatures.encodeImages(model, images, 2));
        assertEquals("images[3] is null", e.getMessage());
        assertEquals(0, model.pixelBatches, "refused before any chunk is encoded");
        List<io.clip4j.data.ImageCaption> pairs = new ArrayList<>();
        pairs.add(new io.clip4j.data.ImageCaption(images.get(0), "a grey square"));
        pairs.add(null);
        assertEquals("pairs[1] is null", assertThrows(NullPointerException.class,
                () -> RetrievalEvaluator.evaluate(model, pairs, 2)).getMessage());
    }
}
