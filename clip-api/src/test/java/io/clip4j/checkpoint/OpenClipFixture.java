package io.clip4j.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * testdata/models/tiny-openclip as the open_clip directory it stands for: its files plus tiny-vit's
 * {@code state_dict.pt} as {@code open_clip_pytorch_model.bin} (the same weights, which the repository stores once
 * and without a symbolic link, since some checkouts cannot make one). Built once per test JVM in a temporary
 * directory (weights hard-linked where the file system allows, else copied), deleted when the JVM exits. The other
 * modules' tests use it through clip-api's test-jar.
 */
public final class OpenClipFixture {
    private static Path dir;

    private OpenClipFixture() {
    }

    /** @return the directory: open_clip_config.json, open_clip_pytorch_model.bin and the reference features */
    public static synchronized Path directory() {
        if (dir == null) {
            Path models = Path.of(System.getProperty("clip4j.testdata")).resolve("models");
            try {
                Path d = Files.createTempDirectory("tiny-openclip");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(d)));
                try (Stream<Path> files = Files.list(models.resolve("tiny-openclip"))) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Files.copy(f, d.resolve(f.getFileName().toString()));
                    }
                }
                Path weights = models.resolve("tiny-vit/state_dict.pt");
                Path bin = d.resolve("open_clip_pytorch_model.bin");
                try {
                    Files.createLink(bin, weights);
                } catch (IOException | UnsupportedOperationException e) { // another file system, or no hard links
                    Files.copy(weights, bin);
                }
                dir = d;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    private static void delete(Path d) {
        try (Stream<Path> all = Files.walk(d)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
