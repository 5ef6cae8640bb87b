package io.clip4j.train;

import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.data.LabeledDataset;
import io.clip4j.data.LabeledImage;
import io.clip4j.image.ImageInput;
import io.clip4j.zeroshot.ZeroShotClassifier;
import io.clip4j.zeroshot.ZeroShotResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The minimal zero-shot evaluation hook of training (CLIP paper section 3.1.2): a classifier from the class
 * names in the prompt templates (ensembled), then top-1 accuracy over a labelled set. Full evaluation suites
 * live in {@code io.clip4j.eval}.
 */
public final class ZeroShotAccuracy implements EvalHook {
    private final LabeledDataset dataset;
    private final List<String> templates;
    private final List<ImageInput> images;

    /**
     * Creates the hook for a labelled set and prompt templates.
     *
     * @param dataset   labelled images to classify
     * @param templates prompt templates with one {@code {}} each
     */
    public ZeroShotAccuracy(LabeledDataset dataset, List<String> templates) {
        this.dataset = Objects.requireNonNull(dataset, "dataset");
        this.templates = List.copyOf(templates);
        List<ImageInput> imgs = new ArrayList<>(dataset.size());
        for (LabeledImage e : dataset.examples()) {
            imgs.add(e.image());
        }
        this.images = imgs;
    }

    /**
     * Measures a model's zero-shot top-1 accuracy on the labelled set.
     *
     * @param model any CLIP model
     * @return top-1 accuracy in [0, 1]
     */
    public double accuracy(ClipModel model) {
        ZeroShotClassifier classifier = ZeroShotClassifier.build(model, dataset.classNames(), templates);
        Features f = model.encodeImages(images);
        List<ZeroShotResult> results = classifier.classify(f);
        int correct = 0;
        for (int i = 0; i < results.size(); i++) {
            String truth = dataset.classNames().get(dataset.examples().get(i).label());
            if (results.get(i).top().label().equals(truth)) {
                correct++;
            }
        }
        return dataset.size() == 0 ? 0 : (double) correct / dataset.size();
    }

    @Override
    public Map<String, Double> evaluate(ClipModel model, long step) {
        return Map.of("zero_shot_top1/" + dataset.name(), accuracy(model));
    }
}
