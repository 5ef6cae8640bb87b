package io.clip4j.checkpoint;

import io.clip4j.Activation;
import io.clip4j.ClipConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The weights file of a Hugging Face {@code CLIPModel} directory named alone ({@code model.safetensors} or
 * {@code pytorch_model.bin}): it is a bare state dict, built by the reference rules (heads {@code width / 64},
 * QuickGELU), without reading the {@code config.json} beside it. Where that {@code config.json} declares another
 * model (LAION's {@code hidden_act: "gelu"}, other heads), the features would be silently wrong, so loading is
 * refused with a message that says to name the directory; where it declares what the rules give (OpenAI's models),
 * the file loads as before.
 */
final class HuggingFaceWeightsAlone {
    /** The weights files a transformers {@code config.json} governs (shards named alone lack tensors anyway). */
    private static final Set<String> WEIGHTS = Set.of("model.safetensors", "pytorch_model.bin");

    private HuggingFaceWeightsAlone() {
    }

    /**
     * @param file      the checkpoint path given (a file, or a directory without {@code config.json})
     * @param bare      its configuration by the reference rules
     * @param requested the activation asked for, or null (then {@code bare}'s)
     * @return {@code bare}
     * @throws CheckpointException if {@code file} is a Hugging Face weights file whose directory's CLIP
     *                             {@code config.json} declares another configuration than {@code bare} run with
     *                             {@code requested}, or declares one clip4j does not compute
     */
    static ClipConfig require(Path file, ClipConfig bare, Activation requested) {
        Path parent = directoryOf(file);
        Path json = parent == null ? null : parent.resolve(HuggingFaceConfig.CONFIG_FILE);
        if (json == null || !HuggingFaceConfig.isClipConfig(json)) {
            return bare;
        }
        ClipConfig declared = HuggingFaceConfig.read(json);
        ClipConfig loaded = requested == null ? bare : bare.withActivation(requested);
        if (declared.equals(loaded)) {
            return bare;
        }
        throw new CheckpointException(file + ": a weights file named alone is a bare state dict, built by the"
                + " reference rules without the config.json beside it, which declares another model ("
                + String.join(", ", differences(loaded, declared)) + "); load the directory " + parent
                + " instead, whose config.json (and preprocessor_config.json) define the model");
    }

    /**
     * The preprocessing counterpart of {@link #require}: a weights file named alone gets CLIP's preprocessing, so a
     * {@code preprocessor_config.json} beside it that asks for another (its own mean/std, a squash resize) or for
     * what clip4j does not compute is refused, saying to name the directory.
     *
     * @param file            the checkpoint path given (a file; anything else is left alone)
     * @param imageResolution the model's image_resolution
     * @throws CheckpointException if {@code file} is a Hugging Face weights file whose directory's
     *                             {@code preprocessor_config.json} is not CLIP's preprocessing
     */
    static void requireClipPreprocessing(Path file, int imageResolution) {
        Path parent = directoryOf(file);
        Path json = parent == null ? null : parent.resolve(ImageTransformConfig.HUGGING_FACE_FILE);
        if (json == null || !Files.isRegularFile(json)) {
            return;
        }
        ImageTransformConfig declared;
        try {
            declared = ImageTransformConfig.readHuggingFace(json, imageResolution);
        } catch (CheckpointException e) {
            throw new CheckpointException(file + ": a weights file named alone gets CLIP's preprocessing, not the"
                    + " one the " + json.getFileName() + " beside it declares, which clip4j does not compute: "
                    + e.getMessage(), e);
        }
        if (!declared.isClip()) {
            throw new CheckpointException(file + ": a weights file named alone gets CLIP's preprocessing, but the "
                    + json.getFileName() + " beside it declares another (mean " + Arrays.toString(declared.mean())
                    + ", std " + Arrays.toString(declared.std()) + (declared.squash() ? ", squash resize" : "")
                    + "); load the directory " + parent + " instead");
        }
    }

    /** The directory of a Hugging Face weights file ({@link #WEIGHTS}), or null for another path. */
    private static Path directoryOf(Path file) {
        Path name = file.getFileName();
        Path parent = file.toAbsolutePath().getParent();
        boolean weights = name != null && parent != null && WEIGHTS.contains(name.toString())
                && Files.isRegularFile(file);
        return weights ? parent : null;
    }

    /** Each field in which {@code loaded} and {@code declared} differ, as "name loaded (config.json: declared)". */
    private static List<String> differences(ClipConfig loaded, ClipConfig declared) {
        List<String> out = new ArrayList<>();
        diff(out, "vision_heads", loaded.visionHeads(), declared.visionHeads());
        diff(out, "transformer_heads", loaded.transformerHeads(), declared.transformerHeads());
        diff(out, "activation", loaded.activation(), declared.activation());
        diff(out, "vision MLP width", loaded.visionMlpWidth(), declared.visionMlpWidth());
        diff(out, "text MLP width", loaded.transformerMlpWidth(), declared.transformerMlpWidth());
        diff(out, "embed_dim", loaded.embedDim(), declared.embedDim());
        diff(out, "image_resolution", loaded.imageResolution(), declared.imageResolution());
        diff(out, "vision_layers", Arrays.toString(loaded.visionLayers()), Arrays.toString(declared.visionLayers()));
        diff(out, "vision_width", loaded.visionWidth(), declared.visionWidth());
        diff(out, "vision_patch_size", loaded.visionPatchSize(), declared.visionPatchSize());
        diff(out, "context_length", loaded.contextLength(), declared.contextLength());
        diff(out, "vocab_size", loaded.vocabSize(), declared.vocabSize());
        diff(out, "transformer_width", loaded.transformerWidth(), declared.transformerWidth());
        diff(out, "transformer_layers", loaded.transformerLayers(), declared.transformerLayers());
        return out;
    }

    private static void diff(List<String> out, String field, Object loaded, Object declared) {
        if (!loaded.equals(declared)) {
            out.add(field + " " + loaded + " (config.json: " + declared + ")");
        }
    }
}
