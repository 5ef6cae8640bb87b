package io.clip4j.torch;

import io.clip4j.ClipConfig;
import io.clip4j.ClipException;
import org.bytedeco.pytorch.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The two CLIP towers as differentiable functions over caller-owned parameter tensors, for training: the
 * reference {@code CLIP.encode_image} and {@code CLIP.encode_text} built from the same layer classes as the
 * inference engine {@link TorchClip}, but with every parameter supplied by a {@link ParameterFactory} and used
 * as-is (not copied). Run outside {@code InferenceMode} with tensors that require grad, the forward passes
 * record the autograd graph; in-place parameter updates (an optimiser step) are seen by the next call.
 *
 * <p>BatchNorm layers of a ResNet tower always run in eval mode (running statistics are used and never
 * updated): the factory's {@code running_mean}/{@code running_var} tensors are constants.
 *
 * <p>The returned tensors are new Java peers: callers run inside a {@link org.bytedeco.javacpp.PointerScope}.
 * Not thread-safe (training is single-threaded at the Java level).
 */
public final class ClipTowers {
    private final ClipConfig config;
    private final VisionTower visual;
    private final TextTransformer text;
    private final Map<String, Tensor> tensors;

    private ClipTowers(ClipConfig config, VisionTower visual, TextTransformer text, Map<String, Tensor> tensors) {
        this.config = config;
        this.visual = visual;
        this.text = text;
        this.tensors = tensors;
    }

    /**
     * Builds both towers, asking {@code factory} for every tensor in build order (vision tower first, then the
     * text tower). {@code logit_scale} is not part of the towers and is not requested.
     *
     * @param config  the model's hyper-parameters (ViT or ResNet, any sizes the engine supports)
     * @param factory makes each tensor; its tensors must be float32 CPU tensors of the requested shape
     * @return the towers
     * @throws ClipException if the configuration cannot be built (e.g. a ResNet resolution not divisible by 32)
     *                       or the factory returns a tensor of another shape
     */
    public static ClipTowers build(ClipConfig config, ParameterFactory factory) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(factory, "factory");
        TorchClip.checkBuildable(config);
        NativeLibraries.ensureLoaded();
        Map<String, Tensor> seen = new LinkedHashMap<>();
        ParameterFactory recording = (name, shape) -> {
            Tensor t = factory.create(name, shape);
            seen.put(name, t);
            return t;
        };
        try (Weights w = new Weights("trainable " + config, recording)) {
            VisionTower visual = config.isVit() ? new VisionTransformer(w, config) : new ModifiedResNet(w, config);
            TextTransformer text = new TextTransformer(w, config);
            return new ClipTowers(config, visual, text, Collections.unmodifiableMap(seen));
        }
    }

    /** {@return the configuration the towers were built for} */
    public ClipConfig config() {
        return config;
    }

    /**
     * Returns every tensor of the towers by name.
     *
     * @return every tensor the towers use, by OpenAI name, in build order (parameters and BatchNorm running
     *         statistics); the same tensor objects the factory returned
     */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /**
     * The reference {@code CLIP.encode_image}.
     *
     * @param pixels float32 {@code [N, 3, S, S]}, S = image_resolution, CLIP-normalised pixel_values
     * @return image_features {@code [N, embed_dim]}, not normalised
     */
    public Tensor encodeImage(Tensor pixels) {
        return visual.apply(pixels, Taps.NONE);
    }

    /**
     * The reference {@code CLIP.encode_text}.
     *
     * @param ids int64 {@code [N, context_length]} token ids in {@code [0, vocab_size)}, as {@code clip.tokenize}
     *            returns them (the first maximal id of a row, end-of-text, is pooled)
     * @return text_features {@code [N, embed_dim]}, not normalised
     */
    public Tensor encodeText(Tensor ids) {
        return text.apply(ids, Taps.NONE);
    }
}
