package io.clip4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * testdata/tokenizer/mojibake-cases.jsonl: mojibake through every code page ftfy knows (double mojibake, lost
 * bytes, no-break spaces turned into spaces, CESU-8, mixed with good text), minimised divergences of clip4j's
 * former mojibake repair (category {@code regression}), each with ftfy 6.3.1's {@code fix_text} and the reference's
 * {@code clip.tokenize(text, truncate=True)} ids and cleaned text (see testdata/ORIGIN.md and
 * make_mojibake_cases.py there).
 */
class ClipTokenizerMojibakeCasesTest {
    private static final ClipTokenizer TOKENIZER = ClipTokenizer.create();

    record MojibakeCase(String id, String category, String text, long[] ids, int untruncatedLength,
            String cleanText, String fixedText) {
        @Override
        public String toString() {
            return id + " (" + category + ")";
        }
    }

    static Stream<MojibakeCase> cases() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<MojibakeCase> out = new ArrayList<>();
        for (String line : Files.readAllLines(ReferenceCases.testdata().resolve("tokenizer/mojibake-cases.jsonl"),
                StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = mapper.readTree(line);
            long[] ids = new long[n.get("ids").size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = n.get("ids").get(i).asLong();
            }
            out.add(new MojibakeCase(n.get("id").asText(), n.get("category").asText(), n.get("text").asText(), ids,
                    n.get("ids_untruncated_len").asInt(), n.get("clean_text").asText(),
                    n.get("fixed_text").asText()));
        }
        return out.stream();
    }

    @Test
    void fixtureHasRegressionsAndEveryKindOfRepair() throws IOException {
        List<MojibakeCase> all = cases().toList();
        assertEquals(588, all.size());
        assertEquals(33, all.stream().filter(c -> c.category().equals("regression")).count());
        for (String step : List.of("encode macroman", "encode cp437", "encode sloppy-windows-1251",
                "restore_byte_a0", "replace_lossy_sequences", "decode_inconsistent_utf8", "utf-8-variants",
                "fix_c1_controls", "decode windows-1252")) {
            assertEquals(true, all.stream().anyMatch(c -> c.category().contains(step)), step);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fixTextEqualsFtfy(MojibakeCase c) {
        assertEquals(c.fixedText(), TextFixer.fixText(c.text()), c.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void idsEqualReference(MojibakeCase c) {
        TokenizedBatch batch = TOKENIZER.tokenize(c.text());
        assertArrayEquals(c.ids(), batch.row(0), c.id());
        assertEquals(c.untruncatedLength(), batch.tokenCount(0), c.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cleanTextEqualsReference(MojibakeCase c) {
        assertEquals(c.cleanText(), TextCleaner.clean(c.text()), c.id());
    }
}
