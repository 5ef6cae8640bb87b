package io.clip4j.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BpeModel#bpe} (linked list + heap) against a line-by-line transcription of the reference
 * {@code SimpleTokenizer.bpe}, which works on strings and is quadratic in the word length.
 */
class BpeModelTest {
    private static final Path VOCAB = ReferenceCases.testdata().resolve("tokenizer/bpe_simple_vocab_16e6.txt.gz");
    private static BpeModel model;
    private static ReferenceBpe reference;
    /** Token strings of the vocabulary, without {@code </w>}, as the bytes they stand for. */
    private static List<byte[]> tokenBytes;

    @BeforeAll
    static void load() throws IOException {
        model = loadModel(VOCAB);
        reference = new ReferenceBpe(VOCAB);
        tokenBytes = new ArrayList<>();
        for (int id = 0; id < model.size(); id++) {
            String t = model.token(id);
            if (t != null && !t.startsWith("<|")) {
                tokenBytes.add(bytesOf(t.endsWith("</w>") ? t.substring(0, t.length() - 4) : t));
            }
        }
    }

    /**
     * Transcription of openai/CLIP's {@code SimpleTokenizer.bpe} (simple_tokenizer.py), kept as the
     * oracle: merges {@code [1:49152-256-2+1]} of the file as {@code bpe_ranks} (a later duplicate
     * wins), the same vocabulary order for {@code encoder}, and the same quadratic merge loop on
     * strings. Finding the minimum by a scan instead of over {@code get_pairs}' set gives the same
     * bigram: only unranked pairs can tie. Like {@link BpeModel#load}, the newline that ends a short
     * file is not a merge.
     */
    static final class ReferenceBpe {
        /** {@code bpe_ranks} as first -> second -> rank (no string building in the loop). */
        private final Map<String, Map<String, Integer>> bpeRanks = new HashMap<>();
        private final Map<String, Integer> encoder = new HashMap<>();

        ReferenceBpe(Path mergesGz) throws IOException {
            String text;
            try (InputStream in = new GZIPInputStream(Files.newInputStream(mergesGz))) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String[] lines = text.split("\n", -1);
            List<String> vocab = new ArrayList<>();
            for (char c : ByteLevel.ALPHABET) {
                vocab.add(String.valueOf(c));
            }
            for (char c : ByteLevel.ALPHABET) {
                vocab.add(c + "</w>");
            }
            for (int i = 1; i < Math.min(lines.length, 49152 - 256 - 2 + 1); i++) {
                if (i == lines.length - 1 && lines[i].isEmpty()) {
                    break;
                }
                String[] m = lines[i].trim().split(" +");
                bpeRanks.computeIfAbsent(m[0], k -> new HashMap<>()).put(m[1], i - 1);
                vocab.add(m[0] + m[1]);
            }
            vocab.add("<|startoftext|>");
            vocab.add("<|endoftext|>");
            for (int id = 0; id < vocab.size(); id++) {
                encoder.put(vocab.get(id), id);
            }
        }

        int[] bpe(byte[] bytes) {
            List<String> word = new ArrayList<>();
            for (int i = 0; i < bytes.length; i++) {
                String c = String.valueOf(ByteLevel.BYTE_TO_CHAR[bytes[i] & 0xFF]);
                word.add(i == bytes.length - 1 ? c + "</w>" : c);
            }
            while (word.size() > 1) {
                String first = null;
                String second = null;
                int best = Integer.MAX_VALUE;
                for (int k = 0; k + 1 < word.size(); k++) {
                    Map<String, Integer> seconds = bpeRanks.get(word.get(k));
                    Integer r = seconds == null ? null : seconds.get(word.get(k + 1));
                    if (r != null && r < best) {
                        best = r;
                        first = word.get(k);
                        second = word.get(k + 1);
                    }
                }
                if (first == null) {
                    break;
                }
                List<String> newWord = new ArrayList<>();
                int i = 0;
                while (i < word.size()) {
                    if (word.get(i).equals(first) && i < word.size() - 1 && word.get(i + 1).equals(second)) {
                        newWord.add(first + second);
                        i += 2;
                    } else {
                        newWord.add(word.get(i));
                        i += 1;
                    }
                }
                word = newWord;
            }
            int[] ids = new int[word.size()];
            for (int k = 0; k < ids.length; k++) {
                ids[k] = encoder.get(word.get(k));
            }
            return ids;
        }
    }

