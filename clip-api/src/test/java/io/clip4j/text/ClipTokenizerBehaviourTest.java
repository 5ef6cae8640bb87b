package io.clip4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4j.ClipException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** API behaviour: batches, truncation modes, decoding, locale independence, threads, bad input. */
class ClipTokenizerBehaviourTest {
    private static final ClipTokenizer TOKENIZER = ClipTokenizer.create();
    private static final Path VOCAB = ReferenceCases.testdata().resolve("tokenizer/bpe_simple_vocab_16e6.txt.gz");

    private static List<String> texts() {
        List<String> texts = new ArrayList<>();
        ReferenceCases.all().forEach(c -> texts.add(c.text()));
        return texts;
    }

    /** Reference ids (without padding) of a case that was not truncated. */
    private static long[] untruncatedIds(ReferenceCases.Case c) {
        return Arrays.copyOf(c.ids(), c.untruncatedLength());
    }

    @Test
    void bundledVocabularyHasReferenceSizeAndSpecialIds() {
        assertEquals(49408, TOKENIZER.vocabularySize());
        assertEquals(ClipTokenizer.START_OF_TEXT, TOKENIZER.startOfTextId());
        assertEquals(ClipTokenizer.END_OF_TEXT, TOKENIZER.endOfTextId());
        assertEquals(77, TOKENIZER.contextLength());
        assertTrue(TOKENIZER.truncates());
    }

    @Test
    void batchOfAllCasesEqualsReferenceRows() {
        TokenizedBatch batch = TOKENIZER.tokenize(texts());
        List<ReferenceCases.Case> cases = ReferenceCases.all();
        assertEquals(cases.size(), batch.size());
        long[] flat = batch.ids();
        assertEquals(cases.size() * 77, flat.length);
        int truncated = 0;
        for (int i = 0; i < cases.size(); i++) {
            assertArrayEquals(cases.get(i).ids(), Arrays.copyOfRange(flat, i * 77, (i + 1) * 77), cases.get(i).id());
            truncated += batch.truncated(i) ? 1 : 0;
        }
        assertEquals(6, truncated); // README: 6 cases are longer than 77 tokens
        assertTrue(batch.anyTruncated());
    }

    @Test
    void encodeEqualsReferenceTokensWithoutSpecialIds() {
        for (ReferenceCases.Case c : ReferenceCases.all()) {
            if (c.untruncatedLength() <= 77) {
                long[] ref = untruncatedIds(c);
                int[] ids = TOKENIZER.encode(c.text());
                assertEquals(ref.length - 2, ids.length, c.id());
                for (int k = 0; k < ids.length; k++) {
                    assertEquals(ref[k + 1], ids[k], c.id());
                }
            } else {
                assertEquals(c.untruncatedLength() - 2, TOKENIZER.encode(c.text()).length, c.id());
            }
        }
    }

    @Test
    void strictModeRejectsTooLongTextsNamingCountAndContextLength() {
        ClipTokenizer strict = TOKENIZER.withTruncation(false);
        assertFalse(strict.truncates());
        List<String> texts = texts();
        int first = -1;
        for (int i = 0; i < texts.size() && first < 0; i++) {
            if (ReferenceCases.all().get(i).untruncatedLength() > 77) {
                first = i;
            }
        }
        ContextLengthExceededException e = assertThrows(ContextLengthExceededException.class, () -> strict.tokenize(texts));
        ReferenceCases.Case c = ReferenceCases.all().get(first);
        assertEquals(first, e.textIndex());
        assertEquals(c.untruncatedLength(), e.tokenCount());
        assertEquals(77, e.contextLength());
        assertTrue(e.getMessage().contains(String.valueOf(c.untruncatedLength())) && e.getMessage().contains("77"));
        assertTrue(e instanceof ClipException);
        // The message quotes the text, as the reference's "Input {text} is too long ..." does ("text 3 needs ..."
        // named a 0-based index only, which ./clip tokenize --strict printed for its first argument as "text 0").
        ContextLengthExceededException named = assertThrows(ContextLengthExceededException.class,
                () -> strict.tokenize(List.of("a dog", "cat ".repeat(80).trim())));
        assertEquals("texts[1] \"" + "cat ".repeat(15) + "...\" needs 82 tokens (start/end of text included), more"
                + " than the context length 77", named.getMessage());
        assertEquals(1, named.textIndex());
        // Control characters are escaped: a caption's line break made the message span lines.
        ContextLengthExceededException oneLine = assertThrows(ContextLengthExceededException.class,
                () -> strict.tokenize(List.of("a\nb\r\tc\u0000\u2028 " + "cat ".repeat(80))));
        assertEquals("texts[0] \"a\\nb\\r\\tc\\u0000\\u2028 " + "cat ".repeat(12) + "cat...\" needs 85 tokens (start/end"
                + " of text included), more than the context length 77", oneLine.getMessage());
        // texts that fit are unaffected by strictness
        ReferenceCases.Case small = ReferenceCases.all().get(0);
        assertArrayEquals(small.ids(), strict.tokenize(small.text()).row(0));
    }

