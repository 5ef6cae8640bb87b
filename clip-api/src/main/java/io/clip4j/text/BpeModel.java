package io.clip4j.text;

import io.clip4j.io.Streams;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;

/**
 * Steps 8-9: the vocabulary and the BPE merges of a gzipped merges file, and the BPE of one
 * pre-tokeniser piece. Immutable apart from a bounded, concurrent cache; safe to share.
 */
final class BpeModel {
    /** Merges used by the reference: lines 2..48,895 of the file ({@code merges[1:49152-256-2+1]}). */
    static final int MAX_MERGES = 49152 - 256 - 2;
    static final String START_TOKEN = "<|startoftext|>";
    static final String END_TOKEN = "<|endoftext|>";
    private static final int CACHE_LIMIT = 1 << 16;
    /** Most decompressed bytes read from a merges file; CLIP's is 1.6 MiB, its used lines 0.5 MiB. */
    private static final int MAX_TEXT_BYTES = 16 << 20;

    /** id -> token string; null where a later duplicate string took over the id (as Python's dicts do). */
    private final String[] decoder;
    private final int[] byteIds = new int[256];
    private final int[] byteEndIds = new int[256];
    private final PairRanks ranks;
    private final int[] mergedIds;
    final int startId;
    final int endId;
    private final Map<Piece, int[]> cache = new ConcurrentHashMap<>();

    private BpeModel(List<String> vocab, List<int[]> mergeParts, Map<String, Integer> encoder) {
        decoder = new String[vocab.size()];
        for (Map.Entry<String, Integer> e : encoder.entrySet()) {
            decoder[e.getValue()] = e.getKey();
        }
        for (int b = 0; b < 256; b++) {
            String c = String.valueOf(ByteLevel.BYTE_TO_CHAR[b]);
            byteIds[b] = encoder.get(c);
            byteEndIds[b] = encoder.get(c + "</w>");
        }
        ranks = new PairRanks(mergeParts.size());
        mergedIds = new int[mergeParts.size()];
        for (int r = 0; r < mergeParts.size(); r++) {
            int[] p = mergeParts.get(r);
            if (p != null) {
                ranks.put(p[0], p[1], r);
                mergedIds[r] = p[2];
            }
        }
        startId = encoder.get(START_TOKEN);
        endId = encoder.get(END_TOKEN);
    }

    /** Reads a gzipped merges file ({@code #version} header line, then one "a b" merge per line). */
    static BpeModel load(InputStream gzipped, String source) {
        String text;
        boolean cut;
        try (InputStream in = new GZIPInputStream(gzipped)) {
            // Only the first MAX_MERGES + 1 lines are used, so a few MB of gzip that expand to gigabytes (or one
            // endless line) must not be read whole: that ran out of heap instead of failing.
            byte[] bytes = Streams.readUpTo(in, MAX_TEXT_BYTES);
            cut = in.read() >= 0;
            text = utf8(bytes, cut, source);
        } catch (IOException e) {
            // GZIPInputStream's EOFException for an empty file (or one ending inside the header) has no message.
            String why = e.getMessage() != null ? e.getMessage() : e instanceof java.io.EOFException
                    ? "empty, or cut short inside the gzip header" : e.getClass().getSimpleName();
            throw new VocabularyException("cannot read BPE merges file " + source + ": " + why, e);
        }
        // Only the lines that can be used are cut out (CLIP's file has 262,146; 48,895 are read).
        List<String> lines = new ArrayList<>(MAX_MERGES + 2);
        boolean more = true; // lines past the first MAX_MERGES + 2
        for (int pos = 0; more && lines.size() < MAX_MERGES + 2; ) {
            int nl = text.indexOf('\n', pos);
            lines.add(nl < 0 ? text.substring(pos) : text.substring(pos, nl));
            more = nl >= 0;
            pos = nl + 1;
        }
        boolean all = !more; // lines holds every line of the text
        if (cut && all && lines.size() <= MAX_MERGES + 1) { // the last line is cut short, and it would be used
            throw new VocabularyException("BPE merges file " + source + ": its first " + (MAX_MERGES + 1)
                    + " lines take more than " + (MAX_TEXT_BYTES >> 20) + " MiB (CLIP's take 0.5 MiB)");
        }
        int mergeEnd = Math.min(lines.size(), MAX_MERGES + 1);
        if (all && mergeEnd == lines.size() && lines.get(mergeEnd - 1).isEmpty()) {
            mergeEnd--; // the newline that ends the file is not a merge
        }
        List<String> vocab = new ArrayList<>(256 * 2 + MAX_MERGES + 2);
        for (char c : ByteLevel.ALPHABET) {
            vocab.add(String.valueOf(c));
        }
        for (char c : ByteLevel.ALPHABET) {
            vocab.add(c + "</w>");
        }
        String[][] merges = new String[Math.max(0, mergeEnd - 1)][];
        for (int i = 1; i < mergeEnd; i++) {
            String[] parts = twoSymbols(lines.get(i));
            if (parts == null) {
                throw new VocabularyException("BPE merges file " + source + ", line " + (i + 1)
                        + ": expected two space-separated symbols, got '" + shortened(lines.get(i)) + "'");
            }
            merges[i - 1] = parts;
            vocab.add(parts[0] + parts[1]);
        }
        vocab.add(START_TOKEN);
        vocab.add(END_TOKEN);
        Map<String, Integer> encoder = new HashMap<>(vocab.size() * 2);
        for (int id = 0; id < vocab.size(); id++) {
            encoder.put(vocab.get(id), id); // later duplicates win, like dict(zip(vocab, range(...)))
        }
        List<int[]> mergeParts = new ArrayList<>(merges.length);
        for (String[] m : merges) {
            Integer a = encoder.get(m[0]);
            Integer b = encoder.get(m[1]);
            // a merge whose parts are not tokens can never apply (symbols are always tokens)
            mergeParts.add(a == null || b == null ? null : new int[] {a, b, encoder.get(m[0] + m[1])});
        }
        return new BpeModel(vocab, mergeParts, encoder);
    }

