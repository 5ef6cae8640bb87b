package io.clip4j.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.Activation;
import io.clip4j.ClipConfig;
import io.clip4j.image.ImagePreprocessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code open_clip_config.json} of a model directory in open_clip's own format (as {@code push_to_hf_hub} writes
 * it: {@code {"model_cfg": {...}, "preprocess_cfg": {...}}}, next to {@code open_clip_model.safetensors} or
 * {@code open_clip_pytorch_model.bin}): the one reader of that format's key names.
 *
 * <p>{@code model_cfg} maps to a {@link ClipConfig} as open_clip's {@code CLIP.__init__} builds the towers: ViT
 * heads {@code width // head_width} (head_width default 64), ResNet attention-pooling heads
 * {@code width * 32 // head_width} (when {@code layers} is a list of four), text heads {@code text_cfg.heads}
 * (default 8), and GELU unless {@code quick_gelu} is true. {@code preprocess_cfg} gives the normalisation mean and
 * std (default: CLIP's) and the resize mode ({@code shortest}, CLIP's, or {@code squash}). Every key outside
 * open_clip's {@code CLIPVisionCfg} / {@code CLIPTextCfg} / {@code PreprocessCfg}, and every option clip4j does not
 * compute (layer scale, attentional pooling, other pooling, no causal mask, timm or Hugging Face towers, other
 * interpolation, resize mode 'longest' ...) set to a non-default value, is refused: the model would otherwise load
 * and compute silently different features.
 */
public final class OpenClipConfig {
    /** The configuration file's name. */
    public static final String CONFIG_FILE = "open_clip_config.json";
    /** open_clip's safetensors weights, preferred. */
    public static final String SAFETENSORS_FILE = "open_clip_model.safetensors";
    /** open_clip's {@code torch.save} state dict, used when there is no safetensors file. */
    public static final String PYTORCH_FILE = "open_clip_pytorch_model.bin";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP = keys("model_cfg", "preprocess_cfg");
    /**
     * {@code CLIP.__init__}'s arguments. init_logit_scale only initialises logit_scale, which the weights then set;
     * output_dict only changes the Python return type.
     */
    private static final Set<String> MODEL = keys("embed_dim", "quick_gelu", "vision_cfg", "text_cfg", "custom_text",
            "init_logit_scale", "init_logit_bias", "nonscalar_logit_scale", "output_dict", "multimodal_cfg");
    /**
     * {@code CLIPVisionCfg}'s fields. Accepted whatever their value because they change nothing at inference here:
     * patch_dropout (PatchDropout is the identity outside training), output_tokens (an extra output),
     * attn_pooler_* (read only with attentional_pool), timm_* other than timm_model_name (read only with a timm
     * tower), final_ln_after_pool (LayerNorm acts per token, so with 'tok' pooling it commutes with taking the
     * class token).
     */
    private static final Set<String> VISION = keys("layers", "width", "head_width", "mlp_ratio", "patch_size",
            "image_size", "ls_init_value", "patch_dropout", "attentional_pool", "attn_pooler_queries",
            "attn_pooler_heads", "no_ln_pre", "pos_embed_type", "final_ln_after_pool", "pool_type", "output_tokens",
            "act_kwargs", "norm_kwargs", "timm_model_name", "timm_model_pretrained", "timm_pool", "timm_proj",
            "timm_proj_bias", "timm_drop", "timm_drop_path");
    /**
     * {@code CLIPTextCfg}'s fields (and the older proj / pooler_type). Accepted whatever their value: pad_id (read
     * only with embed_cls), output_tokens, final_ln_after_pool ('argmax' pooling takes one token, which commutes
     * with the per-token LayerNorm), hf_* and the older proj / pooler_type other than the two names (read only
     * with a Hugging Face text tower).
     */
    private static final Set<String> TEXT = keys("context_length", "vocab_size", "hf_tokenizer_name",
            "tokenizer_kwargs", "width", "heads", "layers", "mlp_ratio", "ls_init_value", "embed_cls", "pad_id",
            "no_causal_mask", "final_ln_after_pool", "pool_type", "proj_bias", "proj_type", "output_tokens",
            "act_kwargs", "norm_kwargs", "hf_model_name", "hf_model_pretrained", "hf_proj_type", "hf_pooler_type",
            "proj", "pooler_type");
    /** {@code PreprocessCfg}'s fields; fill_color is used only by resize_mode 'longest', which is refused. */
    private static final Set<String> PREPROCESS = keys("size", "mode", "mean", "std", "interpolation",
            "resize_mode", "fill_color");

    private final Path file;
    private final ClipConfig config;
    private final ImageTransformConfig transform;

    private OpenClipConfig(Path file, ClipConfig config, ImageTransformConfig transform) {
        this.file = file;
        this.config = config;
        this.transform = transform;
    }

    /**
     * The open_clip configuration that defines a model directory: its {@code open_clip_config.json}, unless the
     * directory also holds a transformers CLIP {@code config.json} ({@link HuggingFaceConfig#isClipConfig};
     * timm's {@code config.json} does not count) with Hugging Face weights ({@code model.safetensors},
     * {@code pytorch_model.bin} or a shard index of either), which then define the model as before. A weights file
     * named {@code open_clip_model.safetensors} or {@code open_clip_pytorch_model.bin} with an
     * {@code open_clip_config.json} beside it (as open_clip's hub download leaves them) is defined by that config,
     * as if its directory had been given.
     *
     * @param fileOrDir a checkpoint file or model directory
     * @return the configuration, or empty for another file or a directory that is not in open_clip's format
     * @throws NullPointerException if {@code fileOrDir} is null
     * @throws CheckpointException  as {@link #read(Path)}
     */
    public static Optional<OpenClipConfig> find(Path fileOrDir) {
        Path json = configFile(fileOrDir);
        return json != null ? Optional.of(read(json)) : Optional.empty();
    }

    /** Whether an {@code open_clip_config.json} defines this checkpoint's model (see {@link #find}). */
    static boolean governs(Path fileOrDir) {
        return configFile(fileOrDir) != null;
    }

    /**
     * The {@code open_clip_config.json} that defines the model of a directory (see {@link #find}) or of a weights
     * file named {@code open_clip_model.safetensors} or {@code open_clip_pytorch_model.bin} lying beside one:
     * open_clip's hub download gives those files side by side, and loading the weights file alone must not fall back
     * to the reference's head rule. Null for anything else.
     */
    static Path configFile(Path fileOrDir) {
        if (Files.isDirectory(fileOrDir)) {
            boolean own = Files.isRegularFile(fileOrDir.resolve(CONFIG_FILE))
                    && !(HuggingFaceConfig.isClipConfig(fileOrDir.resolve(HuggingFaceConfig.CONFIG_FILE))
                    && CheckpointReader.hasHuggingFaceWeights(fileOrDir));
            return own ? fileOrDir.resolve(CONFIG_FILE) : null;
        }
        Path name = fileOrDir.getFileName();
        Path dir = fileOrDir.toAbsolutePath().getParent();
        if (name == null || dir == null || !Files.isRegularFile(fileOrDir)
                || !(name.toString().equals(SAFETENSORS_FILE) || name.toString().equals(PYTORCH_FILE))) {
            return null;
        }
        Path json = dir.resolve(CONFIG_FILE);
        return Files.isRegularFile(json) ? json : null;
    }

    /**
     * Reads and checks an {@code open_clip_config.json}.
     *
     * @param json the file
     * @return its model and preprocessing configuration
     * @throws CheckpointException naming the file and the key if it cannot be read, is malformed, lacks
     *                             {@code model_cfg} or {@code embed_dim}, declares impossible sizes, has a key
     *                             open_clip does not define, or sets an option clip4j does not compute to a
     *                             non-default value
     */
    public static OpenClipConfig read(Path json) {
        return new Reader(json).parse(JsonFiles.readObject(json, "open_clip config"));
    }

    /** The {@code open_clip_config.json} this was read from, which messages name. */
    Path file() {
        return file;
    }

    /** {@return the model's hyper-parameters, head counts and activation included} */
    public ClipConfig config() {
        return config;
    }

    /**
     * Returns the image preprocessing the config file asks for.
     *
     * @return the image preprocessing of {@code preprocess_cfg}: its normalisation mean and std (CLIP's when absent)
     *         and whether {@code resize_mode} is {@code squash} (resize straight to the image size, as Apple's DFN5B
     *         models) rather than {@code shortest} (CLIP's resize and center crop); its source is this config file
     */
    public ImageTransformConfig transform() {
        return transform;
    }

    private static Set<String> keys(String... names) {
        return new HashSet<>(Arrays.asList(names));
    }

    /** One file's parse: every message names the file and the key's path. */
    private static final class Reader {
        private final Path file;

        Reader(Path file) {
            this.file = file;
        }

        OpenClipConfig parse(JsonNode root) {
            known(root, "", TOP);
            JsonNode model = root.get("model_cfg");
            if (model == null || !model.isObject()) {
                throw fail("has no model_cfg object");
            }
            known(model, "model_cfg.", MODEL);
            JsonNode vision = object(model, "vision_cfg", "model_cfg.");
            JsonNode text = object(model, "text_cfg", "model_cfg.");
            known(vision, "model_cfg.vision_cfg.", VISION);
            known(text, "model_cfg.text_cfg.", TEXT);
            refuseModelOptions(model);
            refuseVisionOptions(vision);
            refuseTextOptions(text);
            Integer embedDim = integerOrNull(model, "embed_dim", "model_cfg.");
            if (embedDim == null) {
                throw fail("model_cfg.embed_dim is missing");
            }
            Activation act = bool(model, "quick_gelu", "model_cfg.") ? Activation.QUICK_GELU : Activation.GELU;
            int resolution = side(vision, "image_size", "model_cfg.vision_cfg.", 224);
            ClipConfig config = config(embedDim, resolution, vision, text, act);
            JsonNode pre = object(root, "preprocess_cfg", "");
            known(pre, "preprocess_cfg.", PREPROCESS);
            refusePreprocessOptions(pre, resolution);
            JsonNode mode = pre.get("resize_mode");
            return new OpenClipConfig(file, config, ImageTransformConfig.openClip(
                    rgb(pre, "mean", ImagePreprocessor.clipMean()), rgb(pre, "std", ImagePreprocessor.clipStd()),
                    mode != null && "squash".equals(mode.asText()), file));
        }

        private ClipConfig config(int embedDim, int resolution, JsonNode vision, JsonNode text, Activation act) {
            String v = "model_cfg.vision_cfg.";
            String t = "model_cfg.text_cfg.";
            JsonNode layers = vision.get("layers");
            int width = integer(vision, "width", v, 768);
            int headWidth = integer(vision, "head_width", v, 64);
            if (headWidth <= 0) {
                throw fail(v + "head_width must be > 0, got " + headWidth);
            }
            int[] visionLayers;
            int patch;
            int visionHeads;
            if (layers != null && layers.isArray()) { // open_clip's ModifiedResNet: four stage depths
                if (layers.size() != 4) {
                    throw fail(v + "layers must be an integer (ViT) or a list of 4 (ResNet), got " + layers);
                }
                visionLayers = new int[4];
                for (int i = 0; i < 4; i++) {
                    visionLayers[i] = asInt(layers.get(i), v + "layers[" + i + "]");
                }
                patch = 0;
                long poolWidth = width * 32L; // the attention pool's embed_dim
                visionHeads = heads(poolWidth, headWidth, v + "width * 32");
            } else {
                visionLayers = new int[]{integer(vision, "layers", v, 12)};
                patch = side(vision, "patch_size", v, 16);
                visionHeads = heads(width, headWidth, v + "width");
            }
            int textWidth = integer(text, "width", t, 512);
            try {
                return new ClipConfig(embedDim, resolution, visionLayers, width, patch,
                        integer(text, "context_length", t, 77), integer(text, "vocab_size", t, 49408),
                        textWidth, integer(text, "heads", t, 8), integer(text, "layers", t, 12),
                        visionHeads, act).withMlpWidths(patch > 0 ? mlpWidth(vision, v, width) : 0,
                        mlpWidth(text, t, textWidth));
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(file + ": impossible CLIP configuration: " + e.getMessage(), e);
            }
        }

        /**
         * open_clip's {@code mlp_width = int(width * mlp_ratio)}: the product in double precision, truncated toward
         * zero, as Python computes it (ViT-g: int(1408 * 4.3637) = 6144). A ResNet's vision_cfg.mlp_ratio is unused.
         */
        private int mlpWidth(JsonNode section, String path, int width) {
            JsonNode v = section.get("mlp_ratio");
            if (v == null || v.isNull()) {
                v = JSON.getNodeFactory().numberNode(4.0);
            }
            if (!v.isNumber() || !Double.isFinite(v.doubleValue()) || v.doubleValue() <= 0) {
                throw fail(path + "mlp_ratio must be a number above 0, got " + v);
            }
            double product = width * v.doubleValue();
            if (product < 1 || product > ConfigInference.MAX_MLP_WIDTH) {
                throw fail(path + "mlp_ratio " + v + " gives an MLP width int(" + width + " * " + v + ") outside 1.."
                        + ConfigInference.MAX_MLP_WIDTH);
            }
            return (int) product;
        }

        /** open_clip's {@code width // head_width}, which nn.MultiheadAttention needs to divide the width. */
        private int heads(long width, int headWidth, String what) {
            long heads = width / headWidth;
            if (heads <= 0 || heads > Integer.MAX_VALUE || width % heads != 0) {
                throw fail(what + " " + width + " // head_width " + headWidth + " gives " + heads
                        + " heads, which do not divide the width");
            }
            return (int) heads;
        }

        private void refuseModelOptions(JsonNode model) {
            String p = "model_cfg.";
            refuseUnless(model, "custom_text", p, false, "CustomTextCLIP stores the text tower under other names");
            refuseUnless(model, "init_logit_bias", p, null, "a logit bias means SigLIP's sigmoid scores");
            refuseUnless(model, "nonscalar_logit_scale", p, false, "clip4j reads one scalar logit_scale");
            refuseUnless(model, "multimodal_cfg", p, null, "CoCa's text decoder is not a CLIP tower");
        }

        private void refuseVisionOptions(JsonNode vision) {
            String p = "model_cfg.vision_cfg.";
            refuseUnless(vision, "timm_model_name", p, null, "clip4j computes OpenAI's ViT and ModifiedResNet only");
            refuseUnless(vision, "ls_init_value", p, null, "clip4j computes no layer scale");
            refuseUnless(vision, "attentional_pool", p, false, "clip4j pools the class token");
            refuseUnless(vision, "no_ln_pre", p, false, "clip4j applies ln_pre");
            refuseUnless(vision, "pos_embed_type", p, "learnable", "clip4j adds the learned positional_embedding");
            refuseUnless(vision, "pool_type", p, "tok", "clip4j pools the class token");
            refuseKwargs(vision, "act_kwargs", p);
            refuseKwargs(vision, "norm_kwargs", p);
        }

        private void refuseTextOptions(JsonNode text) {
            String p = "model_cfg.text_cfg.";
            refuseUnless(text, "hf_model_name", p, null, "clip4j computes OpenAI's text transformer only");
            refuseUnless(text, "hf_tokenizer_name", p, null, "clip4j tokenizes with CLIP's BPE only");
            refuseKwargs(text, "tokenizer_kwargs", p);
            refuseUnless(text, "ls_init_value", p, null, "clip4j computes no layer scale");
            refuseUnless(text, "embed_cls", p, false, "clip4j adds no class token to texts");
            refuseUnless(text, "no_causal_mask", p, false, "clip4j's text attention is causal");
            refuseUnless(text, "pool_type", p, "argmax", "clip4j pools the end-of-text token (argmax)");
            refuseUnless(text, "proj_type", p, "linear", "clip4j projects with text_projection");
            refuseUnless(text, "proj_bias", p, false, "clip4j's text_projection has no bias");
            refuseKwargs(text, "act_kwargs", p);
            refuseKwargs(text, "norm_kwargs", p);
        }

        private void refusePreprocessOptions(JsonNode pre, int resolution) {
            String p = "preprocess_cfg.";
            refuseUnless(pre, "mode", p, "RGB", "clip4j feeds RGB images");
            JsonNode interpolation = pre.get("interpolation");
            // 'random' draws a filter per image while training; open_clip's eval transform resizes bicubic.
            if (!(interpolation != null && interpolation.isTextual() && interpolation.textValue().equals("random"))) {
                refuseUnless(pre, "interpolation", p, "bicubic", "clip4j resizes with Pillow's bicubic filter only");
            }
            JsonNode mode = pre.get("resize_mode");
            if (!(mode == null || mode.isNull() || mode.isTextual() && mode.textValue().equals("squash"))) {
                refuseUnless(pre, "resize_mode", p, "shortest", "clip4j implements 'shortest' (CLIP's resize and"
                        + " center crop) and 'squash' only");
            }
            if (pre.has("size") && !pre.get("size").isNull()) {
                int size = side(pre, "size", p, resolution);
                if (size != resolution) {
                    throw fail(p + "size " + size + " differs from the model's image_size " + resolution
                            + ", which clip4j resizes to");
                }
            }
        }

        /** Refuses {@code key} unless it is absent, null or equal to {@code dflt} (null: must be absent or null). */
        private void refuseUnless(JsonNode section, String key, String path, Object dflt, String why) {
            JsonNode v = section.get(key);
            if (v == null || v.isNull()) {
                return;
            }
            boolean same = dflt instanceof Boolean ? v.isBoolean() && v.booleanValue() == (Boolean) dflt
                    : dflt instanceof Double ? v.isNumber() && v.doubleValue() == (Double) dflt
                    : dflt instanceof String && v.isTextual() && v.textValue().equals(dflt);
            if (!same) {
                throw fail(path + key + " = " + v + " is not supported (" + why + ")");
            }
        }

        /** act_kwargs / norm_kwargs / tokenizer_kwargs: any argument changes the layer (e.g. GELU's 'tanh'). */
        private void refuseKwargs(JsonNode section, String key, String path) {
            JsonNode v = section.get(key);
            if (v != null && !v.isNull() && !(v.isObject() && v.size() == 0)) {
                throw fail(path + key + " = " + v + " is not supported (clip4j computes the layers' defaults only)");
            }
        }

        private void known(JsonNode section, String path, Set<String> allowed) {
            for (Iterator<String> it = section.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!allowed.contains(k)) {
                    throw fail(path + k + " is not an open_clip option clip4j knows; it might change the"
                            + " computation, so the model is refused");
                }
            }
        }

        /** A sub-object, or an empty one when absent (open_clip then takes every default). */
        private JsonNode object(JsonNode parent, String key, String path) {
            JsonNode v = parent.get(key);
            if (v == null || v.isNull()) {
                return JSON.createObjectNode();
            }
            if (!v.isObject()) {
                throw fail(path + key + " is not a JSON object: " + v);
            }
            return v;
        }

        private boolean bool(JsonNode section, String key, String path) {
            JsonNode v = section.get(key);
            if (v == null || v.isNull()) {
                return false;
            }
            if (!v.isBoolean()) {
                throw fail(path + key + " is not true or false: " + v);
            }
            return v.booleanValue();
        }

        private Integer integerOrNull(JsonNode section, String key, String path) {
            JsonNode v = section.get(key);
            return v == null || v.isNull() ? null : asInt(v, path + key);
        }

        private int integer(JsonNode section, String key, String path, int dflt) {
            Integer v = integerOrNull(section, key, path);
            return v == null ? dflt : v;
        }

        private int asInt(JsonNode v, String what) {
            if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
                throw fail(what + " is not an integer: " + v);
            }
            return v.intValue();
        }

        /** An image or patch side: an integer or a square [h, w] (open_clip's to_2tuple); clip4j is square only. */
        private int side(JsonNode section, String key, String path, int dflt) {
            JsonNode v = section.get(key);
            if (v == null || v.isNull()) {
                return dflt;
            }
            if (v.isArray()) {
                if (v.size() != 2 || asInt(v.get(0), path + key + "[0]") != asInt(v.get(1), path + key + "[1]")) {
                    throw fail(path + key + " = " + v + " is not supported (clip4j computes square images and"
                            + " patches only)");
                }
                return v.get(0).intValue();
            }
            return asInt(v, path + key);
        }

        /** mean / std: three numbers, or one for all channels (as open_clip's image_transform); std above 0. */
        private double[] rgb(JsonNode pre, String key, double[] dflt) {
            JsonNode v = pre.get(key);
            if (v == null || v.isNull()) {
                return dflt.clone();
            }
            double[] out = new double[3];
            for (int c = 0; c < 3; c++) {
                JsonNode n = v.isArray() ? (v.size() == 3 ? v.get(c) : null) : v;
                if (n == null || !n.isNumber() || !Double.isFinite(n.doubleValue())
                        || ("std".equals(key) && n.doubleValue() <= 0)) {
                    throw fail("preprocess_cfg." + key + " must be 3 finite numbers" + ("std".equals(key)
                            ? " above 0" : "") + " (R, G, B), got " + v);
                }
                out[c] = n.doubleValue();
            }
            return out;
        }

        private CheckpointException fail(String what) {
            return new CheckpointException(file + ": " + what);
        }
    }
}
