package io.clip4j.train;

import io.clip4j.ClipConfig;
import io.clip4j.data.CaptionedImages;
import io.clip4j.data.ContrastiveBatches;
import io.clip4j.data.IdxDataset;
import io.clip4j.data.LabeledDataset;
import io.clip4j.image.ImagePreprocessor;
import io.clip4j.text.ClipTokenizer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.clip4j.train.FashionMnistTrainingTest.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@link TrainingRun#run} reports. */
class TrainingRunTest {
    @Test
    void throughputCountsTheStepsNotTheEvaluations() throws Exception {
        // The summary's images/s included the final evaluation and save, so a slow evaluation set made training
        // look slow. Here the evaluation alone takes about 1.5 s, far longer than the three tiny steps.
        LabeledDataset all = IdxDataset.read(resource("t10k-images-idx3-ubyte.gz"),
                resource("t10k-labels-idx1-ubyte.gz"), IdxDataset.FASHION_MNIST_CLASSES, "fashion-mnist");
        LabeledDataset train = new LabeledDataset("train", all.classNames(), all.examples().subList(0, 64));
        ClipConfig config = new ClipConfig(32, 16, new int[]{1}, 32, 8, 16, 49408, 32, 1, 1, 1);
        ContrastiveBatches batches = new ContrastiveBatches(
                CaptionedImages.fromLabels(train, List.of("a photo of a {}."), 1), 8, 1,
                ImagePreprocessor.clip(config.imageResolution()),
                ClipTokenizer.create().withContextLength(config.contextLength()), null);
        EvalHook slow = (model, step) -> {
            try {
                Thread.sleep(1500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Map.of("slow", 1.0);
        };
        try (TrainableClip model = TrainableClip.initialize(config, 1);
             Trainer trainer = new Trainer(model, TrainOptions.builder().totalSteps(3).build())) {
            TrainingRun.Summary s = TrainingRun.run(trainer, batches, List.of(slow),
                    new TrainingRun.Settings(0, 0, null, CheckpointPrecision.FLOAT32, Map.of()),
                    new TrainListener() { });
            assertEquals(3, s.steps());
            assertTrue(s.seconds() >= 1.5, "wall time " + s.seconds());
            double wholeCall = 3 * 8 / s.seconds();
            assertTrue(s.imagesPerSecond() > 2 * wholeCall, s.imagesPerSecond() + " images/s of training, "
                    + wholeCall + " over the whole call");
        }
    }

    @Test
    void nullArgumentsAreRefusedBeforeTheFirstStep() throws Exception {
        // A null hook list was dereferenced only after the last step (the whole run's time lost to a typo), a null
        // listener after the first; a hook returning null ended in an unexplained NullPointerException.
        LabeledDataset all = IdxDataset.read(resource("t10k-images-idx3-ubyte.gz"),
                resource("t10k-labels-idx1-ubyte.gz"), IdxDataset.FASHION_MNIST_CLASSES, "fashion-mnist");
        LabeledDataset train = new LabeledDataset("train", all.classNames(), all.examples().subList(0, 16));
        ClipConfig config = new ClipConfig(32, 16, new int[]{1}, 32, 8, 16, 49408, 32, 1, 1, 1);
        ContrastiveBatches batches = new ContrastiveBatches(
                CaptionedImages.fromLabels(train, List.of("a photo of a {}."), 1), 4, 1,
                ImagePreprocessor.clip(config.imageResolution()),
                ClipTokenizer.create().withContextLength(config.contextLength()), null);
        TrainingRun.Settings settings = new TrainingRun.Settings(0, 0, null, CheckpointPrecision.FLOAT32, Map.of());
        TrainListener quiet = new TrainListener() { };
        try (TrainableClip model = TrainableClip.initialize(config, 1);
             Trainer trainer = new Trainer(model, TrainOptions.builder().totalSteps(2).build())) {
            assertEquals("hooks", assertThrows(NullPointerException.class,
                    () -> TrainingRun.run(trainer, batches, null, settings, quiet)).getMessage());
            assertEquals("listener", assertThrows(NullPointerException.class,
                    () -> TrainingRun.run(trainer, batches, List.of(), settings, null)).getMessage());
            assertEquals("data", assertThrows(NullPointerException.class,
                    () -> TrainingRun.run(trainer, null, List.of(), settings, quiet)).getMessage());
            assertEquals(0, trainer.completedSteps());
            EvalHook broken = (m, step) -> null;
            NullPointerException e = assertThrows(NullPointerException.class,
                    () -> TrainingRun.run(trainer, batches, List.of(broken), settings, quiet));
            assertTrue(e.getMessage().endsWith("returned null"), e.getMessage());
        }
        assertEquals("metadata", assertThrows(NullPointerException.class,
                () -> new TrainingRun.Settings(0, 0, null, CheckpointPrecision.FLOAT32, null)).getMessage());
    }
}
