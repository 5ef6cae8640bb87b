package io.clip4j.checkpoint;

import io.clip4j.Activation;
import io.clip4j.ClipConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Derives a {@link ClipConfig} from a checkpoint: from the tensor shapes exactly as the reference
 * {@code clip.model.build_model} does, and from a Hugging Face {@code config.json} ({@link HuggingFaceConfig}) or an
 * open_clip {@code open_clip_config.json} ({@link OpenClipConfig}) when the checkpoint directory has one (the two are
 * cross-checked here). A bare state
 * dict whose heads the reference rules would get wrong is refused (see {@link #infer(StateDict)}).
 */
public final class ConfigInference {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigInference.class);
    /**
     * The largest image_resolution a checkpoint may imply: 9 times the largest published CLIP (448), and small
     * enough that one preprocessed image (3 x 4096 x 4096 floats, 192 MiB) fits a default heap; a larger value
     * (found by fuzzing: patch 97 x grid 169) would load and then fail with OutOfMemoryError on every image.
     */
    private static final int MAX_IMAGE_RESOLUTION = 4096;
    /**
     * The largest context_length a checkpoint may declare: 53 times the published 77 and beyond every known CLIP
     * variant (a few hundred at most). The text tower's attention is quadratic in it, so a damaged or hostile
     * positional_embedding of, say, 20000 rows would load and then take minutes per text.
     */
    private static final int MAX_CONTEXT_LENGTH = 4096;
    /** The smallest context_length that holds a text token: start of text, one token, end of text. */
    private static final int MIN_CONTEXT_LENGTH = 3;
    /**
     * The largest transformer MLP width a checkpoint or config may declare: 68 times the widest published (open_clip's
     * ViT-e, 15360). Beyond it a value is damage, refused before it sizes a tensor.
     */
    static final int MAX_MLP_WIDTH = 1 << 20;
    /**
     * The safetensors {@code __metadata__} key under which clip4j's trainer records the transformer MLPs' activation
     * of the weights it writes: {@code "quick_gelu"} or {@code "gelu"} (Hugging Face's {@code hidden_act} names).
     * OpenAI-format state dicts do not record it otherwise, and loading would assume QuickGELU.
     */
    public static final String ACTIVATION_METADATA = "clip4j.activation";
    private static final String METADATA_PREFIX = "clip4j.";
    /** The tensors of which a CLIP checkpoint holds at least one (OpenAI names). */
    private static final String[] TEXT_TOWER = {"text_projection", "token_embedding.weight", "positional_embedding",
        "ln_final.weight"};

    private ConfigInference() {
    }

    /**
     * Reproduces {@code build_model(state_dict)}: ViT if {@code visual.proj} exists, with
     * {@code vision_width = visual.conv1.weight.shape[0]}, vision layers = number of
     * {@code visual.*.attn.in_proj_weight} keys, {@code patch_size = conv1.weight.shape[-1]},
     * {@code image_resolution = patch_size * round(sqrt(visual.positional_embedding.shape[0] - 1))}; else a
     * modified ResNet with stage depths = distinct block indices of {@code visual.layer1..4},
     * {@code vision_width = visual.layer1.0.conv1.weight.shape[0]},
     * {@code image_resolution = 32 * round(sqrt(visual.attnpool.positional_embedding.shape[0] - 1))}. Text:
     * {@code embed_dim = text_projection.shape[1]}, {@code context_length = positional_embedding.shape[0]},
     * {@code vocab_size = token_embedding.weight.shape[0]}, {@code transformer_width = ln_final.weight.shape[0]},
     * layers = distinct {@code transformer.resblocks.N}. Heads: {@code transformer_width / 64}; vision
     * {@code vision_width / 64} (ViT) or {@code vision_width * 32 / 64} (ResNet). MLP widths:
     * {@code visual.transformer.resblocks.0.mlp.c_fc.weight.shape[0]} and
     * {@code transformer.resblocks.0.mlp.c_fc.weight.shape[0]} (the reference builds {@code 4 * width}; loading
     * checks every layer's shape). Sizes clip4j cannot run in reasonable memory and time are refused:
     * image_resolution above 4096, context_length above 4096 or below 3 (no room for a text token), MLP widths above
     * 2^20.
     *
     * <p>Because head counts cannot be read from tensors, a checkpoint the reference rules would build wrong is
     * refused rather than given silently wrong features: MLP widths other than {@code 4 * width} (open_clip's ViT-g
     * and ViT-bigG, which the reference cannot load either), or a ViT of one of open_clip's widths whose heads are
     * not 64 wide (1280: ViT-H, 1408: ViT-g, 1664: ViT-bigG, 1792: ViT-e). Such models load from their Hugging
     * Face or open_clip directory, whose configuration names the heads ({@link #infer(StateDict, Path)}).
     *
     * <p>The activation is QuickGELU (the reference's), unless the file's safetensors {@code __metadata__} records
     * another under {@link #ACTIVATION_METADATA}, as the weights clip4j's trainer writes do.
     *
     * @param sd a state dict under OpenAI names (as {@link CheckpointReader#read} returns)
     * @return the model's configuration
     * @throws CheckpointException if a needed tensor is missing, the shapes are inconsistent, they imply an
     *                             image_resolution or context_length above 4096 or a context_length below 3 (the
     *                             message names the value), or the reference rules cannot give the model's heads (the message says why and
     *                             what to load instead), or the metadata holds an unknown {@code clip4j.*} key or
     *                             activation value
     */
    public static ClipConfig infer(StateDict sd) {
        // Sizes first: a model the reference rules cannot build is named as such, not by the heads they would give.
        ReferenceRules.require(sd.source(), fromTensors(sd, false));
        ClipConfig c = fromTensors(sd, true);
        Activation recorded = recordedActivation(sd);
        return recorded == null ? c : c.withActivation(recorded);
    }

    /**
     * Checks that a model of configuration {@code c}, written as bare weights (a state dict, with the activation in
     * {@link #safetensorsMetadata}), loads back as {@code c} through {@link #infer(StateDict)}: its heads are the
     * reference's ({@code width / 64}; a ResNet's vision heads {@code width * 32 / 64}), its MLP widths
     * {@code 4 * width}, and a ViT's width is none of open_clip's whose heads are not 64 wide (1280, 1408, 1664,
     * 1792), which loading refuses. Training calls it before writing such weights.
     *
     * @param source what {@code c} describes, for the message
     * @param c      the configuration
     * @return {@code c}
     * @throws CheckpointException if bare weights of {@code c} would be refused or load as another model
     */
    public static ClipConfig requireBuildableFromBareWeights(String source, ClipConfig c) {
        ReferenceRules.requireForTraining(source, c);
        contextLength(source, c.contextLength(), "the configuration"); // loading refuses too short a context
        int visionHeads = c.isVit() ? c.visionWidth() / 64 : (int) (c.visionWidth() * 32L / 64);
        if (c.visionHeads() != visionHeads || c.transformerHeads() != c.transformerWidth() / 64) {
            throw new CheckpointException(source + ": heads (vision " + c.visionHeads() + ", text "
                    + c.transformerHeads() + ") are not the reference's width / 64 (vision " + visionHeads + ", text "
                    + c.transformerWidth() / 64 + "), which bare weights cannot record");
        }
        return c;
    }

    /**
     * The safetensors {@code __metadata__} clip4j writes with a model's bare weights, so that {@link #infer(StateDict)}
     * gives back its activation: {@code format: pt}, {@code producer: clip4j} and {@link #ACTIVATION_METADATA}.
     *
     * @param config the model's configuration
     * @return the metadata (unmodifiable)
     */
    public static Map<String, String> safetensorsMetadata(ClipConfig config) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "pt");
        m.put("producer", "clip4j");
        m.put(ACTIVATION_METADATA, config.activation() == Activation.GELU ? "gelu" : "quick_gelu");
        return Collections.unmodifiableMap(m);
    }

    /**
     * The activation {@link #ACTIVATION_METADATA} records, or null if the metadata holds none; any other
     * {@code clip4j.*} key is refused (a newer clip4j's record this one would ignore).
     */
    private static Activation recordedActivation(StateDict sd) {
        Activation out = null;
        for (Map.Entry<String, String> e : sd.metadata().entrySet()) {
            if (!e.getKey().startsWith(METADATA_PREFIX)) {
                continue;
            }
            if (!e.getKey().equals(ACTIVATION_METADATA)) {
                throw new CheckpointException(sd.source() + ": __metadata__ key '" + e.getKey()
                        + "' is not one clip4j knows (" + ACTIVATION_METADATA + ")");
            }
            switch (e.getValue()) {
                case "quick_gelu": out = Activation.QUICK_GELU; break;
                case "gelu": out = Activation.GELU; break;
                default:
                    throw new CheckpointException(sd.source() + ": __metadata__ " + ACTIVATION_METADATA + " \""
                            + e.getValue() + "\" is not supported (clip4j computes quick_gelu or gelu)");
            }
        }
        return out;
    }

    /** {@code c}, if the activation recorded in the metadata (if any) agrees with what {@code file} declares. */
    private static ClipConfig agreeing(StateDict sd, Path file, ClipConfig c) {
        Activation recorded = recordedActivation(sd);
        if (recorded != null && recorded != c.activation()) {
            throw new CheckpointException(sd.source() + ": __metadata__ " + ACTIVATION_METADATA + " records "
                    + recorded + " but " + file + " declares " + c.activation());
        }
        return c;
    }

    /**
     * The sizes the tensors give. Heads: the reference rule, or (for a cross-check against a config file, which
     * then gives the heads) 1, so that a tower narrower than 64 (tiny test models) is not refused for 0 heads.
     */
    private static ClipConfig fromTensors(StateDict sd, boolean referenceHeads) {
        requireTextTower(sd);
        requireSharedSizes(sd);
        try {
            int embedDim = (int) dim(sd, "text_projection", 2, 1);
            int contextLength = contextLength(sd.source(), dim(sd, "positional_embedding", 2, 0),
                    "positional_embedding");
            int vocabSize = (int) dim(sd, "token_embedding.weight", 2, 0);
            int transformerWidth = (int) dim(sd, "ln_final.weight", 1, 0);
            int transformerLayers = distinct(sd, "transformer.resblocks.");
            if (sd.contains("visual.proj")) {
                int visionWidth = (int) dim(sd, "visual.conv1.weight", 4, 0);
                int patch = (int) dim(sd, "visual.conv1.weight", 4, 3);
                int layers = 0;
                for (String k : sd.keys()) {
                    if (k.startsWith("visual.") && k.endsWith(".attn.in_proj_weight")) {
                        layers++;
                    }
                }
                int grid = grid(sd, "visual.positional_embedding");
                return new ClipConfig(embedDim, resolution(sd, (long) patch * grid), new int[]{layers}, visionWidth,
                        patch, contextLength, vocabSize, transformerWidth, heads(transformerWidth, referenceHeads),
                        transformerLayers, heads(visionWidth, referenceHeads))
                        .withMlpWidths(mlpWidth(sd, "visual.transformer"), mlpWidth(sd, "transformer"));
            }
            int[] stages = new int[4];
            for (int b = 0; b < 4; b++) {
                stages[b] = distinct(sd, "visual.layer" + (b + 1) + ".");
            }
            int visionWidth = (int) dim(sd, "visual.layer1.0.conv1.weight", 4, 0);
            int outputWidth = grid(sd, "visual.attnpool.positional_embedding");
            // The reference's vision_width * 32 // 64, in long: a tensor without elements may declare a stem width
            // above 2^26, which overflows int.
            int visionHeads = referenceHeads ? (int) (visionWidth * 32L / 64) : 1;
            return new ClipConfig(embedDim, resolution(sd, 32L * outputWidth), stages, visionWidth, 0, contextLength,
                    vocabSize, transformerWidth, heads(transformerWidth, referenceHeads), transformerLayers,
                    visionHeads)
                    .withMlpWidths(0, mlpWidth(sd, "transformer"));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(sd.source() + ": inconsistent CLIP dimensions: " + e.getMessage(), e);
        }
    }

    /**
     * A checkpoint without any of CLIP's text tower tensors is another model (timm's image tower alone, a
     * classifier), not a damaged CLIP: said so, with the names it holds, rather than as one missing tensor.
     */
    private static void requireTextTower(StateDict sd) {
        for (String name : TEXT_TOWER) {
            if (sd.contains(name)) {
                return;
            }
        }
        StringBuilder some = new StringBuilder();
        for (String k : sd.keys()) {
            if (some.length() > 0) {
                some.append(", ");
            }
            some.append('\'').append(k).append('\'');
            if (some.length() > 120) {
                some.append(", ...");
                break;
            }
        }
        throw new CheckpointException(sd.source() + ": not a CLIP checkpoint: none of CLIP's text tower tensors ("
                + String.join(", ", TEXT_TOWER) + ") under OpenAI, open_clip or Hugging Face CLIPModel names; its "
                + sd.size() + " tensors are " + (sd.size() == 0 ? "none" : some) + " (an image tower alone, such as"
                + " timm's, or another model); load a complete CLIP model");
    }

    /**
     * Sizes that several tensors carry must agree before one of them sizes the model. Otherwise the damaged tensor
     * was not named: a transposed {@code text_projection} was reported as a wrong {@code visual.proj}, a widened
     * {@code ln_final.weight} or {@code visual.conv1.weight} as MLP widths of open_clip's ViT-g. A missing tensor, one
     * of another rank or one without elements (whose sizes only shape tests use) is left to the checks that name it.
     */
    private static void requireSharedSizes(StateDict sd) {
        String text = "the text transformer's width";
        same(sd, text, "ln_final.weight", 0, "token_embedding.weight", 1);
        same(sd, text, "ln_final.weight", 0, "positional_embedding", 1);
        same(sd, text, "ln_final.weight", 0, "text_projection", 0);
        if (sd.contains("visual.proj")) {
            same(sd, "embed_dim", "text_projection", 1, "visual.proj", 1);
            String vision = "the vision transformer's width";
            same(sd, vision, "visual.conv1.weight", 0, "visual.class_embedding", 0);
            same(sd, vision, "visual.conv1.weight", 0, "visual.positional_embedding", 1);
            same(sd, vision, "visual.conv1.weight", 0, "visual.proj", 0);
        } else {
            same(sd, "embed_dim", "text_projection", 1, "visual.attnpool.c_proj.weight", 0);
            // The stem's last convolution widens to the width that sizes every stage.
            same(sd, "the ResNet's width", "visual.layer1.0.conv1.weight", 0, "visual.conv3.weight", 0);
        }
    }

    /** Dimension {@code i} of tensor {@code a} equals dimension {@code j} of {@code b}, where both have elements. */
    private static void same(StateDict sd, String what, String a, int i, String b, int j) {
        TensorData ta = sd.find(a).orElse(null);
        TensorData tb = sd.find(b).orElse(null);
        if (ta == null || tb == null || ta.dim() <= i || tb.dim() <= j || ta.numel() == 0 || tb.numel() == 0
                || ta.size(i) == tb.size(j)) {
            return;
        }
        throw new CheckpointException(sd.source() + ": tensors '" + a + "' " + Arrays.toString(ta.shape())
                + " and '" + b + "' " + Arrays.toString(tb.shape()) + " disagree on " + what + " ("
                + ta.size(i) + " vs " + tb.size(j) + "): one of them is damaged or from another model");
    }

    /**
     * {@link #infer(StateDict, Path)} with the transformer MLPs' activation chosen by the caller, for checkpoints
     * that do not record it (OpenAI's and open_clip's state dicts: open_clip's LAION models use GELU).
     *
     * @param sd         the state dict read from {@code fileOrDir}, under OpenAI names
     * @param fileOrDir  the checkpoint path given to {@link CheckpointReader#read(Path)}
     * @param activation the activation, or null to keep what the checkpoint says (QuickGELU if it says nothing)
     * @return the configuration
     * @throws CheckpointException as {@link #infer(StateDict, Path)}, or if a Hugging Face {@code config.json}
     *                             declares another {@code hidden_act} (an {@code open_clip_config.json} another
     *                             {@code quick_gelu}, the safetensors metadata another
     *                             {@link #ACTIVATION_METADATA})
     */
    public static ClipConfig infer(StateDict sd, Path fileOrDir, Activation activation) {
        return infer(sd, fileOrDir, OpenClipConfig.find(fileOrDir).orElse(null), activation);
    }

    /**
     * {@link #infer(StateDict, Path, Activation)} with {@code fileOrDir}'s open_clip configuration already read
     * ({@link OpenClipConfig#find}; null if none defines it), so that one load parses it once.
     */
    static ClipConfig infer(StateDict sd, Path fileOrDir, OpenClipConfig openClip, Activation activation) {
        ClipConfig c = declared(sd, fileOrDir, openClip, activation);
        if (activation == null && looksLikeOpenClipWithoutConfig(sd, fileOrDir, openClip)) {
            LOG.warn("{}: named like open_clip's weights, but no {} lies beside it, so it is built by the reference"
                    + " rules with {}; open_clip's LAION and DataComp models use GELU: ask for it (activation GELU)"
                    + " or put the config beside the file", fileOrDir, OpenClipConfig.CONFIG_FILE, c.activation());
        }
        if (activation == null || activation == c.activation()) {
            return c;
        }
        if (openClip != null) {
            throw new CheckpointException(openClip.file() + ": declares "
                    + c.activation() + " (quick_gelu " + (c.activation() == Activation.QUICK_GELU) + ") but "
                    + activation + " was requested");
        }
        Path json = fileOrDir.resolve(HuggingFaceConfig.CONFIG_FILE);
        if (Files.isDirectory(fileOrDir) && Files.isRegularFile(json)) {
            throw new CheckpointException(json + ": declares " + c.activation() + " but " + activation
                    + " was requested");
        }
        if (recordedActivation(sd) != null) {
            throw new CheckpointException(sd.source() + ": records " + c.activation() + " (__metadata__ "
                    + ACTIVATION_METADATA + ") but " + activation + " was requested");
        }
        return c.withActivation(activation);
    }

    /** A file named as open_clip's hub weights whose activation nothing records: likely GELU, built as QuickGELU. */
    private static boolean looksLikeOpenClipWithoutConfig(StateDict sd, Path fileOrDir, OpenClipConfig openClip) {
        Path name = fileOrDir.getFileName();
        return name != null && openClip == null && recordedActivation(sd) == null
                && (name.toString().equals(OpenClipConfig.PYTORCH_FILE)
                || name.toString().equals(OpenClipConfig.SAFETENSORS_FILE));
    }

    /**
     * Infers the configuration from the tensors and, if {@code fileOrDir} is a Hugging Face directory with a
     * {@code config.json}, cross-checks it against {@link HuggingFaceConfig#read(Path)}: every dimension must
     * agree; head counts are taken from {@code config.json} (the file that defines the model), because
     * tensor shapes cannot reveal them. A directory in open_clip's format ({@link OpenClipConfig#find}) is checked
     * the same way against its {@code open_clip_config.json}, which also gives the heads, the MLP widths and the
     * activation; so is a file named {@code open_clip_model.safetensors} or {@code open_clip_pytorch_model.bin}
     * with an {@code open_clip_config.json} beside it (what open_clip's hub download gives). Any other file is a
     * bare state dict, taken by {@link #infer(StateDict)} with its refusals.
     *
     * @param sd        the state dict read from {@code fileOrDir}, under OpenAI names
     * @param fileOrDir the checkpoint path given to {@link CheckpointReader#read(Path)}
     * @return the configuration
     * @throws CheckpointException if tensors and {@code config.json} (or {@code open_clip_config.json}) disagree or
     *                             either is malformed, the activation recorded in the metadata is not the one the
     *                             configuration declares, the open_clip config sets an option clip4j does not compute,
     *                             a bare state dict is one the reference rules would build wrong, or {@code fileOrDir}
     *                             is a Hugging Face weights file ({@code model.safetensors}, {@code pytorch_model.bin})
     *                             whose directory's CLIP {@code config.json} declares another model than those rules
     *                             build (name the directory instead)
     */
    public static ClipConfig infer(StateDict sd, Path fileOrDir) {
        // Read first: an option clip4j does not compute is then named, not a missing tensor it implies.
        return declared(sd, fileOrDir, OpenClipConfig.find(fileOrDir).orElse(null), null);
    }

    /**
     * {@link #infer(StateDict, Path)} with the open_clip configuration that defines {@code fileOrDir} (or null) and
     * the activation asked for (null: none), which only {@link HuggingFaceWeightsAlone} looks at.
     */
    private static ClipConfig declared(StateDict sd, Path fileOrDir, OpenClipConfig openClip, Activation requested) {
        if (openClip != null) {
            Path file = openClip.file();
            return agreeing(sd, file, crossChecked(file, openClip.config(), fromTensors(sd, false)));
        }
        Path json = fileOrDir.resolve(HuggingFaceConfig.CONFIG_FILE);
        if (!Files.isDirectory(fileOrDir) || !Files.isRegularFile(json)) {
            return HuggingFaceWeightsAlone.require(fileOrDir, infer(sd), requested);
        }
        ClipConfig declared = HuggingFaceConfig.read(json);
        ClipConfig t = fromTensors(sd, false);
        ClipConfig d = declared;
        check(json, "projection_dim / embed_dim", d.embedDim(), t.embedDim());
        check(json, "vision_config.image_size", d.imageResolution(), t.imageResolution());
        check(json, "vision_config.num_hidden_layers", d.visionLayers()[0], t.visionLayers()[0]);
        check(json, "vision_config.hidden_size", d.visionWidth(), t.visionWidth());
        check(json, "vision_config.patch_size", d.visionPatchSize(), t.visionPatchSize());
        check(json, "text_config.max_position_embeddings", d.contextLength(), t.contextLength());
        check(json, "text_config.vocab_size", d.vocabSize(), t.vocabSize());
        check(json, "text_config.hidden_size", d.transformerWidth(), t.transformerWidth());
        check(json, "text_config.num_hidden_layers", d.transformerLayers(), t.transformerLayers());
        check(json, "vision_config.intermediate_size", d.visionMlpWidth(), t.visionMlpWidth());
        check(json, "text_config.intermediate_size", d.transformerMlpWidth(), t.transformerMlpWidth());
        return agreeing(sd, json, declared);
    }

    /** open_clip's declared sizes against the tensors', under open_clip's key names. */
    private static ClipConfig crossChecked(Path json, ClipConfig d, ClipConfig t) {
        check(json, "model_cfg.embed_dim", d.embedDim(), t.embedDim());
        check(json, "vision_cfg.image_size", d.imageResolution(), t.imageResolution());
        if (d.isVit() != t.isVit()) {
            throw new CheckpointException(json + ": vision_cfg.layers declares a " + (d.isVit() ? "ViT" : "ResNet")
                    + " but the weights are a " + (t.isVit() ? "ViT" : "ResNet"));
        }
        int[] dl = d.visionLayers();
        int[] tl = t.visionLayers();
        for (int i = 0; i < dl.length; i++) {
            check(json, "vision_cfg.layers" + (dl.length > 1 ? "[" + i + "]" : ""), dl[i], tl[i]);
        }
        check(json, "vision_cfg.width", d.visionWidth(), t.visionWidth());
        check(json, "vision_cfg.patch_size", d.visionPatchSize(), t.visionPatchSize());
        check(json, "text_cfg.context_length", d.contextLength(), t.contextLength());
        check(json, "text_cfg.vocab_size", d.vocabSize(), t.vocabSize());
        check(json, "text_cfg.width", d.transformerWidth(), t.transformerWidth());
        check(json, "text_cfg.layers", d.transformerLayers(), t.transformerLayers());
        if (d.isVit()) {
            check(json, "vision_cfg.mlp_ratio: int(width * mlp_ratio)", d.visionMlpWidth(), t.visionMlpWidth());
        }
        check(json, "text_cfg.mlp_ratio: int(width * mlp_ratio)", d.transformerMlpWidth(), t.transformerMlpWidth());
        return d;
    }

    private static void check(Path file, String field, int declared, int fromTensors) {
        if (declared != fromTensors) {
            throw new CheckpointException(file + ": " + field + " = " + declared + " but the weights imply "
                    + fromTensors);
        }
    }

    private static long dim(StateDict sd, String name, int rank, int index) {
        TensorData t = sd.get(name);
        if (t.dim() != rank) {
            throw new CheckpointException(sd.source() + ": tensor '" + name + "' should have " + rank
                    + " dimensions, got " + t);
        }
        long v = t.size(index);
        if (v > Integer.MAX_VALUE) {
            throw new CheckpointException(sd.source() + ": tensor '" + name + "' has an implausible size " + t);
        }
        return v;
    }

    /** The reference's {@code width // 64}, or the placeholder 1 when a config file gives the heads. */
    private static int heads(int width, boolean referenceHeads) {
        return referenceHeads ? width / 64 : 1;
    }

    /** The MLP hidden width of a transformer: its first block's {@code c_fc} rows. */
    private static int mlpWidth(StateDict sd, String transformer) {
        String name = transformer + ".resblocks.0.mlp.c_fc.weight";
        return mlpWidth(sd.source(), dim(sd, name, 2, 0), "tensor '" + name + "'");
    }

    /** An MLP width a checkpoint declares ({@code what}), at most {@link #MAX_MLP_WIDTH}. */
    static int mlpWidth(String source, long mlpWidth, String what) {
        if (mlpWidth > MAX_MLP_WIDTH) {
            throw new CheckpointException(source + ": " + what + " implies an MLP width of " + mlpWidth
                    + ", more than the supported " + MAX_MLP_WIDTH);
        }
        return (int) mlpWidth;
    }

    /** The image_resolution the tensors imply, at most what the image preprocessing supports. */
    private static int resolution(StateDict sd, long resolution) {
        if (resolution > MAX_IMAGE_RESOLUTION) {
            throw new CheckpointException(sd.source() + ": the vision tensors imply an image_resolution of " + resolution
                    + ", more than the supported " + MAX_IMAGE_RESOLUTION);
        }
        return (int) resolution;
    }

    /**
     * The context_length a checkpoint declares ({@code what}): room for one text token between start and end of
     * text (below that every text tokenizes to the same ids, so every text got the same features), and at most what
     * the text tower runs in fair time.
     */
    static int contextLength(String source, long contextLength, String what) {
        if (contextLength < MIN_CONTEXT_LENGTH) {
            throw new CheckpointException(source + ": " + what + " implies a context_length of " + contextLength
                    + ", which leaves no room for a token between start and end of text (at least "
                    + MIN_CONTEXT_LENGTH + ")");
        }
        if (contextLength > MAX_CONTEXT_LENGTH) {
            throw new CheckpointException(source + ": " + what + " implies a context_length of " + contextLength
                    + ", more than the supported " + MAX_CONTEXT_LENGTH);
        }
        return (int) contextLength;
    }

    /** Number of distinct values of the dotted component right after {@code prefix} (the reference's set). */
    private static int distinct(StateDict sd, String prefix) {
        Set<String> ids = new HashSet<>();
        for (String k : sd.keys()) {
            if (k.startsWith(prefix)) {
                int end = k.indexOf('.', prefix.length());
                ids.add(end < 0 ? k.substring(prefix.length()) : k.substring(prefix.length(), end));
            }
        }
        return ids.size();
    }

    /** {@code round(sqrt(n - 1))} of a positional embedding of n tokens, checked to be a square plus one. */
    private static int grid(StateDict sd, String name) {
        long tokens = dim(sd, name, 2, 0);
        int g = (int) Math.round(Math.sqrt(Math.max(0, tokens - 1)));
        if ((long) g * g + 1 != tokens) {
            throw new CheckpointException(sd.source() + ": tensor '" + name + "' has " + tokens
                    + " positions, not a square grid plus one class token");
        }
        return g;
    }
}
