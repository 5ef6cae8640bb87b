package io.clip4j.text;

import io.clip4j.math.ArraySizes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * CLIP's byte-level BPE tokenizer, equal to the reference {@code clip.tokenize} /
 * {@code SimpleTokenizer} of openai/CLIP ({@code clip/simple_tokenizer.py}): text cleaning
 * (an ftfy {@code fix_text} equivalent, {@code html.unescape} twice, whitespace collapsing, Python
 * {@code str.lower()}), the reference pre-tokeniser regex with Unicode 15.0 classes, byte-level
 * BPE with the 48,894 merges of {@code bpe_simple_vocab_16e6.txt.gz}, and the
 * {@code [49406] + tokens + [49407]} layout zero-padded to {@code context_length}.
 *
 * <p>Results do not depend on the JVM's default locale or Unicode version (the Unicode data the
 * reference uses is bundled). The text repair step follows ftfy 6.3.1's {@code fix_text}, its mojibake
 * repair included (ftfy's algorithm, with its heuristic and codec tables generated from ftfy).
 *
 * <p>Instances are immutable and thread-safe; the {@code with...} methods return new instances
 * sharing the same vocabulary (and its bounded BPE cache).
 */
public final class ClipTokenizer {
    /** Default {@code context_length} of every published CLIP model. */
    public static final int DEFAULT_CONTEXT_LENGTH = 77;
    /**
     * The largest {@code context_length} accepted: far above every published CLIP variant (77 to a few hundred),
     * and low enough that a row stays a modest allocation instead of an OutOfMemoryError.
     */
    public static final int MAX_CONTEXT_LENGTH = 65536;
    /** Id of {@code <|startoftext|>} in the bundled vocabulary. */
    public static final int START_OF_TEXT = 49406;
    /** Id of {@code <|endoftext|>} in the bundled vocabulary. */
    public static final int END_OF_TEXT = 49407;
    private static final String BUNDLED = "bpe_simple_vocab_16e6.txt.gz";

    private final BpeModel model;
    private final int contextLength;
    private final boolean truncate;

    private ClipTokenizer(BpeModel model, int contextLength, boolean truncate) {
        this.model = model;
        this.contextLength = contextLength;
        this.truncate = truncate;
    }

    /**
     * The bundled vocabulary, shared by every {@link #create()} result; null until read. Not a holder class: a
     * failure in its static initialiser surfaced as ExceptionInInitializerError, and then NoClassDefFoundError on
     * every later call, instead of the documented VocabularyException.
     */
    private static volatile BpeModel bundled;

    private static BpeModel bundled() {
        BpeModel m = bundled;
        if (m == null) {
            synchronized (ClipTokenizer.class) {
                m = bundled;
                if (m == null) {
                    InputStream in = ClipTokenizer.class.getResourceAsStream(BUNDLED);
                    if (in == null) {
                        throw new VocabularyException("missing resource io/clip4j/text/" + BUNDLED);
                    }
                    m = BpeModel.load(in, "resource io/clip4j/text/" + BUNDLED);
                    bundled = m;
                }
            }
        }
        return m;
    }

    /**
     * The tokenizer of the published CLIP models: bundled {@code bpe_simple_vocab_16e6.txt.gz}
     * (49,408 ids), {@code context_length} 77, truncation on (like {@code truncate=True}). The
     * vocabulary is read once per class loader, on first use.
     *
     * @return the shared-vocabulary tokenizer
     * @throws VocabularyException if the bundled resource is missing or unreadable (on every call: a failed read is
     *                             not remembered)
     */
    public static ClipTokenizer create() {
        return new ClipTokenizer(bundled(), DEFAULT_CONTEXT_LENGTH, true);
    }

    /**
     * A tokenizer for another gzipped merges file in the format of
     * {@code bpe_simple_vocab_16e6.txt.gz} (a header line, then one "a b" merge per line). Like the
     * reference, at most the first 48,894 merges are used; the vocabulary is the 256 byte
     * symbols, the same with {@code </w>}, one entry per merge, then {@code <|startoftext|>} and
     * {@code <|endoftext|>} (see {@link #startOfTextId()}). {@code context_length} 77, truncation on.
     *
     * @param mergesGz path of the gzipped merges file
     * @return a new tokenizer with its own vocabulary
     * @throws VocabularyException if the file cannot be read, is not gzip, is not UTF-8 text (as the reference,
     *                             which decodes it strictly), has a malformed line, or its first 48,895 lines take
     *                             more than 16 MiB
     * @throws IllegalArgumentException if {@code mergesGz} is null
     */
    public static ClipTokenizer fromVocabulary(Path mergesGz) {
        if (mergesGz == null) {
            throw new IllegalArgumentException("mergesGz is null");
        }
        try (InputStream in = Files.newInputStream(mergesGz)) {
            return new ClipTokenizer(BpeModel.load(in, mergesGz.toString()), DEFAULT_CONTEXT_LENGTH, true);
        } catch (NoSuchFileException e) {
            throw new VocabularyException("BPE merges file " + mergesGz + " not found", e);
        } catch (IOException e) {
            throw new VocabularyException("cannot read BPE merges file " + mergesGz + ": " + e, e);
        }
    }

    /**
     * Returns a tokenizer with another context_length.
     *
     * @param contextLength the {@code context_length} of {@link #tokenize} rows, in
     *     {@code [1, }{@link #MAX_CONTEXT_LENGTH}{@code ]} (the reference accepts 1: every row is then
     *     {@code [49407]})
     * @return a tokenizer like this one with another context length
     * @throws IllegalArgumentException if {@code contextLength} is outside that range
     */
    public ClipTokenizer withContextLength(int contextLength) {
        if (contextLength < 1 || contextLength > MAX_CONTEXT_LENGTH) {
            throw new IllegalArgumentException("context_length must be in [1, " + MAX_CONTEXT_LENGTH + "], got "
                    + contextLength);
        }
        return new ClipTokenizer(model, contextLength, truncate);
    }

    /**
     * Returns a tokenizer that truncates too-long texts or throws for them.
     *
     * @param truncate true (default) to cut too-long texts like {@code truncate=True} (keep the
     *     first {@code context_length} ids, the last one replaced by end-of-text, and report it in
     *     {@link TokenizedBatch#truncated(int)}); false to throw
     *     {@link ContextLengthExceededException} like {@code truncate=False}
     * @return a tokenizer like this one with the given truncation mode
     */
    public ClipTokenizer withTruncation(boolean truncate) {
        return new ClipTokenizer(model, contextLength, truncate);
    }

    /** {@return the {@code context_length} of {@link #tokenize} rows} */
    public int contextLength() {
        return contextLength;
    }

    /** {@return true if too-long texts are truncated, false if they raise an exception} */
    public boolean truncates() {
        return truncate;
    }

    /** {@return the number of token ids, special tokens included (49,408 for the bundled vocabulary)} */
    public int vocabularySize() {
        return model.size();
    }

    /** {@return the id of {@code <|startoftext|>} (vocabulary size - 2; 49406 when bundled)} */
    public int startOfTextId() {
        return model.startId;
    }

    /** {@return the id of {@code <|endoftext|>} (vocabulary size - 1; 49407 when bundled)} */
    public int endOfTextId() {
        return model.endId;
    }

    /** Token string of an id (byte-level alphabet), or null; for tests. */
    String tokenString(int id) {
        return model.token(id);
    }

    /**
     * BPE ids of one text without start/end tokens and without any length limit: the reference
     * {@code SimpleTokenizer().encode(text)}. The literal strings {@code <|startoftext|>} and
     * {@code <|endoftext|>} inside the text become their special ids, as in the reference.
     *
     * @param text any string (may be empty)
     * @return ids in {@code [0, vocabularySize())}
     * @throws IllegalArgumentException if {@code text} is null
     */
    public int[] encode(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text is null");
        }
        IntList out = new IntList(text.length() / 3 + 4);
        encodeInto(text, out);
        return out.toArray();
    }

    private void encodeInto(String text, IntList out) {
        String cleaned = TextCleaner.clean(text);
        IntList bounds = new IntList(64); // grows if needed
        PreTokenizer.split(cleaned, bounds);
        for (int k = 0; k < bounds.size(); k += 2) {
            model.encodePiece(cleaned, bounds.get(k), bounds.get(k + 1), out);
        }
    }

    /**
     * One text as a batch of one row; see {@link #tokenize(List)}.
     *
     * @param text the text
     * @return a batch of shape {@code [1, context_length]}
     * @throws IllegalArgumentException if {@code text} is null
     * @throws ContextLengthExceededException if strict and the text is too long
     */
    public TokenizedBatch tokenize(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text is null");
        }
        return tokenize(List.of(text));
    }

    /**
     * The reference {@code clip.tokenize(texts, context_length, truncate)}: row i is
     * {@code [startOfText] + encode(texts[i]) + [endOfText]}, zero-padded to
     * {@code context_length}; too-long rows are truncated or rejected (see
     * {@link #withTruncation(boolean)}).
     *
     * @param texts the texts (an empty list gives an empty batch)
     * @return ids of shape {@code [texts.size(), context_length]} with per-text token counts
     * @throws IllegalArgumentException if {@code texts} or one of its elements is null, or
     *     {@code texts.size() * context_length} exceeds the largest Java array ({@link ArraySizes#MAX_LENGTH})
     * @throws ContextLengthExceededException if strict and a text needs more than
     *     {@code context_length} tokens (the exception names the first such text: its index and
     *     beginning)
     */
    public TokenizedBatch tokenize(List<String> texts) {
        if (texts == null) {
            throw new IllegalArgumentException("texts is null");
        }
        int n = texts.size();
        long[] ids = new long[ArraySizes.product("token ids", n, contextLength)];
        int[] counts = new int[n];
        IntList tokens = new IntList(contextLength + 2);
        for (int i = 0; i < n; i++) {
            String text = texts.get(i);
            if (text == null) {
                throw new IllegalArgumentException("texts[" + i + "] is null");
            }
            tokens.clear();
            tokens.add(model.startId);
            encodeInto(text, tokens);
            tokens.add(model.endId);
            int count = tokens.size();
            counts[i] = count;
            if (count > contextLength && !truncate) {
                throw new ContextLengthExceededException(i, text, count, contextLength);
            }
            int row = i * contextLength;
            int kept = Math.min(count, contextLength);
            for (int k = 0; k < kept; k++) {
                ids[row + k] = tokens.get(k);
            }
            if (count > contextLength) {
                ids[row + contextLength - 1] = model.endId;
            }
        }
        return new TokenizedBatch(ids, n, contextLength, counts);
    }

    /**
     * The reference {@code SimpleTokenizer.decode(ids)}: concatenates the token strings, maps
     * them back to bytes, decodes UTF-8 (ill-formed bytes become U+FFFD, as with
     * {@code errors="replace"}) and replaces every {@code </w>} with a space. Every id is decoded,
     * special ones as their literal text; use {@link #decodeRow(long[])} for a tokenize row.
     *
     * @param ids token ids in {@code [0, vocabularySize())}
     * @return the text (lower-cased and cleaned, with a space after each word)
     * @throws IllegalArgumentException if {@code ids} is null or holds an id outside the vocabulary
     */
    public String decode(int[] ids) {
        if (ids == null) {
            throw new IllegalArgumentException("ids is null");
        }
        byte[] bytes = new byte[ids.length * 8];
        int len = 0;
        for (int k = 0; k < ids.length; k++) {
            String token = model.token(ids[k]);
            if (token == null) {
                throw new IllegalArgumentException("ids[" + k + "] = " + ids[k] + " is not a token id (vocabulary size "
                        + model.size() + ")");
            }
            if (len + token.length() > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, len + token.length()));
            }
            for (int c = 0; c < token.length(); c++) {
                bytes[len++] = (byte) ByteLevel.byteOf(token.charAt(c));
            }
        }
        return ByteLevel.decodeUtf8Replace(bytes, len).replace("</w>", " ");
    }

    /**
     * Decodes one row of a {@link TokenizedBatch}: the trailing zero padding, the end-of-text
     * before it and a leading start-of-text are dropped, the rest is decoded like
     * {@link #decode(int[])} (so special tokens written literally in the text come back as text).
     * For a row that was not truncated this equals {@code SimpleTokenizer.decode} of the text's
     * BPE ids; a truncated row gives the text up to the cut.
     *
     * @param row ids as returned by {@link TokenizedBatch#row(int)}
     * @return the text between the start and end tokens
     * @throws IllegalArgumentException if {@code row} is null or holds an id outside the vocabulary
     */
    public String decodeRow(long[] row) {
        if (row == null) {
            throw new IllegalArgumentException("row is null");
        }
        int start = row.length > 0 && row[0] == model.startId ? 1 : 0;
        int end = row.length;
        while (end > start && row[end - 1] == 0) {
            end--; // padding (a word-final token always ends in </w>, so a real 0 is never last)
        }
        if (end > start && row[end - 1] == model.endId) {
            end--;
        }
        int[] ids = new int[end - start];
        for (int k = start; k < end; k++) {
            long id = row[k];
            if (id < 0 || id >= model.size()) {
                throw new IllegalArgumentException("row[" + k + "] = " + id + " is not a token id (vocabulary size "
                        + model.size() + ")");
            }
            ids[k - start] = (int) id;
        }
        return decode(ids);
    }
}
