package io.clip4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.ClipModel;
import io.clip4j.image.ImageInput;
import io.clip4j.search.EmbeddingIndex;
import io.clip4j.search.SearchHit;
import io.clip4j.search.SemanticSearch;
import io.clip4j.text.ClipTokenizer;
import io.clip4j.text.MessageText;
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
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code clip search}: ranks the images of an index for text and image queries. */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = {"Search an index built by 'clip index' with texts and/or images (cosine similarity).",
                "Without --model, the model that built the index is used; another model is refused."})
final class SearchCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    ImageOptions imageOptions;

    @Option(names = "--index", paramLabel = "FILE", required = true, description = "Index file from 'clip index'.")
    Path indexFile;

    @Option(names = "--text", arity = "1..*", paramLabel = "TEXT", description = "Text query (repeatable).")
    List<String> texts = new ArrayList<>();

    @Option(names = "--image", arity = "1..*", paramLabel = "FILE", description = "Image query (repeatable).")
    List<Path> images = new ArrayList<>();

    @Option(names = "--top-k", defaultValue = "5", description = "Hits per query (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--json", description = "One JSON object per query.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (texts.isEmpty() && images.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "nothing to search for: give --text and/or --image");
        }
        PathOptions.requireNotBlank("--index", indexFile);
        PathOptions.requireNotBlank("--image", images);
        for (int i = 0; i < texts.size(); i++) {
            // Like zero-shot's blank labels (an invalid value: exit 1, not 2): it would rank images by nothing asked.
            // Blank as the tokenizer reads it: "&nbsp;" or U+3000 passed trim() and ranked images by the empty text.
            String t = texts.get(i);
            if (ClipTokenizer.create().encode(t).length == 0) {
                throw new IllegalArgumentException("--text " + (i + 1) + " of " + texts.size() + " is blank"
                        + (t.trim().isEmpty() ? "" : ": '" + MessageText.printable(t, 60) + "' gives no tokens (the tokenizer unescapes HTML and"
                        + " drops whitespace)"));
            }
        }
        if (topK < 1) {
            throw new IllegalArgumentException("--top-k must be >= 1, got " + topK);
        }
        ImageFiles.requireFiles(images);
        EmbeddingIndex index = EmbeddingIndex.load(indexFile);
        modelOptions.defaultToModelOf(index, spec.commandLine().getErr());
        List<List<SearchHit>> textHits;
        List<Path> imageQueries = new ArrayList<>();
        List<List<SearchHit>> imageHits = new ArrayList<>();
        int skipped;
        // All queries are answered before anything is printed: an error prints nothing. Only an image query that
        // cannot be decoded is skipped (reported on stderr, exit 1), like zero-shot's and embed's images.
        try (ClipModel model = modelOptions.open(imageOptions)) {
            SemanticSearch search = new SemanticSearch(model, index);
            TruncationNote.warnIfTruncated(model, texts, "texts", spec.commandLine().getErr());
            textHits = texts.isEmpty() ? List.of() : search.byTexts(texts, topK);
            skipped = images.isEmpty() ? 0 : ImageFiles.forEachBatch(images, inputs -> {
                List<List<SearchHit>> hits = new ArrayList<>();
                for (ImageInput in : inputs) {
                    hits.add(search.byImage(in, topK));
                }
                return hits;
            }, (file, hits) -> {
                imageQueries.add(file);
                imageHits.add(hits);
            }, spec.commandLine().getErr());
        }
        PrintWriter out = spec.commandLine().getOut();
        for (int i = 0; i < texts.size(); i++) {
            print(out, "text", texts.get(i), textHits.get(i));
        }
        for (int i = 0; i < imageQueries.size(); i++) {
            print(out, "image", imageQueries.get(i).toString(), imageHits.get(i));
        }
        return skipped == 0 ? 0 : ClipCli.EXIT_INPUT;
    }

    private void print(PrintWriter out, String kind, String query, List<SearchHit> hits) throws IOException {
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode o = mapper.createObjectNode();
            o.put("kind", kind);
            o.put("query", query);
            ArrayNode arr = o.putArray("hits");
            for (SearchHit h : hits) {
                arr.addObject().put("id", h.id()).put("score", h.score());
            }
            out.println(mapper.writeValueAsString(o));
            return;
        }
        out.println(kind + ": " + query);
        out.printf("  %-4s  %7s  %s%n", "rank", "cosine", "id");
        int rank = 1;
        for (SearchHit h : hits) {
            out.printf(Locale.ROOT, "  %-4d  %7.4f  %s%n", rank++, h.score(), h.id());
        }
    }
}
