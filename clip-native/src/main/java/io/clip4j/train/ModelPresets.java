package io.clip4j.train;

import io.clip4j.ClipConfig;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Named model sizes for training from scratch: three small ones that train on a laptop CPU, plus the nine
 * OpenAI configurations ({@link ClipConfig#openai}). All keep CLIP's 49,408-token BPE vocabulary and the
 * reference head rule (heads = width / 64; ResNet pooling heads = 32 * width / 64), which
 * {@link io.clip4j.checkpoint.ConfigInference} assumes when the checkpoint is loaded again.
 */
public final class ModelPresets {
    private static final Map<String, ClipConfig> SMALL;

    static {
        Map<String, ClipConfig> m = new LinkedHashMap<>();
        // embed, resolution, vision layers, vision width, patch, context, vocab, text width, heads, layers, v-heads
        m.put("vit-tiny", new ClipConfig(64, 32, new int[]{2}, 64, 8, 16, 49408, 64, 1, 1, 1));
        m.put("vit-small", new ClipConfig(128, 64, new int[]{4}, 128, 8, 32, 49408, 128, 2, 4, 2));
        m.put("rn-tiny", new ClipConfig(64, 64, new int[]{1, 1, 1, 1}, 16, 0, 32, 49408, 64, 1, 2, 8));
        SMALL = Collections.unmodifiableMap(m);
    }

    private ModelPresets() {
    }

    /**
     * Returns the hyper-parameters of a named model size.
     *
     * @param name {@code vit-tiny} (32 px, patch 8, 2 x 64-wide blocks; text 1 x 64, context 16),
     *             {@code vit-small} (64 px, patch 8, 4 x 128; text 4 x 128, context 32), {@code rn-tiny}
     *             (64 px ResNet [1,1,1,1] width 16; text 2 x 64, context 32), or an OpenAI name such as
     *             {@code ViT-B/32}
     * @return the configuration
     * @throws IllegalArgumentException for an unknown name (the message lists the known ones)
     */
    public static ClipConfig get(String name) {
        ClipConfig c = SMALL.get(name);
        if (c != null) {
            return c;
        }
        if (ClipConfig.openaiNames().contains(name)) {
            return ClipConfig.openai(name);
        }
        throw new IllegalArgumentException("unknown model preset '" + name + "'; known: " + names());
    }

    /** {@return every accepted name, small presets first} */
    public static Set<String> names() {
        Set<String> all = new LinkedHashSet<>(SMALL.keySet());
        all.addAll(ClipConfig.openaiNames());
        return all;
    }
}
