package io.clip4j.search;

import io.clip4j.ClipConfig;
import io.clip4j.ClipException;
import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.NonFiniteFeaturesException;
import io.clip4j.image.ImageInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Which failures skip one file and which stop the run, over an engine whose image tower is a lookup. */
class ImageIndexerTest {
    private static final ClipConfig CONFIG = new ClipConfig(2, 32, new int[] {1}, 64, 16, 77, 49408, 64, 1, 1, 1);

    /** "nan*" files give non-finite features, "dead*" files a failing engine; others the row [1, name length]. */
    private static ClipModel lookup() {
        return new ClipModel() {
            @Override public ClipConfig config() { return CONFIG; }
            @Override public float logitScale() { return 100f; }
            @Override public Features encodePixels(float[] p, int n) { throw new UnsupportedOperationException(); }
            @Override public Features encodeTokens(long[] ids, int n) { throw new UnsupportedOperationException(); }
            @Override public float[] preprocess(List<ImageInput> images) { throw new UnsupportedOperationException(); }
            @Override public long[] tokenize(List<String> texts) { throw new UnsupportedOperationException(); }
            @Override public Features encodeTexts(List<String> texts) {
                return new Features(new float[] {1, 0}, 1, 2);
            }
            @Override public Features encodeImages(List<ImageInput> images) {
                float[] out = new float[images.size() * 2];
                for (int i = 0; i < images.size(); i++) {
                    String name = images.get(i).toString();
                    String file = Path.of(name).getFileName().toString();
                    if (file.startsWith("nan")) {
                        throw new NonFiniteFeaturesException("image_features of image " + i + " (" + name
                                + ") contain NaN");
                    }
                    if (file.startsWith("dead")) {
                        throw new ClipException("the engine failed");
                    }
                    out[2 * i] = 1;
                    out[2 * i + 1] = name.length();
                }
                return new Features(out, images.size(), 2);
            }
            @Override public void close() { }
        };
    }

    /**
     * A file whose name is not valid in the platform's encoding gets an id that names no file: indexed, it was
     * dropped as gone by every update and encoded again. It is skipped, saying why, in file order.
     */
    @Test
    void aFileNoIdCanNameIsSkippedSayingWhy(@TempDir Path dir) throws Exception {
        Process made = new ProcessBuilder("sh", "-c", "printf x > \"$(printf 'bad\\377.png')\"")
                .directory(dir.toFile()).start();
        // Waited for before listing: listed at once, the folder was still empty and the test checked nothing.
        boolean created = made.waitFor() == 0;
        List<Path> listed;
        try (Stream<Path> s = Files.list(dir)) {
            listed = s.collect(Collectors.toList());
        }
        assumeTrue(created && listed.size() == 1, "no POSIX shell, or a file system that refuses such names");
        Path bad = listed.get(0);
        List<Path> files = List.of(Path.of("/photos/a.png"), bad, Path.of("/photos/nan.png"), Path.of("/photos/b.png"));
        ImageIndexer.Result r = new ImageIndexer(lookup(), "lookup").batchSize(8).index(files, null);
        if (Path.of(bad.toString()).equals(bad)) { // a charset in which every byte is valid (e.g. ISO-8859-1)
            assertEquals(3, r.index().size());
            return;
        }
        assertEquals(List.of(ImageIndexer.idOf(files.get(0)), ImageIndexer.idOf(files.get(3))), r.index().ids());
        assertEquals(List.of(ImageIndexer.idOf(bad), ImageIndexer.idOf(files.get(2))),
                r.skipped().stream().map(ImageIndexer.Skipped::id).collect(Collectors.toList()), "in file order");
        assertTrue(r.skipped().get(0).reason().contains("no id can name it"), r.skipped().get(0).reason());
    }

