package io.clip4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * testdata/tokenizer/fuzz-cases.jsonl: the minimised inputs of divergences found by differential fuzzing against
 * the reference tokenizer (category {@code regression}) and a seeded sample of generated texts, each with the
 * reference's {@code clip.tokenize(text, truncate=True)} ids and cleaned text (see testdata/ORIGIN.md and
 * make_fuzz_cases.py there).
 */
class ClipTokenizerFuzzCasesTest {
    private static final ClipTokenizer TOKENIZER = ClipTokenizer.create();

    record FuzzCase(String id, String category, String text, long[] ids, int untruncatedLength, String cleanText) {
        @Override
        public String toString() {
            return id + " (" + category + ")";
        }
    }

    static Stream<FuzzCase> cases() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<FuzzCase> out = new ArrayList<>();
        for (String line : Files.readAllLines(ReferenceCases.testdata().resolve("tokenizer/fuzz-cases.jsonl"),
                StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = mapper.readTree(line);
            long[] ids = new long[n.get("ids").size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = n.get("ids").get(i).asLong();
            }
            out.add(new FuzzCase(n.get("id").asText(), n.get("category").asText(), n.get("text").asText(), ids,
                    n.get("ids_untruncated_len").asInt(), n.get("clean_text").asText()));
        }
        return out.stream();
    }

    @Test
    void fixtureHasRegressionsAndGeneratedCases() throws IOException {
        List<FuzzCase> all = cases().toList();
        assertEquals(308, all.size());
        assertEquals(8, all.stream().filter(c -> c.category().equals("regression")).count());
        assertTrue(all.stream().anyMatch(c -> c.untruncatedLength() > 77), "some cases are truncated");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void idsEqualReference(FuzzCase c) {
        TokenizedBatch batch = TOKENIZER.tokenize(c.text());
        assertArrayEquals(c.ids(), batch.row(0), c.id());
        assertEquals(c.untruncatedLength(), batch.tokenCount(0), c.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cleanTextEqualsReference(FuzzCase c) {
        assertEquals(c.cleanText(), TextCleaner.clean(c.text()), c.id());
    }
}