    private static byte[] bytesOf(String byteLevel) {
        byte[] b = new byte[byteLevel.length()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) ByteLevel.byteOf(byteLevel.charAt(i));
        }
        return b;
    }

    private static void assertSameAsReference(byte[] word, String what) {
        assertArrayEquals(reference.bpe(word), model.bpe(word), what);
    }

    private static String utf8Desc(byte[] word) {
        String s = new String(word, StandardCharsets.UTF_8);
        return word.length + " bytes: " + (s.length() > 60 ? s.substring(0, 60) + "..." : s);
    }

    @Test
    void handPickedWordsEqualReference() {
        String[] words = {"a", "aa", "aaa", "aaaa", "aaaaa", "aaaaaaaaaaaaaaaaa", "ab", "abab", "ababa", "abababababa",
            "ssss", "sssssss", "eeeeeeeeeee", "lll", "oooooo", "hello", "mississippi", "bookkeeper", "lowercase",
            "antidisestablishmentarianism", "ing", "inging", "ingingi", "thethethe", "tttttttttttttth", "1234567890",
            "00000000", "!!!!!!", "....", "é", "ééé", "中文中文中文", "日本語", "😀😀😀😀", "👍🏽", "🇺🇸🇺🇸"};
        for (String w : words) {
            byte[] b = w.getBytes(StandardCharsets.UTF_8);
            assertSameAsReference(b, w);
        }
        // a few ids by hand, so that the two implementations cannot agree on something wrong
        assertArrayEquals(new int[] {3306}, model.bpe("hello".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void randomWordsEqualReference() {
        Random rnd = new Random(20261207L);
        String[] fragments = {"the", "ing", "tion", "er", "an", "re", "on", "at", "en", "nd", "ti", "es", "or",
            "te", "of", "ed", "is", "it", "al", "ar", "st", "to", "nt", "ng", "se", "ha", "as", "ou", "io", "le",
            "ve", "co", "me", "de", "hi", "ri", "ro", "ic", "ne", "ea", "ra", "ce", "ly", "ness", "ment", "able"};
        int words = 0;
        for (int kind = 0; kind < 7; kind++) {
            for (int k = 0; k < 120; k++) {
                // mostly short, some up to 2000 bytes
                int len = 1 + (k % 4 == 0 ? rnd.nextInt(2000) : rnd.nextInt(k % 4 == 1 ? 200 : 30));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                switch (kind) {
                    case 0: // random lowercase letters
                        while (out.size() < len) {
                            out.write('a' + rnd.nextInt(26));
                        }
                        break;
                    case 1: { // a short unit repeated: "aaaa", "abab", "abcabc", ...
                        byte[] unit = new byte[1 + rnd.nextInt(4)];
                        for (int i = 0; i < unit.length; i++) {
                            unit[i] = (byte) ('a' + rnd.nextInt(k % 2 == 0 ? 3 : 26));
                        }
                        while (out.size() < len) {
                            out.write(unit, 0, unit.length);
                        }
                        break;
                    }
                    case 2: // common English fragments
                        while (out.size() < len) {
                            out.writeBytes(fragments[rnd.nextInt(fragments.length)].getBytes(StandardCharsets.UTF_8));
                        }
                        break;
                    case 3: // vocabulary tokens glued together (long merge chains)
                        while (out.size() < len) {
                            out.writeBytes(tokenBytes.get(rnd.nextInt(tokenBytes.size())));
                        }
                        break;
                    case 4: { // UTF-8 text: Latin-1, Greek, CJK, emoji, letters
                        StringBuilder sb = new StringBuilder();
                        while (sb.toString().getBytes(StandardCharsets.UTF_8).length < len) {
                            int[] starts = {'a', 0xE0, 0x3B1, 0x4E00, 0x1F600, 0x1F300};
                            int[] spans = {26, 32, 25, 0x5200, 80, 0x300};
                            int s = rnd.nextInt(starts.length);
                            sb.appendCodePoint(starts[s] + rnd.nextInt(spans[s]));
                        }
                        out.writeBytes(sb.toString().getBytes(StandardCharsets.UTF_8));
                        break;
                    }
                    case 5: // one emoji or CJK character repeated (multi-byte periodic input)
                        byte[] unit = new String(Character.toChars(k % 2 == 0 ? 0x1F600 + rnd.nextInt(80)
                                : 0x4E00 + rnd.nextInt(0x5200))).getBytes(StandardCharsets.UTF_8);
                        while (out.size() < len) {
                            out.write(unit, 0, unit.length);
                        }
                        break;
                    default: // any bytes (bpe itself does not need valid UTF-8)
                        while (out.size() < len) {
                            out.write(rnd.nextInt(256));
                        }
                }
                byte[] word = out.toByteArray();
                assertSameAsReference(word, "kind " + kind + ", " + utf8Desc(word));
                words++;
            }
        }
        assertEquals(840, words);
    }

    /**
     * Merges files where a merge makes a pair of a LOWER rank than its own. The reference still
     * finishes the current pass first: in "xababz" with merges (x ab), (xab a), (a b), both "a b"
     * become "ab" before "x ab" is merged, so "xaba" never forms. CLIP's own file cannot show
     * this (no merge there uses a token that a later merge makes again), hence the synthetic files:
     * one by hand, and random ones over a three-letter alphabet whose merges are shuffled.
     */
    @Test
    void mergeThatMakesALowerRankedPairFinishesItsPassFirst(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("lower.txt.gz");
        writeGzip(file, "#version: test\nx ab\nxab a\na b\n");
        BpeModel small = loadModel(file);
        byte[] word = "xababz".getBytes(StandardCharsets.UTF_8);
        int xab = 512; // ids: 256 bytes, 256 bytes with </w>, then one per merge
        int ab = 514;
        int zEnd = 256 + new String(ByteLevel.ALPHABET).indexOf('z');
        assertEquals("xab", small.token(xab));
        assertEquals("ab", small.token(ab));
        assertEquals("z</w>", small.token(zEnd));
        assertArrayEquals(new int[] {xab, ab, zEnd}, small.bpe(word));
        assertArrayEquals(new ReferenceBpe(file).bpe(word), small.bpe(word));

        Random rnd = new Random(7);
        for (int f = 0; f < 40; f++) {
            // random merges of tokens made so far, then shuffled: many use a token only made later
            List<String> tokens = new ArrayList<>(Arrays.asList("a", "b", "c", "a</w>", "b</w>", "c</w>"));
            List<String> merges = new ArrayList<>();
            for (int m = 0; m < 60; m++) {
                String first;
                do {
                    first = tokens.get(rnd.nextInt(tokens.size()));
                } while (first.endsWith("</w>"));
                String second = tokens.get(rnd.nextInt(tokens.size()));
                merges.add(first + " " + second);
                tokens.add(first + second);
            }
            Collections.shuffle(merges, rnd);
            Path random = dir.resolve("random" + f + ".txt.gz");
            writeGzip(random, "#version: test\n" + String.join("\n", merges) + "\n");
            BpeModel m = loadModel(random);
            ReferenceBpe ref = new ReferenceBpe(random);
            for (int k = 0; k < 50; k++) {
                byte[] w = new byte[1 + rnd.nextInt(k % 5 == 0 ? 300 : 20)];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (byte) ('a' + rnd.nextInt(3));
                }
                assertArrayEquals(ref.bpe(w), m.bpe(w), "file " + f + ": " + String.join("|", merges) + ", word "
                        + new String(w, StandardCharsets.US_ASCII));
            }
        }
    }

    private static void writeGzip(Path file, String content) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static BpeModel loadModel(Path mergesGz) throws IOException {
        try (InputStream in = Files.newInputStream(mergesGz)) {
            return BpeModel.load(in, mergesGz.toString());
        }
    }

    /**
     * A million letters in one word (CLIP's pre-tokeniser keeps a run of letters together) through
     * the whole tokenizer. Correctness only; speed is measured by hand (docs/benchmarks.md). The word
     * repeats a 10-letter unit, so its ids must be those of a 20,000-letter version (checked against
     * the reference) with the periodic middle stretched.
     */
    @Test
    void millionLetterWordIsTheShortVersionStretched() {
        String unit = "tokenizers";
        ClipTokenizer tokenizer = ClipTokenizer.fromVocabulary(VOCAB); // own cache, dropped after the test
        int[] small = tokenizer.encode(unit.repeat(2_000));
        assertArrayEquals(reference.bpe(unit.repeat(2_000).getBytes(StandardCharsets.UTF_8)), small);

        // the period of the ids in the middle of the short version, and the letters it covers
        int mid = small.length / 2;
        int period = 1;
        while (!periodic(small, small.length / 4, 3 * small.length / 4, period)) {
            period++;
            assertTrue(period < 100, "no period in the middle of the 20,000-letter word's ids");
        }
        int letters = 0;
        for (int k = mid; k < mid + period; k++) {
            letters += model.token(small[k]).length();
        }
        assertEquals(0, letters % unit.length());
        int extraPeriods = (1_000_000 - 20_000) / letters;
        assertEquals(1_000_000 - 20_000, extraPeriods * letters);

        int[] expected = new int[small.length + extraPeriods * period];
        System.arraycopy(small, 0, expected, 0, mid);
        for (int p = 0; p < extraPeriods; p++) {
            System.arraycopy(small, mid, expected, mid + p * period, period);
        }
        System.arraycopy(small, mid, expected, mid + extraPeriods * period, small.length - mid);
        assertArrayEquals(expected, tokenizer.encode(unit.repeat(100_000)));
    }

    private static boolean periodic(int[] ids, int from, int to, int period) {
        for (int k = from; k + period < to; k++) {
            if (ids[k] != ids[k + period]) {
                return false;
            }
        }
        return true;
    }
    /** BpeModel.twoSymbols replaces {@code line.trim().split(" +")}: the same symbols, or null where that fails. */
    @Test
    void twoSymbolsSplitsLikeTheRegularExpression() {
        List<String> lines = new ArrayList<>(Arrays.asList("", " ", "a", "a b", " a b ", "a  b", "a   b\r", "\ta b\t",
                "a\tb", "a b c", "a b  c", "ab</w> cd", "a\u00a0b", "\u3000a b", "a\u2003b c", " \t "));
        Random rnd = new Random(31);
        String alphabet = "ab \t\r\u00a0\u3000";
        for (int n = 0; n < 2000; n++) {
            StringBuilder b = new StringBuilder();
            for (int len = rnd.nextInt(7); len > 0; len--) {
                b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            lines.add(b.toString());
        }
        for (String line : lines) {
            String[] parts = line.trim().split(" +");
            String[] expected = parts.length == 2 && !parts[0].isEmpty() ? parts : null;
            assertArrayEquals(expected, BpeModel.twoSymbols(line), "'" + line + "'");
        }
    }
}
