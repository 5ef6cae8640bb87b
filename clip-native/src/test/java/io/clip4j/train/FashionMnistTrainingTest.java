package io.clip4j.train;

import io.clip4j.ClipConfig;
import io.clip4j.ClipModel;
import io.clip4j.data.CaptionedImages;
import io.clip4j.data.ContrastiveBatches;
import io.clip4j.data.IdxDataset;
import io.clip4j.data.LabeledDataset;
import io.clip4j.image.ImagePreprocessor;
import io.clip4j.text.ClipTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end on real data: a tiny ViT CLIP trained from scratch on 1200 Fashion-MNIST images with prompt
 * captions gains zero-shot accuracy on 300 held-out images; the exported checkpoint loads through
 * {@link ClipModel#load} and classifies the same way.
 */
class FashionMnistTrainingTest {
    private static final List<String> TRAIN_TEMPLATES = List.of("a photo of a {}.", "a picture of a {}.", "a {}.",
            "a black and white photo of a {}.");
    private static final List<String> EVAL_TEMPLATES = List.of("a photo of a {}.");

    static Path resource(String name) {
        try {
            return Path.of(FashionMnistTrainingTest.class.getResource("/fashion-mnist-subset/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void trainingFromScratchImprovesZeroShotAccuracy(@TempDir Path out) throws Exception {
        LabeledDataset all = IdxDataset.read(resource("t10k-images-idx3-ubyte.gz"),
                resource("t10k-labels-idx1-ubyte.gz"), IdxDataset.FASHION_MNIST_CLASSES, "fashion-mnist");
        assertEquals(1500, all.size());
        LabeledDataset train = new LabeledDataset("train", all.classNames(), all.examples().subList(0, 1200));
        LabeledDataset heldOut = new LabeledDataset("held-out", all.classNames(), all.examples().subList(1200, 1500));

        ClipConfig config = new ClipConfig(64, 32, new int[]{2}, 64, 8, 16, 49408, 64, 1, 1, 1);
        long seed = 42;
        Trainer.setThreads(1);
        ZeroShotAccuracy eval = new ZeroShotAccuracy(heldOut, EVAL_TEMPLATES);
        ContrastiveBatches batches = new ContrastiveBatches(CaptionedImages.fromLabels(train, TRAIN_TEMPLATES, seed), 32,
                seed, ImagePreprocessor.clip(config.imageResolution()),
                ClipTokenizer.create().withContextLength(config.contextLength()), null);
        TrainOptions options = TrainOptions.builder().totalSteps(300).learningRate(1e-3).warmupSteps(20)
                .weightDecay(0.1).build();
        try (TrainableClip model = TrainableClip.initialize(config, seed);
             Trainer trainer = new Trainer(model, options)) {
            double before = eval.accuracy(model.asClipModel());
            TrainingRun.Summary s = TrainingRun.run(trainer, batches, List.of(eval),
                    new TrainingRun.Settings(0, 0, out, CheckpointPrecision.FLOAT32, Map.of("seed", seed)),
                    new TrainListener() { });
            double after = s.metrics().get("zero_shot_top1/held-out");
            System.out.printf("fashion-mnist zero-shot top-1: before %.3f, after %.3f; %.1f images/s; loss %.3f%n",
                    before, after, s.imagesPerSecond(), s.lastLoss());
            assertEquals(300, s.steps());
            assertTrue(after > before + 0.2, "accuracy " + before + " -> " + after);

            // The exported checkpoint is read by the inference engine and gives the same accuracy.
            assertTrue(Files.isRegularFile(out.resolve(TrainingRun.MODEL_FILE)));
            try (ClipModel loaded = ClipModel.load(out.resolve(TrainingRun.MODEL_FILE))) {
                assertEquals(config, loaded.config());
                assertEquals(after, eval.accuracy(loaded), 1e-9);
            }
        }
    }
}
