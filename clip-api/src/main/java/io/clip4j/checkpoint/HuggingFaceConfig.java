package io.clip4j.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.Activation;
import io.clip4j.ClipConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code config.json} of a Hugging Face transformers CLIP model directory ({@code CLIPConfig}, next to
 * {@code model.safetensors} or {@code pytorch_model.bin}): the one reader of that file's field names. Its tensor
 * names live in {@link HuggingFaceKeys}, its {@code preprocessor_config.json} in {@link ImageTransformConfig}.
 */
public final class HuggingFaceConfig {
    /** The configuration file's name in a model directory. */
    public static final String CONFIG_FILE = "config.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private HuggingFaceConfig() {
    }

    /**
     * Whether a {@code config.json} is a transformers {@code CLIPConfig} ({@code model_type} "clip", a
     * {@code text_config} / {@code vision_config} section or their legacy {@code *_dict} forms, or
     * {@code CLIPModel} among its {@code architectures}) rather than another library's file of that name: timm's
     * CLIP repos (e.g. timm/vit_base_patch32_clip_224.openai) hold timm's {@code config.json} and image-tower-only
     * {@code model.safetensors} next to open_clip's complete files.
     *
     * @param configJson a {@code config.json} file
     * @return false if it is missing, not a regular file, unreadable, not a JSON object, or not a CLIP configuration
     * @throws NullPointerException if {@code configJson} is null
     */
    public static boolean isClipConfig(Path configJson) {
        // A config.json that is a named pipe would block the read forever, one linked to /dev/zero fill the heap.
        if (!Files.isRegularFile(configJson)) {
            return false;
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(configJson));
        } catch (IOException e) {
            return false;
        }
        if (root == null || !root.isObject()) {
            return false;
        }
        if ("clip".equals(root.path("model_type").asText(null))) {
            return true;
        }
        for (String section : new String[]{"text_config", "vision_config", "text_config_dict", "vision_config_dict"}) {
            if (root.path(section).isObject()) {
                return true;
            }
        }
        for (JsonNode a : root.path("architectures")) {
            if ("CLIPModel".equals(a.asText())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads a Hugging Face {@code CLIPConfig} {@code config.json} (fields {@code projection_dim},
     * {@code text_config} / {@code vision_config}, or the legacy {@code *_config_dict} instead where it is an object,
     * as transformers reads it: every field of that tower then comes from the {@code *_dict} or the default, whatever
     * the full section says). Absent fields take transformers' defaults (text: vocab 49408, hidden 512,
     * intermediate 2048, 12 layers, 8 heads, 77 positions; vision: hidden 768, intermediate 3072, 12 layers, 12
     * heads, image 224, patch 32; projection 512), because {@code save_pretrained} may omit values equal to the
     * defaults.
     *
     * @param configJson the {@code config.json} file
     * @return the configuration it declares (always a ViT: transformers' CLIP has no ResNet tower)
     * @throws CheckpointException if the file cannot be read, is not JSON or declares impossible sizes (a
     *                             {@code max_position_embeddings} above 4096 included)
     */
    public static ClipConfig read(Path configJson) {
        JsonNode root = JsonFiles.readObject(configJson, "Hugging Face config");
        JsonNode text = section(root, "text_config");
        JsonNode vision = section(root, "vision_config");
        Activation act = activation(configJson, text, "text_config");
        if (activation(configJson, vision, "vision_config") != act) {
            throw new CheckpointException(configJson + ": text_config and vision_config declare different"
                    + " hidden_act values (clip4j computes one activation for both towers)");
        }
        String source = configJson.toString();
        try {
            int patch = integer(configJson, vision, "patch_size", 32);
            return new ClipConfig(integer(configJson, root, "projection_dim", 512),
                    integer(configJson, vision, "image_size", 224),
                    new int[]{integer(configJson, vision, "num_hidden_layers", 12)},
                    integer(configJson, vision, "hidden_size", 768), patch,
                    ConfigInference.contextLength(source,
                            integer(configJson, text, "max_position_embeddings", 77), "max_position_embeddings"),
                    integer(configJson, text, "vocab_size", 49408),
                    integer(configJson, text, "hidden_size", 512),
                    integer(configJson, text, "num_attention_heads", 8),
                    integer(configJson, text, "num_hidden_layers", 12),
                    integer(configJson, vision, "num_attention_heads", 12), act)
                    .withMlpWidths(ConfigInference.mlpWidth(source, integer(configJson, vision, "intermediate_size",
                            3072), "vision_config.intermediate_size"), ConfigInference.mlpWidth(source,
                            integer(configJson, text, "intermediate_size", 2048), "text_config.intermediate_size"));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(configJson + ": impossible CLIP configuration: " + e.getMessage(), e);
        }
    }

    /**
     * The section's {@code hidden_act} (transformers' default: quick_gelu). The towers compute QuickGELU or GELU
     * and LayerNorm with eps 1e-5; a config declaring anything else would otherwise load and give silently wrong
     * features, so it is refused.
     */
    private static Activation activation(Path file, JsonNode section, String name) {
        JsonNode act = section.get("hidden_act");
        Activation a = act == null || act.isNull() || "quick_gelu".equals(act.asText()) ? Activation.QUICK_GELU
                : "gelu".equals(act.asText()) ? Activation.GELU : null;
        if (a == null) {
            throw new CheckpointException(file + ": " + name + ".hidden_act " + act
                    + " is not supported (clip4j computes quick_gelu or gelu)");
        }
        JsonNode eps = section.get("layer_norm_eps");
        if (eps != null && !eps.isNull() && (!eps.isNumber() || eps.asDouble() != 1e-5)) {
            throw new CheckpointException(file + ": " + name + ".layer_norm_eps " + eps
                    + " is not supported (clip4j computes LayerNorm with eps 1e-5)");
        }
        return a;
    }

    /**
     * A section as transformers' {@code CLIPConfig} reads it: if the legacy {@code *_dict} form is an object, that
     * object alone, for transformers updates the section with the whole of {@code CLIPTextConfig(**text_config_dict)}
     * (resp. {@code CLIPVisionConfig}), so a field the {@code *_dict} leaves out takes the class default (the
     * defaults {@link #read} applies), not the section's value; else the section itself ({@code *_dict} absent or
     * null).
     */
    private static JsonNode section(JsonNode root, String name) {
        JsonNode legacy = root.get(name + "_dict");
        if (legacy != null && legacy.isObject()) {
            return legacy;
        }
        JsonNode n = root.get(name);
        return n != null && n.isObject() ? n : JSON.createObjectNode();
    }

    private static int integer(Path file, JsonNode node, String field, int dflt) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new CheckpointException(file + ": field '" + field + "' is not an integer: " + v);
        }
        return v.asInt();
    }
}
