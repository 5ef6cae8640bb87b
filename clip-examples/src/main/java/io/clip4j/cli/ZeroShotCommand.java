package io.clip4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.ClipModel;
import io.clip4j.zeroshot.Prediction;
import io.clip4j.zeroshot.PromptTemplates;
import io.clip4j.zeroshot.ZeroShotClassifier;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code clip zero-shot}: ranks labels for each image (CLIP paper section 3.1). */
@Command(name = "zero-shot", mixinStandardHelpOptions = true,
        description = "Zero-shot classification: rank labels for each image.")
final class ZeroShotCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    ImageOptions imageOptions;

    @Option(names = "--image", paramLabel = "PATH", required = true, arity = "1..*",
            description = "Image file(s), or folders searched recursively for image files. A file that cannot be "
                    + "decoded is reported on stderr and skipped; the exit code is then 1.")
    List<Path> images;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Labels labels;

    static final class Labels {
        @Option(names = "--label", paramLabel = "TEXT", arity = "1..*", description = "Class name(s).")
        List<String> labels;

        @Option(names = "--labels-file", paramLabel = "FILE", description = "UTF-8 file with one class name per line (blank lines are "
                + "skipped; every other line is a class name, one starting with # included).")
        Path labelsFile;
    }

    @Option(names = "--template", paramLabel = "T",
            description = "Prompt template with one {} (repeatable; added to --templates; default: \"a photo of a {}.\").")
    List<String> templates = new ArrayList<>();

    @Option(names = "--templates", paramLabel = "SET",
            description = "Named template set: imagenet80 (any --template is used too).")
    String templateSet;

    @Option(names = "--top-k", defaultValue = "5", description = "Predictions shown per image (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--json", description = "One JSON object per image.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (topK < 1) {
            throw new IllegalArgumentException("--top-k must be >= 1, got " + topK);
        }
        PathOptions.requireNotBlank("--image", images); // before the labels file is read: the first mistake
        PathOptions.requireNotBlank("--labels-file", labels.labelsFile);
        List<String> labelList = labels.labels != null ? labels.labels
                : LabelFiles.read(labels.labelsFile, "--labels-file");
        List<String> tpl = new ArrayList<>(templates);
        if (templateSet != null) {
            tpl.addAll(templateSet(templateSet));
        }
        if (tpl.isEmpty()) {
            tpl.add(PromptTemplates.PHOTO_OF_A);
        }
        List<Path> imageFiles = ImageFiles.expand(images);
        PrintWriter out = spec.commandLine().getOut();
        ObjectMapper mapper = new ObjectMapper();
        try (ClipModel model = modelOptions.open(imageOptions)) {
            ZeroShotClassifier classifier = model.classifier(labelList, tpl);
            List<String> prompts = new ArrayList<>();
            tpl.forEach(t -> labelList.forEach(label -> prompts.add(PromptTemplates.fill(t, label))));
            TruncationNote.warnIfTruncated(model, prompts, "prompts", spec.commandLine().getErr());
            int k = Math.min(topK, labelList.size());
            // Only the k best per image: on a GPU with the kernels pipeline nothing else leaves the device.
            int skipped = ImageFiles.forEachBatch(imageFiles, in -> classifier.classifyAll(in, k), (file, result) -> {
                List<Prediction> top = result.predictions();
                if (json) {
                    ObjectNode o = mapper.createObjectNode();
                    o.put("image", file.toString());
                    ArrayNode arr = o.putArray("predictions");
                    for (Prediction p : top) {
                        arr.addObject().put("label", p.label()).put("probability", p.probability()).put("logit", p.logit());
                    }
                    out.println(mapper.writeValueAsString(o));
                } else {
                    printTable(out, file, top);
                }
                out.flush();
            }, spec.commandLine().getErr());
            return skipped == 0 ? 0 : ClipCli.EXIT_INPUT;
        }
    }

    /**
     * A named template set of {@code --templates}: {@code imagenet80}, in any case and with or without a {@code -} or
     * {@code _} before the number (as the Java constant {@code IMAGENET_80} writes it), like the enum options.
     */
    static List<String> templateSet(String name) {
        if (!name.toLowerCase(java.util.Locale.ROOT).replaceAll("[-_]", "").equals("imagenet80")) {
            throw new IllegalArgumentException("unknown template set '" + name + "' (known: imagenet80)");
        }
        return PromptTemplates.IMAGENET_80;
    }

    private static void printTable(PrintWriter out, Path image, List<Prediction> top) {
        // Terminal columns, not chars: a CJK label takes two per character.
        int w = Math.max(5, top.stream().mapToInt(p -> TerminalColumns.width(p.label())).max().orElse(5));
        out.println(image);
        out.printf("  %-4s  %-" + w + "s  %11s  %8s%n", "rank", "label", "probability", "logit");
        int rank = 1;
        for (Prediction p : top) {
            out.printf(java.util.Locale.ROOT, "  %-4d  %s  %10.2f%%  %8.3f%n", rank++,
                    TerminalColumns.padRight(p.label(), w), 100 * p.probability(), p.logit());
        }
    }
}
