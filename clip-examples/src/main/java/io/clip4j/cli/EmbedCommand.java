package io.clip4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.image.ImageInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code clip embed}: prints image_features / text_features as JSON lines. */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Print image and text embeddings (image_features / text_features) as JSON lines.")
final class EmbedCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--image", paramLabel = "PATH", description = "Image file, or a folder searched recursively for "
            + "image files (repeatable).")
    List<Path> images = new ArrayList<>();

    @Option(names = "--text", paramLabel = "TEXT", description = "Text (repeatable).")
    List<String> texts = new ArrayList<>();

    @Option(names = "--normalize", description = "L2-normalise each embedding (default: raw, as the reference returns).")
    boolean normalize;

    @Option(names = "--json", description = "JSON lines output (the only format; accepted for clarity).")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (images.isEmpty() && texts.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "nothing to embed: give --image and/or --text");
        }
        List<Path> imageFiles = ImageFiles.expand(images);
        PrintWriter out = spec.commandLine().getOut();
        ObjectMapper mapper = new ObjectMapper();
        try (ClipModel model = modelOptions.open()) {
            if (!imageFiles.isEmpty()) {
                Features f = model.encodeImages(imageFiles.stream().map(ImageInput::of).toList());
                print(out, mapper, "image", imageFiles.stream().map(Path::toString).toList(),
                        normalize ? f.normalized() : f);
            }
            if (!texts.isEmpty()) {
                Features f = model.encodeTexts(texts);
                print(out, mapper, "text", texts, normalize ? f.normalized() : f);
            }
        }
        return 0;
    }

    private static void print(PrintWriter out, ObjectMapper mapper, String kind, List<String> inputs, Features f)
            throws IOException {
        for (int i = 0; i < inputs.size(); i++) {
            ObjectNode o = mapper.createObjectNode();
            o.put("kind", kind);
            o.put("input", inputs.get(i));
            ArrayNode arr = o.putArray("embedding");
            for (float v : f.row(i)) {
                arr.add(v);
            }
            out.println(mapper.writeValueAsString(o));
        }
    }
}
