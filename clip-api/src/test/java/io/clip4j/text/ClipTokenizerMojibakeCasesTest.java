package io.clip4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

    static Stream<ReferenceCases.GeneratedCase> cases() {
        return ReferenceCases.generated("mojibake-cases.jsonl").stream();
    }

    @Test
    void fixtureHasRegressionsAndEveryKindOfRepair() {
        List<ReferenceCases.GeneratedCase> all = cases().toList();
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
    void fixTextEqualsFtfy(ReferenceCases.GeneratedCase c) {
        assertEquals(c.fixedText(), TextFixer.fixText(c.text()), c.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void idsEqualReference(ReferenceCases.GeneratedCase c) {
        TokenizedBatch batch = TOKENIZER.tokenize(c.text());
        assertArrayEquals(c.ids(), batch.row(0), c.id());
        assertEquals(c.untruncatedLength(), batch.tokenCount(0), c.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cleanTextEqualsReference(ReferenceCases.GeneratedCase c) {
        assertEquals(c.cleanText(), TextCleaner.clean(c.text()), c.id());
    }
}
