package io.clip4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.text.ClipTokenizer;
import io.clip4j.text.TokenizedBatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code clip tokenize}: the reference {@code clip.tokenize}, one JSON object per text. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Tokenize texts like clip.tokenize; prints {\"text\", \"ids\", \"truncated\"} per text.")
final class TokenizeCommand implements Callable<Integer> {
    @Parameters(paramLabel = "TEXT", arity = "1..*", description = "Texts to tokenize.")
    List<String> texts;

    @Option(names = "--context-length", defaultValue = "77", description = "context_length (default: ${DEFAULT-VALUE}).")
    int contextLength;

    @Option(names = "--strict", description = "Fail on a text longer than the context instead of truncating it.")
    boolean strict;

    @Option(names = "--vocab", paramLabel = "FILE", description = "Gzipped BPE merges file (default: the bundled one).")
    Path vocab;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        ClipTokenizer tokenizer = (vocab == null ? ClipTokenizer.create() : ClipTokenizer.fromVocabulary(vocab))
                .withContextLength(contextLength)
                .withTruncation(!strict);
        TokenizedBatch batch = tokenizer.tokenize(texts);
        ObjectMapper mapper = new ObjectMapper();
        PrintWriter out = spec.commandLine().getOut();
        for (int i = 0; i < texts.size(); i++) {
            ObjectNode o = mapper.createObjectNode();
            o.put("text", texts.get(i));
            ArrayNode ids = o.putArray("ids");
            for (long id : batch.row(i)) {
                ids.add(id);
            }
            o.put("truncated", batch.truncated(i));
            out.println(mapper.writeValueAsString(o));
        }
        return 0;
    }
}
