package io.clip4j.checkpoint;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one mapping table between Hugging Face transformers' {@code CLIPModel} parameter names and the
 * OpenAI ({@code clip/model.py}) names, plus the translation of a whole state dict. Only the ViT vision
 * tower exists in transformers' CLIP, so only it is mapped. Transforms (see
 * {@code testdata/models/tiny-vit/README.md}): most tensors are copied unchanged; q/k/v projections of
 * each attention block are concatenated row-wise (q, k, v order) into {@code in_proj_weight} /
 * {@code in_proj_bias}; {@code text_projection.weight} and {@code visual_projection.weight} (Linear
 * layers, {@code [embed, width]}) are transposed back into OpenAI's {@code [width, embed]} matrices.
 */
final class HuggingFaceKeys {
    /** Buffers transformers stores in some checkpoints that the OpenAI model computes instead. */
    private static final Set<String> IGNORED = Set.of(
            "text_model.embeddings.position_ids", "vision_model.embeddings.position_ids");

    /** At most 9 digits, so the index fits an int; a longer one is reported as an unexpected tensor. */
    private static final Pattern LAYER = Pattern.compile("^(text_model|vision_model)\\.encoder\\.layers\\.(\\d{1,9})\\.");

    /** OpenAI name to Hugging Face name, for the tensors outside the transformer blocks (copied). */
    private static final String[][] TOP_HEAD = {
        {"positional_embedding", "text_model.embeddings.position_embedding.weight"},
    };
    private static final String[][] VISUAL_HEAD = {
        {"visual.class_embedding", "vision_model.embeddings.class_embedding"},
        {"visual.positional_embedding", "vision_model.embeddings.position_embedding.weight"},
    };
    private static final String[][] VISUAL_STEM = {
        {"visual.conv1.weight", "vision_model.embeddings.patch_embedding.weight"},
        {"visual.ln_pre.weight", "vision_model.pre_layrnorm.weight"},
        {"visual.ln_pre.bias", "vision_model.pre_layrnorm.bias"},
    };
    private static final String[][] VISUAL_TAIL = {
        {"visual.ln_post.weight", "vision_model.post_layernorm.weight"},
        {"visual.ln_post.bias", "vision_model.post_layernorm.bias"},
    };
    private static final String[][] TEXT_TAIL = {
        {"token_embedding.weight", "text_model.embeddings.token_embedding.weight"},
        {"ln_final.weight", "text_model.final_layer_norm.weight"},
        {"ln_final.bias", "text_model.final_layer_norm.bias"},
    };

    /** Per-block OpenAI suffix to Hugging Face suffix (copied); the q/k/v concatenation is separate. */
    private static final String[][] BLOCK = {
        {"attn.out_proj.weight", "self_attn.out_proj.weight"},
        {"attn.out_proj.bias", "self_attn.out_proj.bias"},
        {"ln_1.weight", "layer_norm1.weight"},
        {"ln_1.bias", "layer_norm1.bias"},
        {"mlp.c_fc.weight", "mlp.fc1.weight"},
        {"mlp.c_fc.bias", "mlp.fc1.bias"},
        {"mlp.c_proj.weight", "mlp.fc2.weight"},
        {"mlp.c_proj.bias", "mlp.fc2.bias"},
        {"ln_2.weight", "layer_norm2.weight"},
        {"ln_2.bias", "layer_norm2.bias"},
    };

    private HuggingFaceKeys() {
    }

