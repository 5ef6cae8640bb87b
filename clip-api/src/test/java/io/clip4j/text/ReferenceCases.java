package io.clip4j.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The 301 reference cases of testdata/tokenizer/cases.jsonl (see testdata/README.md section 1) and the generated sets. */
final class ReferenceCases {
    /** One line of cases.jsonl. */
    record Case(String id, String category, String text, long[] ids, int untruncatedLength,
                boolean ftfyChangesText, String cleanText, List<String> bpeTokens, String decoded) {
        @Override
        public String toString() {
            return id + " (" + category + ")";
        }
    }

    private static List<Case> cases;

    private ReferenceCases() {}

    static Path testdata() {
        String dir = System.getProperty("clip4j.testdata");
        if (dir == null) {
            throw new IllegalStateException("system property clip4j.testdata is not set (the parent POM sets it)");
        }
        return Path.of(dir);
    }

    static synchronized List<Case> all() {
        if (cases == null) {
            cases = read(testdata().resolve("tokenizer/cases.jsonl"));
        }
        return cases;
    }

    /**
     * One line of a generated set (fuzz-cases.jsonl, mojibake-cases.jsonl; see testdata/ORIGIN.md): a text with the
     * reference's ids and cleaned text, and for the mojibake set also {@code ftfy.fix_text(text)} (else null).
     */
    record GeneratedCase(String id, String category, String text, long[] ids, int untruncatedLength,
                         String cleanText, String fixedText) {
        @Override
        public String toString() {
            return id + " (" + category + ")";
        }
    }

    /** @return the cases of testdata/tokenizer/{@code name}, in file order */
    static List<GeneratedCase> generated(String name) {
        ObjectMapper mapper = new ObjectMapper();
        List<GeneratedCase> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(testdata().resolve("tokenizer").resolve(name),
                    StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = mapper.readTree(line);
                out.add(new GeneratedCase(n.get("id").asText(), n.get("category").asText(), n.get("text").asText(),
                        ids(n), n.get("ids_untruncated_len").asInt(), n.get("clean_text").asText(),
                        n.has("fixed_text") ? n.get("fixed_text").asText() : null));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static long[] ids(JsonNode n) {
        long[] ids = new long[n.get("ids").size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = n.get("ids").get(i).asLong();
        }
        return ids;
    }

    private static List<Case> read(Path file) {
        ObjectMapper mapper = new ObjectMapper();
        List<Case> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = mapper.readTree(line);
                long[] ids = ids(n);
                List<String> bpe = new ArrayList<>();
                n.get("bpe_tokens").forEach(t -> bpe.add(t.asText()));
                out.add(new Case(n.get("id").asText(), n.get("category").asText(), n.get("text").asText(), ids,
                        n.get("ids_untruncated_len").asInt(), n.get("ftfy_changes_text").asBoolean(),
                        n.get("clean_text").asText(), bpe, n.get("decoded").asText()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
