package io.clip4j.zeroshot;

import java.util.List;
import java.util.Objects;

/**
 * Prompt templates for zero-shot classification (CLIP paper, section 3.1.4 "Prompt engineering and
 * ensembling"). A template holds one {@code {}} where the class name goes.
 */
public final class PromptTemplates {
    /** The single default prompt template of the paper: {@code "a photo of a {}."}. */
    public static final String PHOTO_OF_A = "a photo of a {}.";

    /**
     * The 80 ImageNet prompt templates of the CLIP repository's prompt-engineering notebook
     * ({@code notebooks/Prompt_Engineering_for_ImageNet.ipynb}), in notebook order. Averaging the
     * normalised text_features of all 80 per class is the paper's prompt ensembling.
     */
    public static final List<String> IMAGENET_80 = List.of(
            "a bad photo of a {}.",
            "a photo of many {}.",
            "a sculpture of a {}.",
            "a photo of the hard to see {}.",
            "a low resolution photo of the {}.",
            "a rendering of a {}.",
            "graffiti of a {}.",
            "a bad photo of the {}.",
            "a cropped photo of the {}.",
            "a tattoo of a {}.",
            "the embroidered {}.",
            "a photo of a hard to see {}.",
            "a bright photo of a {}.",
            "a photo of a clean {}.",
            "a photo of a dirty {}.",
            "a dark photo of the {}.",
            "a drawing of a {}.",
            "a photo of my {}.",
            "the plastic {}.",
            "a photo of the cool {}.",
            "a close-up photo of a {}.",
            "a black and white photo of the {}.",
            "a painting of the {}.",
            "a painting of a {}.",
            "a pixelated photo of the {}.",
            "a sculpture of the {}.",
            "a bright photo of the {}.",
            "a cropped photo of a {}.",
            "a plastic {}.",
            "a photo of the dirty {}.",
            "a jpeg corrupted photo of a {}.",
            "a blurry photo of the {}.",
            "a photo of the {}.",
            "a good photo of the {}.",
            "a rendering of the {}.",
            "a {} in a video game.",
            "a photo of one {}.",
            "a doodle of a {}.",
            "a close-up photo of the {}.",
            "a photo of a {}.",
            "the origami {}.",
            "the {} in a video game.",
            "a sketch of a {}.",
            "a doodle of the {}.",
            "a origami {}.",
            "a low resolution photo of a {}.",
            "the toy {}.",
            "a rendition of the {}.",
            "a photo of the clean {}.",
            "a photo of a large {}.",
            "a rendition of a {}.",
            "a photo of a nice {}.",
            "a photo of a weird {}.",
            "a blurry photo of a {}.",
            "a cartoon {}.",
            "art of a {}.",
            "a sketch of the {}.",
            "a embroidered {}.",
            "a pixelated photo of a {}.",
            "itap of the {}.",
            "a jpeg corrupted photo of the {}.",
            "a good photo of a {}.",
            "a plushie {}.",
            "a photo of the nice {}.",
            "a photo of the small {}.",
            "a photo of the weird {}.",
            "the cartoon {}.",
            "art of the {}.",
            "a drawing of the {}.",
            "a photo of the large {}.",
            "a black and white photo of a {}.",
            "the plushie {}.",
            "a dark photo of a {}.",
            "itap of a {}.",
            "graffiti of the {}.",
            "a toy {}.",
            "itap of my {}.",
            "a photo of a cool {}.",
            "a photo of a small {}.",
            "a tattoo of the {}.");

    private PromptTemplates() {
    }

    /**
     * Fills a prompt template with a class name: the reference's {@code template.format(classname)} for templates
     * whose only braces are the one {@code {}}. Other braces are kept as they are: unlike Python's
     * {@code str.format}, <code>&#123;&#123;</code> and <code>&#125;&#125;</code> are not escapes, and
     * {@code {0}} or {@code {name}} is not a placeholder.
     *
     * @param template text with exactly one {@code {}} placeholder
     * @param label    the class name, inserted verbatim
     * @return the prompt
     * @throws NullPointerException     if {@code template} or {@code label} is null
     * @throws IllegalArgumentException if the template has no {@code {}} or more than one
     */
    public static String fill(String template, String label) {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(label, "label");
        int at = template.indexOf("{}");
        if (at < 0 || template.indexOf("{}", at + 2) >= 0) {
            throw new IllegalArgumentException("a prompt template needs exactly one {} placeholder: \""
                    + io.clip4j.text.MessageText.printable(template, 60) + "\"");
        }
        return template.substring(0, at) + label + template.substring(at + 2);
    }
}
