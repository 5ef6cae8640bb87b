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
     * @throws NullPointerException if an argument or a template is null
     * @throws io.clip4j.ClipException if the set has no examples (its accuracy would read as 0)
     */
    public ZeroShotAccuracy(LabeledDataset dataset, List<String> templates) {
        this.dataset = Objects.requireNonNull(dataset, "dataset");
        this.templates = List.copyOf(Objects.requireNonNull(templates, "templates"));
        if (dataset.size() == 0) {
            // Why: an empty held-out set (a --eval-limit of 0, a filter that matched nothing) was logged as a
            // zero-shot accuracy of 0 at every evaluation, as if the model had learnt nothing.
            throw new io.clip4j.ClipException(dataset.name() + ": no examples to evaluate zero-shot accuracy on");
        }
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
     * @throws NullPointerException if {@code model} is null
     * @throws io.clip4j.ClipException if an image cannot be read or the model fails
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
        return (double) correct / dataset.size();
    }

    @Override
    public Map<String, Double> evaluate(ClipModel model, long step) {
        return Map.of("zero_shot_top1/" + dataset.name(), accuracy(model));
    }
}
