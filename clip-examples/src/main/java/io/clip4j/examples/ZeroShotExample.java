package io.clip4j.examples;

import io.clip4j.ClipModel;
import io.clip4j.image.ImageInput;
import io.clip4j.zeroshot.Prediction;
import io.clip4j.zeroshot.PromptTemplates;
import io.clip4j.zeroshot.ZeroShotClassifier;
import io.clip4j.zeroshot.ZeroShotResult;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Zero-shot classification of one image (CLIP paper section 3.1): each label is put into the 80 ImageNet
 * prompt templates, the prompts' text_features are averaged per label (prompt ensembling, section 3.1.4),
 * and the image's softmax over labels is printed, best first.
 *
 * <pre>ZeroShotExample MODEL IMAGE LABEL [LABEL...]</pre>
 */
public final class ZeroShotExample {
    private ZeroShotExample() {
    }

    /**
     * Prints the probability of each label for one image, best first.
     *
     * @param args checkpoint, image file, then at least one label
     */
    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: ZeroShotExample MODEL IMAGE LABEL [LABEL...]");
            System.exit(2);
        }
        List<String> labels = Arrays.asList(args).subList(2, args.length);
        run(Path.of(args[0]), Path.of(args[1]), labels, PromptTemplates.IMAGENET_80, System.out);
    }

    /**
     * Classifies and prints one line per label: {@code label probability logit}.
     *
     * @param model     checkpoint path
     * @param image     image file
     * @param labels    class names, at least one, no duplicates
     * @param templates prompt templates, each with one {@code {}}
     * @param out       where to print
     * @return the result, labels ranked by probability
     * @throws io.clip4j.ClipException if the model or image cannot be read
     */
    public static ZeroShotResult run(Path model, Path image, List<String> labels, List<String> templates,
                                     PrintStream out) {
        try (ClipModel clip = ClipModel.load(model)) {
            ZeroShotClassifier classifier = clip.classifier(labels, templates); // reusable for many images
            ZeroShotResult result = classifier.classify(ImageInput.of(image));
            for (Prediction p : result.predictions()) {
                out.printf(Locale.ROOT, "%-20s %7.4f %9.4f%n", p.label(), p.probability(), p.logit());
            }
            return result;
        }
    }
}
