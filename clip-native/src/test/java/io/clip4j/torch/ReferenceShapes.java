package io.clip4j.torch;

import io.clip4j.ClipConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parameter names and shapes of the reference {@code clip/model.py} {@code CLIP(...)} for a configuration,
 * written out independently of the engine (from the reference's module tree) so that tests can check the engine
 * asks for exactly these.
 */
final class ReferenceShapes {
    private ReferenceShapes() {
    }

    static Map<String, long[]> of(ClipConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long embed = c.embedDim();
        if (c.isVit()) {
            long w = c.visionWidth();
            long p = c.visionPatchSize();
            long g = c.imageResolution() / p;
            m.put("visual.class_embedding", new long[]{w});
            m.put("visual.positional_embedding", new long[]{g * g + 1, w});
            m.put("visual.proj", new long[]{w, embed});
            m.put("visual.conv1.weight", new long[]{w, 3, p, p});
            ln(m, "visual.ln_pre", w);
            blocks(m, "visual.transformer", w, c.visionMlpWidth(), c.visionLayers()[0]);
            ln(m, "visual.ln_post", w);
        } else {
            long w = c.visionWidth();
            m.put("visual.conv1.weight", new long[]{w / 2, 3, 3, 3});
            bn(m, "visual.bn1", w / 2);
            m.put("visual.conv2.weight", new long[]{w / 2, w / 2, 3, 3});
            bn(m, "visual.bn2", w / 2);
            m.put("visual.conv3.weight", new long[]{w, w / 2, 3, 3});
            bn(m, "visual.bn3", w);
            long inplanes = w;
            int[] layers = c.visionLayers();
            for (int s = 0; s < 4; s++) {
                long planes = w * (1L << s);
                for (int b = 0; b < layers[s]; b++) {
                    String pre = "visual.layer" + (s + 1) + "." + b;
                    long stride = s > 0 && b == 0 ? 2 : 1;
                    m.put(pre + ".conv1.weight", new long[]{planes, inplanes, 1, 1});
                    bn(m, pre + ".bn1", planes);
                    m.put(pre + ".conv2.weight", new long[]{planes, planes, 3, 3});
                    bn(m, pre + ".bn2", planes);
                    m.put(pre + ".conv3.weight", new long[]{4 * planes, planes, 1, 1});
                    bn(m, pre + ".bn3", 4 * planes);
                    if (stride > 1 || inplanes != 4 * planes) {
                        m.put(pre + ".downsample.0.weight", new long[]{4 * planes, inplanes, 1, 1});
                        bn(m, pre + ".downsample.1", 4 * planes);
                    }
                    inplanes = 4 * planes;
                }
            }
            long e = 32 * w;
            long sp = c.imageResolution() / 32;
            m.put("visual.attnpool.positional_embedding", new long[]{sp * sp + 1, e});
            for (String proj : new String[]{"q_proj", "k_proj", "v_proj"}) {
                m.put("visual.attnpool." + proj + ".weight", new long[]{e, e});
                m.put("visual.attnpool." + proj + ".bias", new long[]{e});
            }
            m.put("visual.attnpool.c_proj.weight", new long[]{embed, e});
            m.put("visual.attnpool.c_proj.bias", new long[]{embed});
        }
        long tw = c.transformerWidth();
        m.put("positional_embedding", new long[]{c.contextLength(), tw});
        m.put("text_projection", new long[]{tw, embed});
        m.put("logit_scale", new long[]{});
        blocks(m, "transformer", tw, c.transformerMlpWidth(), c.transformerLayers());
        m.put("token_embedding.weight", new long[]{c.vocabSize(), tw});
        ln(m, "ln_final", tw);
        return m;
    }

    private static void ln(Map<String, long[]> m, String pre, long w) {
        m.put(pre + ".weight", new long[]{w});
        m.put(pre + ".bias", new long[]{w});
    }

    private static void bn(Map<String, long[]> m, String pre, long ch) {
        m.put(pre + ".weight", new long[]{ch});
        m.put(pre + ".bias", new long[]{ch});
        m.put(pre + ".running_mean", new long[]{ch});
        m.put(pre + ".running_var", new long[]{ch});
        m.put(pre + ".num_batches_tracked", new long[]{});
    }

    private static void blocks(Map<String, long[]> m, String pre, long w, long mlp, int layers) {
        for (int i = 0; i < layers; i++) {
            String b = pre + ".resblocks." + i;
            m.put(b + ".attn.in_proj_weight", new long[]{3 * w, w});
            m.put(b + ".attn.in_proj_bias", new long[]{3 * w});
            m.put(b + ".attn.out_proj.weight", new long[]{w, w});
            m.put(b + ".attn.out_proj.bias", new long[]{w});
            ln(m, b + ".ln_1", w);
            m.put(b + ".mlp.c_fc.weight", new long[]{mlp, w});
            m.put(b + ".mlp.c_fc.bias", new long[]{mlp});
            m.put(b + ".mlp.c_proj.weight", new long[]{w, mlp});
            m.put(b + ".mlp.c_proj.bias", new long[]{w});
            ln(m, b + ".ln_2", w);
        }
    }
}