    /**
     * The text of a merges file, decoded strictly as the reference does ({@code read().decode("utf-8")} raises on
     * malformed bytes): a damaged file is refused instead of loading with U+FFFD symbols in its merges. A file
     * {@code cut} at {@link #MAX_TEXT_BYTES} ends in part of a line, perhaps in part of a character; that line is
     * never used (or the file is refused for its length), so only the bytes up to its last line break are decoded.
     */
    private static String utf8(byte[] bytes, boolean cut, String source) {
        int end = bytes.length;
        if (cut) {
            while (end > 0 && bytes[end - 1] != '\n') {
                end--;
            }
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, end);
        CharBuffer out = CharBuffer.allocate(end); // UTF-8 never gives more chars than bytes
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder(); // reports malformed input
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) {
            r = decoder.flush(out);
        }
        if (r.isError()) {
            int at = in.position();
            int line = 1;
            for (int i = 0; i < at; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new VocabularyException("BPE merges file " + source + " is not UTF-8 text: malformed bytes at byte "
                    + at + " (line " + line + ")");
        }
        return new String(out.array(), 0, out.position()); // not flip(): CharBuffer's is Java 9+, absent on Android
    }

    /**
     * {@code line.trim().split(" +")} when that gives two non-empty symbols, else null, without a regular expression
     * (String.split compiled the pattern again for each of the 48,894 lines: 17 of 42 profiler samples in loading).
     */
    static String[] twoSymbols(String line) {
        String t = line.trim(); // no space at either end: both symbols are non-empty if there is a space
        int space = t.indexOf(' ');
        if (space < 0) {
            return null;
        }
        int second = space + 1;
        while (t.charAt(second) == ' ') {
            second++;
        }
        if (t.indexOf(' ', second) >= 0) {
            return null; // three or more symbols
        }
        return new String[] {t.substring(0, space), t.substring(second)};
    }

    /** A line for an error message: at most 80 characters of it. */
    private static String shortened(String line) {
        return line.length() <= 80 ? line : line.substring(0, 80) + "... (" + line.length() + " characters)";
    }

    /** Number of token ids (49,408 for CLIP's file). */
    int size() {
        return decoder.length;
    }

    /** Token string of an id (byte-level alphabet, {@code </w>} ending a word), or null if unused. */
    String token(int id) {
        return id >= 0 && id < decoder.length ? decoder[id] : null;
    }

    /** Appends the ids of one pre-tokeniser piece to {@code out}. */
    void encodePiece(String piece, IntList out) {
        encodePiece(piece, 0, piece.length(), out);
    }

    /** Appends the ids of the pre-tokeniser piece {@code text[start, end)} to {@code out}. */
    void encodePiece(String text, int start, int end, IntList out) {
        int len = end - start;
        if (len == START_TOKEN.length() && text.startsWith(START_TOKEN, start)) {
            out.add(startId);
        } else if (len == END_TOKEN.length() && text.startsWith(END_TOKEN, start)) {
            out.add(endId);
        } else {
            int[] ids = cache.get(new Piece(text, start, end));
            if (ids == null) {
                String piece = text.substring(start, end);
                ids = bpe(piece.getBytes(StandardCharsets.UTF_8));
                if (cache.size() >= CACHE_LIMIT) {
                    cache.clear(); // simple bound; entries are cheap to recompute
                }
                cache.put(new Piece(piece, 0, len), ids);
            }
            out.addAll(ids);
        }
    }