    /**
     * @param sd a state dict under any naming
     * @return true if it uses Hugging Face {@code CLIPModel} names
     */
    static boolean isHuggingFace(StateDict sd) {
        for (String k : sd.keys()) {
            if (k.startsWith("text_model.") || k.startsWith("vision_model.")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Translates a Hugging Face {@code CLIPModel} state dict to OpenAI names, in the order of the reference
     * {@code CLIP.state_dict()}.
     *
     * @param hf tensors under Hugging Face names
     * @return the same weights under OpenAI names (copies only where transposed or concatenated)
     * @throws CheckpointException naming the key if a tensor is missing, unexpected, or of the wrong shape
     */
    static StateDict toOpenAi(StateDict hf) {
        Mapper m = new Mapper(hf);
        int textLayers = countLayers(hf, "text_model");
        int visionLayers = countLayers(hf, "vision_model");
        m.copyAll(TOP_HEAD);
        m.transpose("text_projection", "text_projection.weight");
        m.copy("logit_scale", "logit_scale");
        m.copyAll(VISUAL_HEAD);
        m.transpose("visual.proj", "visual_projection.weight");
        m.copyAll(VISUAL_STEM);
        for (int i = 0; i < visionLayers; i++) {
            m.block("visual.transformer.resblocks." + i + ".", "vision_model.encoder.layers." + i + ".");
        }
        m.copyAll(VISUAL_TAIL);
        for (int i = 0; i < textLayers; i++) {
            m.block("transformer.resblocks." + i + ".", "text_model.encoder.layers." + i + ".");
        }
        m.copyAll(TEXT_TAIL);
        Set<String> unused = new TreeSet<>(hf.keys());
        unused.removeAll(m.used);
        unused.removeAll(IGNORED);
        if (!unused.isEmpty()) {
            throw new CheckpointException(hf.source() + ": unexpected tensor '" + unused.iterator().next()
                    + "' in a Hugging Face CLIPModel checkpoint (" + unused.size() + " unknown in all)");
        }
        return new StateDict(hf.source(), m.out, hf.metadata());
    }

    private static int countLayers(StateDict hf, String tower) {
        int max = -1;
        for (String k : hf.keys()) {
            Matcher mt = LAYER.matcher(k);
            if (mt.find() && mt.group(1).equals(tower)) {
                max = Math.max(max, Integer.parseInt(mt.group(2)));
            }
        }
        if (max < 0) {
            throw new CheckpointException(hf.source() + ": no '" + tower + ".encoder.layers.*' tensors in a Hugging Face"
                    + " CLIPModel checkpoint (only CLIPModel with a ViT vision tower is supported)");
        }
        return max + 1; // a gap in the numbering surfaces as a missing key of that layer
    }

    /** Accumulates the translated tensors and remembers which source keys were consumed. */
    private static final class Mapper {
        final StateDict hf;
        final Map<String, TensorData> out = new LinkedHashMap<>();
        final Set<String> used = new HashSet<>();

        Mapper(StateDict hf) {
            this.hf = hf;
        }

        TensorData take(String hfName, String openAiName) {
            TensorData t = hf.find(hfName).orElseThrow(() -> new CheckpointException(hf.source()
                    + ": missing tensor '" + hfName + "' (Hugging Face name of '" + openAiName + "')"));
            used.add(hfName);
            return t;
        }

        void copy(String openAi, String hfName) {
            out.put(openAi, take(hfName, openAi));
        }

        void copyAll(String[][] pairs) {
            for (String[] p : pairs) {
                copy(p[0], p[1]);
            }
        }

        void transpose(String openAi, String hfName) {
            out.put(openAi, TensorOps.transpose2d(hf.source(), openAi, take(hfName, openAi)));
        }

        void block(String openAiPrefix, String hfPrefix) {
            for (String kind : new String[]{"weight", "bias"}) {
                String name = openAiPrefix + "attn.in_proj_" + kind;
                List<TensorData> qkv = new ArrayList<>(3);
                for (String p : new String[]{"q", "k", "v"}) {
                    qkv.add(take(hfPrefix + "self_attn." + p + "_proj." + kind, name));
                }
                out.put(name, TensorOps.concat0(hf.source(), name, qkv));
            }
            for (String[] p : BLOCK) {
                copy(openAiPrefix + p[0], hfPrefix + p[1]);
            }
        }
    }
}