    @Test
    void nonFiniteFeaturesSkipOneFileOtherFailuresStopTheRun() {
        List<Path> files = List.of(Path.of("/photos/a.png"), Path.of("/photos/nan.png"), Path.of("/photos/bb.png"));
        ImageIndexer.Result r = new ImageIndexer(lookup(), "lookup").batchSize(8).index(files, null);
        assertEquals(List.of(ImageIndexer.idOf(files.get(0)), ImageIndexer.idOf(files.get(2))), r.index().ids());
        assertEquals(2, r.added());
        assertEquals(List.of(ImageIndexer.idOf(files.get(1))), r.skipped().stream().map(ImageIndexer.Skipped::id)
                .collect(Collectors.toList()));
        assertTrue(r.skipped().get(0).reason().contains("nan.png") && r.skipped().get(0).reason().contains("NaN"));
        ClipException e = assertThrows(ClipException.class, () -> new ImageIndexer(lookup(), "lookup")
                .index(List.of(Path.of("/photos/a.png"), Path.of("/photos/dead.png")), null));
        assertEquals("the engine failed", e.getMessage());
    }

    /** A null file is named, and refused before the new index's fingerprint costs two forward passes. */
    @Test
    void nullFilesAreRefusedFirst() {
        int[] passes = {0};
        ClipModel inner = lookup();
        ClipModel counting = new ClipModel() {
            @Override public ClipConfig config() { return inner.config(); }
            @Override public float logitScale() { return inner.logitScale(); }
            @Override public Features encodePixels(float[] p, int n) { return inner.encodePixels(p, n); }
            @Override public Features encodeTokens(long[] ids, int n) { return inner.encodeTokens(ids, n); }
            @Override public float[] preprocess(List<ImageInput> images) { return inner.preprocess(images); }
            @Override public long[] tokenize(List<String> texts) { return inner.tokenize(texts); }
            @Override public Features encodeTexts(List<String> texts) {
                passes[0]++;
                return inner.encodeTexts(texts);
            }
            @Override public Features encodeImages(List<ImageInput> images) {
                passes[0]++;
                return inner.encodeImages(images);
            }
            @Override public void close() { }
        };
        List<Path> files = new java.util.ArrayList<>(List.of(Path.of("/photos/a.png")));
        files.add(null);
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> new ImageIndexer(counting, "lookup").index(files, null));
        assertEquals("files[1] is null", e.getMessage());
        assertEquals("files", assertThrows(NullPointerException.class,
                () -> new ImageIndexer(counting, "lookup").index(null, null)).getMessage());
        assertEquals(0, passes[0]);
    }

    /**
     * The index records the activation its model ran with, and extending it with the same weights run with another
     * activation is refused (the fingerprint alone can let that through); an index from before the activation was
     * recorded is extended as before and keeps recording none.
     */
    @Test
    void theIndexRecordsItsActivationAndAnotherOneIsRefused() {
        List<Path> first = List.of(Path.of("/photos/a.png"));
        List<Path> more = List.of(Path.of("/photos/bb.png"));
        EmbeddingIndex built = new ImageIndexer(lookup(), "lookup").index(first, null).index();
        assertEquals("QUICK_GELU", built.activation());
        EmbeddingIndex gelu = built.toBuilder().activation("GELU").build();
        IndexException e = assertThrows(IndexException.class,
                () -> new ImageIndexer(lookup(), "lookup").index(more, gelu));
        assertEquals("the index was built with lookup running GELU; this model runs QUICK_GELU: load the model that built it with"
                + " activation GELU (--activation GELU)", e.getMessage());
        // Another embed_dim is another model, whatever its activation: no advice to change the activation.
        EmbeddingIndex wide = EmbeddingIndex.builder(3).model("big").activation("GELU").build();
        e = assertThrows(IndexException.class, () -> new ImageIndexer(lookup(), "lookup").index(more, wide));
        assertEquals("the index was built with big (embed_dim 3); this model has embed_dim 2: load the model that"
                + " built it", e.getMessage());
        EmbeddingIndex older = built.toBuilder().activation("").build();
        EmbeddingIndex extended = new ImageIndexer(lookup(), "lookup").index(more, older).index();
        assertEquals(2, extended.size());
        assertEquals("", extended.activation());
        assertEquals("QUICK_GELU", new ImageIndexer(lookup(), "lookup").index(more, built).index().activation());
    }
}