    @Test
    void otherContextLengthsFollowReferenceLayout() {
        for (int ctx : new int[] {1, 2, 5, 16, 100}) {
            ClipTokenizer t = TOKENIZER.withContextLength(ctx);
            for (ReferenceCases.Case c : ReferenceCases.all()) {
                if (c.untruncatedLength() > 77) {
                    continue; // the full reference sequence is only known when it fits in 77
                }
                long[] full = untruncatedIds(c);
                long[] expected = new long[ctx];
                System.arraycopy(full, 0, expected, 0, Math.min(ctx, full.length));
                if (full.length > ctx) {
                    expected[ctx - 1] = ClipTokenizer.END_OF_TEXT;
                }
                TokenizedBatch b = t.tokenize(c.text());
                assertArrayEquals(expected, b.row(0), c.id() + " ctx " + ctx);
                assertEquals(full.length > ctx, b.truncated(0));
                assertEquals(full.length, b.tokenCount(0));
            }
        }
    }

    @Test
    void decodeRowEqualsReferenceDecode() {
        for (ReferenceCases.Case c : ReferenceCases.all()) {
            if (c.untruncatedLength() <= 77) {
                assertEquals(c.decoded(), TOKENIZER.decodeRow(c.ids()), c.id());
            }
        }
    }

    @Test
    void decodeRendersSpecialIdsLiterally() {
        // SimpleTokenizer.decode maps 49406/49407 to their strings (no </w>, so no space)
        assertEquals("<|startoftext|>a <|endoftext|>", TOKENIZER.decode(new int[] {49406, TOKENIZER.encode("a")[0], 49407}));
        assertEquals("", TOKENIZER.decode(new int[0]));
    }

