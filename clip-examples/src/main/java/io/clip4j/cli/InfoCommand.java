package io.clip4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.ClipConfig;
import io.clip4j.ClipModel;
import io.clip4j.image.ImagePreprocessor;
import io.clip4j.spi.AbstractClipModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code clip info}: what a checkpoint is, as clip4j reads it (the reference {@code build_model} rules). */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Load a checkpoint and print its hyper-parameters (embed_dim, image_resolution, context_length, "
                + "...), logit_scale, the image normalisation and resize mode, and which OpenAI model it matches.")
final class InfoCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--json", description = "One JSON object.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        try (ClipModel model = modelOptions.open()) {
            ClipConfig c = model.config();
            String openai = ClipConfig.openaiNames().stream()
                    .filter(n -> ClipConfig.openai(n).withActivation(c.activation()).equals(c)).findFirst().orElse(null);
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode o = mapper.createObjectNode();
            o.put("model", modelOptions.modelPath().toString());
            o.put("architecture", c.isVit() ? "ViT" : "ModifiedResNet");
            o.put("openai_sizes", openai); // the sizes of one of OpenAI's nine, not a claim about the weights
            o.put("embed_dim", c.embedDim());
            o.put("image_resolution", c.imageResolution());
            if (c.isVit()) { // an int for a ViT, a tuple of four for a ResNet, as in the reference build_model
                o.put("vision_layers", c.visionLayers()[0]);
            } else {
                ArrayNode layers = o.putArray("vision_layers");
                for (int l : c.visionLayers()) {
                    layers.add(l);
                }
            }
            o.put("vision_width", c.visionWidth());
            if (c.isVit()) {
                o.put("vision_patch_size", c.visionPatchSize());
            }
            o.put("vision_heads", c.visionHeads());
            o.put("context_length", c.contextLength());
            o.put("vocab_size", c.vocabSize());
            o.put("transformer_width", c.transformerWidth());
            o.put("transformer_heads", c.transformerHeads());
            o.put("transformer_layers", c.transformerLayers());
            if (c.isVit()) {
                o.put("vision_mlp_width", c.visionMlpWidth());
            }
            o.put("transformer_mlp_width", c.transformerMlpWidth());
            o.put("activation", c.activation().name());
            o.put("logit_scale_exp", model.logitScale());
            if (model instanceof AbstractClipModel m) { // what images go through (an open_clip preprocess_cfg's)
                ImagePreprocessor p = m.preprocessor();
                ArrayNode mean = o.putArray("image_mean");
                ArrayNode std = o.putArray("image_std");
                for (int ch = 0; ch < 3; ch++) {
                    mean.add(p.mean()[ch]);
                    std.add(p.std()[ch]);
                }
                o.put("resize_mode", p.squash() ? "squash" : "shortest");
            }
            if (json) {
                out.println(mapper.writeValueAsString(o));
            } else {
                o.fields().forEachRemaining(e -> out.printf(Locale.ROOT, "%-21s %s%n", e.getKey(),
                        e.getValue().isNull() ? "none" : e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
            }
        }
        return 0;
    }
}
