package io.clip4j.checkpoint;

import io.clip4j.ClipConfig;

/**
 * Guards a configuration inferred from tensors alone (a bare state dict): its heads follow the reference rule
 * {@code width / 64}, which tensor shapes cannot confirm. Models known to break that rule would load and give
 * silently wrong features, so they are refused with what to load instead.
 */
final class ReferenceRules {
    /**
     * ViT widths of open_clip's published models whose heads are not 64 wide ({@code src/open_clip/model_configs}):
     * 1280 ViT-H (head_width 80), 1408 ViT-g (88), 1664 ViT-bigG (104), 1792 ViT-e (112). None of OpenAI's nine
     * models (768, 1024) nor clip4j's trainer presets use them.
     */
    private static final int[] WIDTHS = {1280, 1408, 1664, 1792};
    private static final int[] HEAD_WIDTHS = {80, 88, 104, 112};
    private static final String[] NAMES = {"ViT-H", "ViT-g", "ViT-bigG", "ViT-e"};

    private ReferenceRules() {
    }

    /**
     * A configuration inferred from a bare state dict.
     *
     * @param source the checkpoint, for the message
     * @param c      the configuration inferred from its tensors
     * @return {@code c}
     * @throws CheckpointException if the MLP widths are not {@code 4 * width} or the ViT width is one of open_clip's
     *                             with heads other than 64 wide
     */
    static ClipConfig require(String source, ClipConfig c) {
        return require(source, c, " Its heads cannot be read from the weights, and width / 64 would give silently"
                + " wrong features; load the Hugging Face directory (config.json) or the open_clip directory"
                + " (open_clip_config.json) the weights come with, whose configuration names the heads. A weights file"
                + " without one (e.g. downloaded alone from a URL): name it open_clip_pytorch_model.bin (torch archive)"
                + " or open_clip_model.safetensors and put beside it an open_clip_config.json holding"
                + " {\"model_cfg\": ...} with the model's configuration (open_clip's"
                + " src/open_clip/model_configs/<name>.json, e.g. ViT-H-14.json); clip4j then reads the file with that"
                + " configuration.");
    }

    /**
     * {@link #require(String, ClipConfig)} for a configuration about to be trained: the same rules, with a message
     * saying that the weights training writes would be refused.
     *
     * @param source what {@code c} describes, for the message
     * @param c      the configuration
     * @return {@code c}
     * @throws CheckpointException as {@link #require(String, ClipConfig)}
     */
    static ClipConfig requireForTraining(String source, ClipConfig c) {
        // "choose another width" alone was no advice for a checkpoint being fine-tuned, whose widths are given.
        return require(source, c, " The bare weights training writes cannot record heads, so loading them would be"
                + " refused; train a model of another width (a checkpoint of these sizes cannot be fine-tuned).");
    }

    private static ClipConfig require(String source, ClipConfig c, String fix) {
        if (!c.hasReferenceMlpWidths()) {
            throw new CheckpointException(source + ": MLP widths (vision " + c.visionMlpWidth() + " for width "
                    + c.visionWidth() + ", text " + c.transformerMlpWidth() + " for width " + c.transformerWidth()
                    + ") are not 4 x width, which the reference build_model assumes; such models (open_clip's ViT-g,"
                    + " ViT-bigG) have heads that are not width / 64." + fix);
        }
        if (c.isVit()) {
            for (int i = 0; i < WIDTHS.length; i++) {
                int w = WIDTHS[i];
                if (c.visionWidth() == w) {
                    throw new CheckpointException(source + ": vision width " + w + " is that of open_clip's "
                            + NAMES[i] + ", whose heads are " + HEAD_WIDTHS[i] + " wide (" + w / HEAD_WIDTHS[i]
                            + " heads), not width / 64 = " + w / 64 + "." + fix);
                }
            }
        }
        return c;
    }
}
