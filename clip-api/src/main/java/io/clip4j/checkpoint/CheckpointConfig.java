package io.clip4j.checkpoint;

import io.clip4j.Activation;
import io.clip4j.ClipConfig;
import java.nio.file.Path;

/**
 * What a checkpoint declares for loading a model: its hyper-parameters ({@link ConfigInference}) and its image
 * preprocessing ({@link ImageTransformConfig#of}), decided together so that one load parses the checkpoint's
 * {@code open_clip_config.json} once (each of the two alone would read it again).
 */
public final class CheckpointConfig {
    private final ClipConfig model;
    private final Path fileOrDir;
    private final OpenClipConfig openClip;

    private CheckpointConfig(ClipConfig model, Path fileOrDir, OpenClipConfig openClip) {
        this.model = model;
        this.fileOrDir = fileOrDir;
        this.openClip = openClip;
    }

    /**
     * Infers the model's configuration as {@link ConfigInference#infer(StateDict, Path, Activation)} does.
     *
     * @param sd         the state dict read from {@code fileOrDir}, under OpenAI names
     * @param fileOrDir  the checkpoint path given to {@link CheckpointReader#read(Path)}
     * @param activation the activation, or null to keep what the checkpoint says (QuickGELU if it says nothing)
     * @return the checkpoint's configuration
     * @throws CheckpointException as {@link ConfigInference#infer(StateDict, Path, Activation)}
     */
    public static CheckpointConfig infer(StateDict sd, Path fileOrDir, Activation activation) {
        OpenClipConfig openClip = OpenClipConfig.find(fileOrDir).orElse(null);
        return new CheckpointConfig(ConfigInference.infer(sd, fileOrDir, openClip, activation), fileOrDir, openClip);
    }

    /**
     * {@return the model's hyper-parameters, as {@link ConfigInference#infer(StateDict, Path, Activation)} gives them}
     */
    public ClipConfig model() {
        return model;
    }

    /**
     * The checkpoint's image preprocessing, as {@link ImageTransformConfig#of(Path, int)} gives it for the model's
     * image_resolution: an open_clip configuration's {@code preprocess_cfg} (already read), else a Hugging Face
     * directory's {@code preprocessor_config.json} (read when asked, so that a caller may check the weights first),
     * else CLIP's.
     *
     * @return the preprocessing
     * @throws CheckpointException as {@link ImageTransformConfig#readHuggingFace}
     */
    public ImageTransformConfig transform() {
        return ImageTransformConfig.of(fileOrDir, openClip, model.imageResolution());
    }
}
