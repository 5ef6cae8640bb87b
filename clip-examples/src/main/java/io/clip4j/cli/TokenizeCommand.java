package io.clip4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.text.ClipTokenizer;
import io.clip4j.text.ContextLengthExceededException;
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
        PathOptions.requireNotBlank("--vocab", vocab);
        ClipTokenizer tokenizer = (vocab == null ? ClipTokenizer.create() : ClipTokenizer.fromVocabulary(vocab))
                .withContextLength(contextLength)
                .withTruncation(!strict);
        // One text at a time: a batch held every text's context_length ids at once (200 texts at --context-length
        // 65536 are 100 MB), an OutOfMemoryError for a command line of a few kilobytes.
        if (strict) { // every text checked before anything is printed, as the batch did
            for (int i = 0; i < texts.size(); i++) {
                try {
                    tokenizer.tokenize(texts.get(i));
                } catch (ContextLengthExceededException e) {
                    throw new ContextLengthExceededException(i, texts.get(i), e.tokenCount(), contextLength);
                }
            }
        }
        ObjectMapper mapper = new ObjectMapper();
        PrintWriter out = spec.commandLine().getOut();
        for (int i = 0; i < texts.size(); i++) {
            TokenizedBatch batch = tokenizer.tokenize(texts.get(i));
            ObjectNode o = mapper.createObjectNode();
            o.put("text", texts.get(i));
            ArrayNode ids = o.putArray("ids");
            for (long id : batch.row(0)) {
                ids.add(id);
            }
            o.put("truncated", batch.truncated(0));
            out.println(mapper.writeValueAsString(o));
        }
        return 0;
    }
}
