package io.clip4j.examples;

import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.SimilarityResult;
import io.clip4j.image.ImageInput;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The reference {@code CLIP.forward}: image_features and text_features, then
 * {@code logits_per_image = logit_scale.exp() * cos(image, text)} and its softmax over the texts.
 *
 * <pre>SimilarityExample MODEL IMAGE... -- TEXT...</pre>
 */
public final class SimilarityExample {
    private SimilarityExample() {
    }

    /**
     * Prints logits_per_image and each image's most probable text.
     *
     * @param args checkpoint, image files, {@code --}, texts
     */
    public static void main(String[] args) {
        int sep = List.of(args).indexOf("--");
        if (args.length < 4 || sep < 2 || sep == args.length - 1) {
            System.err.println("usage: SimilarityExample MODEL IMAGE... -- TEXT...");
            System.exit(2);
        }
        List<Path> images = new ArrayList<>();
        for (int i = 1; i < sep; i++) {
            images.add(Path.of(args[i]));
        }
        run(Path.of(args[0]), images, List.of(args).subList(sep + 1, args.length), System.out);
    }

    /**
     * Prints the matrix of logits_per_image, one row per image, with each row's most probable text.
     *
     * @param model  checkpoint path
     * @param images image files, at least one
     * @param texts  texts, at least one
     * @param out    where to print
     * @return logits_per_image {@code [images, texts]} and probs
     * @throws io.clip4j.ClipException if the model or an image cannot be read
     */
    public static SimilarityResult run(Path model, List<Path> images, List<String> texts, PrintStream out) {
        try (ClipModel clip = ClipModel.load(model)) {
            List<ImageInput> inputs = new ArrayList<>();
            images.forEach(p -> inputs.add(ImageInput.of(p)));
            Features imageFeatures = clip.encodeImages(inputs); // [n_images, embed_dim], not normalised
            Features textFeatures = clip.encodeTexts(texts);    // [n_texts, embed_dim]
            SimilarityResult s = SimilarityResult.of(imageFeatures, textFeatures, clip.logitScale());
            float[] logits = s.logitsPerImage();
            float[] probs = s.probs();
            for (int i = 0; i < images.size(); i++) {
                StringBuilder row = new StringBuilder(images.get(i).getFileName().toString()).append(':');
                int best = 0;
                for (int t = 0; t < texts.size(); t++) {
                    row.append(String.format(Locale.ROOT, " %.4f", logits[i * texts.size() + t]));
                    best = probs[i * texts.size() + t] > probs[i * texts.size() + best] ? t : best;
                }
                out.println(row + "  -> \"" + texts.get(best) + "\"");
            }
            return s;
        }
    }
}
