package io.clip4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every reference case: ids, cleaned text, BPE token strings, decode and truncation info. */
class ClipTokenizerReferenceTest {
    private static final ClipTokenizer TOKENIZER = ClipTokenizer.create();

    static Stream<ReferenceCases.Case> cases() {
        return ReferenceCases.all().stream();
    }

    @Test
    void fixtureHasAllCases() {
        assertEquals(301, ReferenceCases.all().size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void idsEqualReference(ReferenceCases.Case c) {
        TokenizedBatch batch = TOKENIZER.tokenize(c.text());
        assertArrayEquals(c.ids(), batch.row(0), () -> "ids of " + c.id() + " text=" + c.text());
        assertEquals(c.untruncatedLength(), batch.tokenCount(0));
        assertEquals(c.untruncatedLength() > 77, batch.truncated(0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cleanTextEqualsReference(ReferenceCases.Case c) {
        assertEquals(c.cleanText(), TextCleaner.clean(c.text()), () -> "clean_text of " + c.id());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bpeTokensAndDecodeEqualReference(ReferenceCases.Case c) {
        int[] ids = TOKENIZER.encode(c.text());
        List<String> tokens = new ArrayList<>();
        for (int id : ids) {
            tokens.add(TOKENIZER.tokenString(id));
        }
        assertEquals(c.bpeTokens(), tokens, () -> "bpe_tokens of " + c.id());
        assertEquals(c.decoded(), TOKENIZER.decode(ids), () -> "decoded of " + c.id());
    }
}
