package io.clip4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    static Stream<ReferenceCases.GeneratedCase> cases() {
        return ReferenceCases.generated("fuzz-cases.jsonl").stream();
    }

    @Test
    void fixtureHasRegressionsAndGeneratedCases() {
        List<ReferenceCases.GeneratedCase> all = cases().toList();
        assertEquals(308, all.size());
        assertEquals(8, all.stream().filter(c -> c.category().equals("regression")).count());
        assertTrue(all.stream().anyMatch(c -> c.untruncatedLength() > 77), "some cases are truncated");
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