    @Test
    void resultsDoNotDependOnDefaultLocale() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.forLanguageTag("tr-TR"));
            ClipTokenizer t = ClipTokenizer.fromVocabulary(VOCAB);
            for (ReferenceCases.Case c : ReferenceCases.all()) {
                assertArrayEquals(c.ids(), t.tokenize(c.text()).row(0), c.id());
                assertEquals(c.cleanText(), TextCleaner.clean(c.text()), c.id());
            }
            // the dotted/dotless i pair is where a Turkish toLowerCase/toUpperCase would differ
            assertArrayEquals(TOKENIZER.encode("istanbul"), t.encode("ISTANBUL"));
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void concurrentTokenizationGivesReferenceIds() throws Exception {
        ClipTokenizer shared = ClipTokenizer.fromVocabulary(VOCAB); // cold cache, filled concurrently
        List<ReferenceCases.Case> cases = ReferenceCases.all();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int thread = 0; thread < 8; thread++) {
                long seed = thread;
                results.add(pool.submit(() -> {
                    List<ReferenceCases.Case> order = new ArrayList<>(cases);
                    Collections.shuffle(order, new Random(seed));
                    int checked = 0;
                    for (int round = 0; round < 3; round++) {
                        for (ReferenceCases.Case c : order) {
                            assertArrayEquals(c.ids(), shared.tokenize(c.text()).row(0), c.id());
                            checked++;
                        }
                    }
                    return checked;
                }));
            }
            for (Future<Integer> f : results) {
                assertEquals(3 * cases.size(), f.get(5, TimeUnit.MINUTES));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void fromVocabularyWithReferenceFileEqualsBundled() {
        ClipTokenizer t = ClipTokenizer.fromVocabulary(VOCAB);
        assertEquals(49408, t.vocabularySize());
        for (ReferenceCases.Case c : ReferenceCases.all()) {
            assertArrayEquals(TOKENIZER.encode(c.text()), t.encode(c.text()), c.id());
        }
    }

    @Test
    void smallMergesFileBuildsReferenceStyleVocabulary(@TempDir Path dir) throws IOException {
        // vocabulary = 256 bytes, 256 bytes + </w>, one entry per merge, then the two special tokens
        Path file = gzip(dir.resolve("small.txt.gz"), "#version: 0.2\nh e\nl l\nhe ll\nhell o</w>\n");
        ClipTokenizer t = ClipTokenizer.fromVocabulary(file);
        assertEquals(512 + 4 + 2, t.vocabularySize());
        assertEquals(516, t.startOfTextId());
        assertEquals(517, t.endOfTextId());
        assertArrayEquals(new int[] {515}, t.encode("Hello"));
        assertEquals("hello ", t.decode(t.encode("Hello")));
        long[] row = t.withContextLength(4).tokenize("hello").row(0);
        assertArrayEquals(new long[] {516, 515, 517, 0}, row);
    }

    @Test
    void badVocabularyFilesGiveVocabularyException(@TempDir Path dir) throws IOException {
        VocabularyException missing = assertThrows(VocabularyException.class,
                () -> ClipTokenizer.fromVocabulary(dir.resolve("none.gz")));
        assertEquals("BPE merges file " + dir.resolve("none.gz") + " not found", missing.getMessage());
        Path notGzip = Files.writeString(dir.resolve("plain.txt"), "#version: 0.2\na b\n");
        assertThrows(VocabularyException.class, () -> ClipTokenizer.fromVocabulary(notGzip));
        Path malformed = gzip(dir.resolve("bad.txt.gz"), "#version: 0.2\na b\nabc\n");
        VocabularyException e = assertThrows(VocabularyException.class, () -> ClipTokenizer.fromVocabulary(malformed));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        // Found by fuzzing the CLI (clip tokenize --vocab /dev/null): an empty file, where GZIPInputStream throws an
        // EOFException without a message, read "cannot read BPE merges file ...: null".
        Path empty = Files.write(dir.resolve("empty.gz"), new byte[0]);
        e = assertThrows(VocabularyException.class, () -> ClipTokenizer.fromVocabulary(empty));
        assertEquals("cannot read BPE merges file " + empty + ": empty, or cut short inside the gzip header",
                e.getMessage());
    }

    @Test
    void mergesFileThatIsNotUtf8IsRefused(@TempDir Path dir) throws IOException {
        // Seen while reviewing the loader during fuzzing (such a file loads, so no exception flagged it): a damaged
        // byte (here a lone 0xE9, Latin-1 'é') loaded as a merge of U+FFFD, where the reference's
        // read().decode("utf-8") raises.
        Path file = dir.resolve("latin1.txt.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write("#version: 0.2\nh e\ncaf \u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        VocabularyException e = assertThrows(VocabularyException.class, () -> ClipTokenizer.fromVocabulary(file));
        assertTrue(e.getMessage().contains("latin1.txt.gz is not UTF-8 text: malformed bytes at byte 22 (line 3)"),
                e.getMessage());
        // The same merge in UTF-8 loads.
        Path utf8 = gzip(dir.resolve("utf8.txt.gz"), "#version: 0.2\nh e\ncaf \u00e9\n");
        assertEquals(512 + 2 + 2, ClipTokenizer.fromVocabulary(utf8).vocabularySize());
    }

    @Test
    void mergesFileThatExpandsToGigabytesIsNotReadWhole(@TempDir Path dir) throws IOException {
        // Found by fuzzing: 1.2 MB of gzip holding 1.2 GB of text (or one endless line) used to be decompressed
        // whole, and ran out of heap. Only the first 48,895 lines count, so at most 16 MiB is read.
        byte[] endless = new byte[1 << 20];
        Arrays.fill(endless, (byte) 'a');
        Path longLine = dir.resolve("long-line.txt.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(longLine))) {
            out.write("#version: 0.2\n".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 17; i++) {
                out.write(endless);
            }
        }
        VocabularyException e = assertThrows(VocabularyException.class, () -> ClipTokenizer.fromVocabulary(longLine));
        assertTrue(e.getMessage().contains("long-line.txt.gz: its first 48895 lines take more than 16 MiB"),
                e.getMessage());
        // The lines after the used ones may be anything, however long: they are never read.
        Path longTail = dir.resolve("long-tail.txt.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(longTail))) {
            out.write(("#version: 0.2\n" + "h e\n".repeat(48894)).getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 17; i++) {
                out.write(endless);
            }
        }
        assertEquals(512 + 48894 + 2, ClipTokenizer.fromVocabulary(longTail).vocabularySize());
    }

    /**
     * Only the first 48,895 lines are cut out of a merges file: around that count, with and without a final line
     * break, it keeps the merges that splitting the whole text kept (every merge up to 48,894, a final empty line
     * none).
     */
    @Test
    void mergeCountAroundTheLimitWithAndWithoutAFinalLineBreak(@TempDir Path dir) throws IOException {
        for (int merges = 48892; merges <= 48896; merges++) {
            for (String end : new String[] {"\n", "", "\n\n"}) {
                String body = "h e\n".repeat(merges);
                Path file = gzip(dir.resolve(merges + "-" + end.length() + ".txt.gz"),
                        "#version: 0.2\n" + body.substring(0, body.length() - 1) + end);
                // A second final line break is an empty line, a bad merge, when it is among the used lines.
                if (end.length() == 2 && merges < 48894) {
                    assertThrows(VocabularyException.class, () -> ClipTokenizer.fromVocabulary(file));
                    continue;
                }
                assertEquals(512 + Math.min(merges, 48894) + 2, ClipTokenizer.fromVocabulary(file).vocabularySize(),
                        merges + " merges, end " + end.length());
            }
        }
    }

    @Test
    void invalidArgumentsAreRejectedWithClearMessages() {
        assertThrows(IllegalArgumentException.class, () -> TOKENIZER.encode(null));
        assertThrows(IllegalArgumentException.class, () -> TOKENIZER.tokenize((String) null));
        assertThrows(IllegalArgumentException.class, () -> TOKENIZER.tokenize((List<String>) null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TOKENIZER.tokenize(Arrays.asList("a", null)));
        assertTrue(e.getMessage().contains("texts[1]"));
        assertThrows(IllegalArgumentException.class, () -> TOKENIZER.withContextLength(0));
        assertThrows(IllegalArgumentException.class, () -> TOKENIZER.decode(new int[] {49408}));
        assertThrows(IllegalArgumentException.class, () -> TOKENIZER.decode(new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> TOKENIZER.decodeRow(new long[] {49406, 1L << 40}));
        assertThrows(IllegalArgumentException.class, () -> ClipTokenizer.fromVocabulary(null));
        TokenizedBatch b = TOKENIZER.tokenize("a");
        assertThrows(IndexOutOfBoundsException.class, () -> b.row(1));
        assertEquals(0, TOKENIZER.tokenize(List.of()).size());
    }

    @Test
    void contextLengthIsBoundedAndBatchSizesCannotOverflow() {
        // Integer.MAX_VALUE used to end in OutOfMemoryError, and 2^30 with two texts in an ArithmeticException.
        for (int bad : new int[] {ClipTokenizer.MAX_CONTEXT_LENGTH + 1, 1 << 30, Integer.MAX_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TOKENIZER.withContextLength(bad));
            assertTrue(e.getMessage().contains("[1, 65536], got " + bad), e.getMessage());
        }
        ClipTokenizer widest = TOKENIZER.withContextLength(ClipTokenizer.MAX_CONTEXT_LENGTH);
        long[] row = widest.tokenize("hello").row(0);
        assertEquals(65536, row.length);
        assertArrayEquals(TOKENIZER.tokenize("hello").row(0), Arrays.copyOf(row, 77));
        // 32768 rows of 65536 ids are 2^31 ids, one array too many: refused before any text is encoded.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> widest.tokenize(Collections.nCopies(32768, "a")));
        assertTrue(e.getMessage().contains("[32768, 65536] would hold 2147483648 elements"), e.getMessage());
    }

    @Test
    void loneSurrogatesDoNotBreakEncoding() {
        // Python strings cannot hold them in UTF-8; ftfy's fix_surrogates turns them into U+FFFD
        assertArrayEquals(TOKENIZER.encode("a \uFFFD b"), TOKENIZER.encode("a \uD800 b"));
    }

    private static Path gzip(Path file, String content) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }
}
