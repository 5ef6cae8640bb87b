package io.clip4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.ClipModel;
import io.clip4j.Features;
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

    @Mixin
    ImageOptions imageOptions;

    @Option(names = "--image", arity = "1..*", paramLabel = "PATH", description = "Image file, or a folder searched recursively for "
            + "image files (repeatable). A file that cannot be decoded is reported on stderr and skipped; the exit "
            + "code is then 1.")
    List<Path> images = new ArrayList<>();

    @Option(names = "--text", arity = "1..*", paramLabel = "TEXT", description = "Text (repeatable).")
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
        PathOptions.requireNotBlank("--image", images);
        List<Path> imageFiles = ImageFiles.expand(images);
        PrintWriter out = spec.commandLine().getOut();
        ObjectMapper mapper = new ObjectMapper();
        int skipped = 0;
        try (ClipModel model = modelOptions.open(imageOptions)) {
            if (!imageFiles.isEmpty()) {
                skipped = ImageFiles.forEachBatch(imageFiles, in -> rows(model.encodeImages(in)),
                        (file, row) -> print(out, mapper, "image", file.toString(), row), spec.commandLine().getErr());
            }
            if (!texts.isEmpty()) {
                TruncationNote.warnIfTruncated(model, texts, "texts", spec.commandLine().getErr());
                List<float[]> rows = rows(model.encodeTexts(texts));
                for (int i = 0; i < texts.size(); i++) {
                    print(out, mapper, "text", texts.get(i), rows.get(i));
                }
            }
        }
        return skipped == 0 ? 0 : ClipCli.EXIT_INPUT;
    }

    private List<float[]> rows(Features f) {
        return (normalize ? f.normalized() : f).rowList();
    }

    private static void print(PrintWriter out, ObjectMapper mapper, String kind, String input, float[] row)
            throws IOException {
        ObjectNode o = mapper.createObjectNode();
        o.put("kind", kind);
        o.put("input", input);
        ArrayNode arr = o.putArray("embedding");
        for (float v : row) {
            arr.add(v);
        }
        out.println(mapper.writeValueAsString(o));
        out.flush();
    }
}