    /**
     * A cache key that views a range of a text, so that a lookup needs no substring (see
     * {@link PreTokenizer#split(String, IntList)}); keys stored in the cache own their piece.
     */
    private static final class Piece {
        private final String text;
        private final int start;
        private final int end;
        private final int hash;

        Piece(String text, int start, int end) {
            this.text = text;
            this.start = start;
            this.end = end;
            int h = 0;
            for (int i = start; i < end; i++) {
                h = 31 * h + text.charAt(i);
            }
            hash = h;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Piece)) {
                return false;
            }
            Piece p = (Piece) o;
            return p.hash == hash && p.end - p.start == end - start
                    && text.regionMatches(start, p.text, p.start, end - start);
        }
    }

    /**
     * BPE of one word given as UTF-8 bytes; the last symbol carries {@code </w>}.
     *
     * <p>Same result as the reference loop (find the lowest-ranked adjacent pair, merge every
     * non-overlapping occurrence of it left to right, repeat), but in O(n log n) rather than
     * O(n&sup2;), so that one very long word (a run of letters is one word) cannot stall the caller.
     * Symbols form a linked list of nodes, named by the index of their first byte; a min-heap holds
     * candidate pairs keyed by (rank, left node). Entries are never removed: one whose pair has
     * changed since it was pushed is skipped when it is popped.
     */
    int[] bpe(byte[] bytes) {
        int n = bytes.length;
        int[] sym = new int[n]; // token id of each node; -1 once merged into its left neighbour
        int[] prev = new int[n];
        int[] next = new int[n]; // -1 at the end
        for (int i = 0; i < n; i++) {
            sym[i] = i < n - 1 ? byteIds[bytes[i] & 0xFF] : byteEndIds[bytes[i] & 0xFF];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        LongHeap heap = new LongHeap(n);
        for (int i = 0; i + 1 < n; i++) {
            pushPair(heap, sym, i, i + 1);
        }
        int[] merged = new int[n]; // the nodes that received a merge in the current pass
        int count = n;
        while (!heap.isEmpty()) {
            int rank = (int) (heap.peek() >>> 32);
            // One pass of the reference: every occurrence of this rank's pair, in word order (the
            // heap gives equal ranks by node). An entry counts only if its node is alive and the
            // pair there still has this rank. That skips the second pair of "a a a" once the
            // first is merged ("aa a"), and never matches a symbol made in this pass (it is
            // longer than either half of the pair).
            int m = 0;
            while (!heap.isEmpty() && (int) (heap.peek() >>> 32) == rank) {
                int i = (int) heap.pop();
                int j = next[i];
                if (sym[i] < 0 || j < 0 || ranks.get(sym[i], sym[j]) != rank) {
                    continue;
                }
                sym[i] = mergedIds[rank];
                sym[j] = -1;
                next[i] = next[j];
                if (next[j] >= 0) {
                    prev[next[j]] = i;
                }
                merged[m++] = i;
                count--;
            }
            // Only now do the new symbols' pairs become candidates: the reference finishes the
            // pass before looking at them, even where one ranks lower than this pass (impossible
            // with CLIP's own merges, possible in another merges file).
            for (int k = 0; k < m; k++) {
                int i = merged[k];
                if (prev[i] >= 0) {
                    pushPair(heap, sym, prev[i], i);
                }
                if (next[i] >= 0) {
                    pushPair(heap, sym, i, next[i]);
                }
            }
        }
        int[] word = new int[count];
        for (int i = 0, w = 0; w < count; i = next[i]) { // node 0 is never merged away
            word[w++] = sym[i];
        }
        return word;
    }

    private void pushPair(LongHeap heap, int[] sym, int left, int right) {
        int r = ranks.get(sym[left], sym[right]);
        if (r >= 0) {
            heap.push((long) r << 32 | left);
        }
    }

    /** Growable binary min-heap of primitive longs (no boxing). */
    private static final class LongHeap {
        private long[] a;
        private int size;

        LongHeap(int capacity) {
            a = new long[Math.max(capacity, 4)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        long peek() {
            return a[0];
        }

        void push(long v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, a.length * 2);
            }
            int i = size++;
            while (i > 0 && a[(i - 1) >>> 1] > v) {
                a[i] = a[(i - 1) >>> 1];
                i = (i - 1) >>> 1;
            }
            a[i] = v;
        }

        long pop() {
            long top = a[0];
            long v = a[--size];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= size) {
                    break;
                }
                if (c + 1 < size && a[c + 1] < a[c]) {
                    c++;
                }
                if (a[c] >= v) {
                    break;
                }
                a[i] = a[c];
                i = c;
            }
            a[i] = v;
            return top;
        }
    }
}
