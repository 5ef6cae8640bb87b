package io.clip4j.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.clip4j.checkpoint.CheckpointException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a local HTTP server: caching, SHA-256 checks, failures that leave nothing behind. */
class ModelDownloaderTest {
    private static final Path CHECKPOINT = Path.of(System.getProperty("clip4j.testdata"), "models/tiny-vit/model.pt");

    @TempDir
    Path cache;

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private byte[] served;
    private int status = 200;
    private boolean truncate;
    private boolean chunked;
    private int busy;
    private byte[] checkpoint;

    @BeforeEach
    void start() throws IOException {
        checkpoint = Files.readAllBytes(CHECKPOINT);
        served = checkpoint;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            if (busy > 0) { // rate-limited, as the hubs answer bursts
                busy--;
                exchange.getResponseHeaders().add("Retry-After", "0");
                exchange.sendResponseHeaders(429, -1);
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(status, status != 200 ? -1 : chunked ? 0 : served.length);
            try (OutputStream out = exchange.getResponseBody()) {
                if (status == 200) {
                    out.write(served, 0, truncate ? served.length / 2 : served.length);
                }
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private PretrainedModel model() throws Exception {
        return new PretrainedModel("tiny", base() + "/" + sha256(checkpoint) + "/tiny-vit.pt");
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/models";
    }

    private static String sha256(byte[] bytes) throws Exception {
        StringBuilder hex = new StringBuilder();
        for (byte b : MessageDigest.getInstance("SHA-256").digest(bytes)) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }

    private List<Path> cacheFiles() throws IOException {
        try (Stream<Path> s = Files.list(cache)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
        }
    }

    @Test
    void downloadsOnceThenUsesTheVerifiedCachedFile() throws Exception {
        List<long[]> progress = new ArrayList<>();
        ModelDownloader d = new ModelDownloader(cache.resolve("clip")).onProgress((done, total) ->
                progress.add(new long[]{done, total}));
        Path file = d.fetch(model());
        assertEquals(cache.resolve("clip/tiny-vit.pt"), file);
        assertArrayEquals(checkpoint, Files.readAllBytes(file));
        long[] last = progress.get(progress.size() - 1);
        assertArrayEquals(new long[]{checkpoint.length, checkpoint.length}, last);
        assertEquals(file, d.fetch(model()));
        assertEquals(1, requests.get(), "the cached file matches its SHA-256: no second download");
        assertEquals(file, new ModelDownloader(cache.resolve("clip")).offline(true).fetch(model()));
    }

    @Test
    void aVerifiedFileIsHashedOnceWhileItsSizeAndTimeStayTheSame() throws Exception {
        Path file = new ModelDownloader(cache).fetch(model());
        Path stamp = cache.resolve(".verified/tiny-vit.pt.sha256");
        assertTrue(Files.readString(stamp).startsWith(sha256(checkpoint) + " " + checkpoint.length + " "),
                Files.readString(stamp));
        // Same length and modification time: the stamp stands for the hash (the documented trade-off).
        java.nio.file.attribute.FileTime time = Files.getLastModifiedTime(file);
        byte[] changed = checkpoint.clone();
        changed[changed.length / 2] ^= 1;
        Files.write(file, changed);
        Files.setLastModifiedTime(file, time);
        ModelDownloader offline = new ModelDownloader(cache).offline(true);
        assertEquals(file, offline.fetch(model()));
        // A new modification time makes it hash again, and the damage shows.
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(time.toMillis() + 5000));
        CheckpointException e = assertThrows(CheckpointException.class, () -> offline.fetch(model()));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
        assertFalse(Files.exists(stamp), "a mismatching file's stamp is removed");
        assertEquals(file, new ModelDownloader(cache).fetch(model()));
        assertArrayEquals(checkpoint, Files.readAllBytes(file));
        assertEquals(2, requests.get());
        // A stamp for another checksum, or garbage, is no stamp: the file is hashed (and passes).
        Files.writeString(stamp, "garbage");
        assertEquals(file, offline.fetch(model()));
        assertTrue(Files.readString(stamp).startsWith(sha256(checkpoint)), "rewritten after hashing");
    }

    @Test
    void aDamagedCachedFileIsDownloadedAgainOrRefusedOffline() throws Exception {
        Path file = Files.createDirectories(cache).resolve("tiny-vit.pt");
        Files.write(file, new byte[]{1, 2, 3});
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> new ModelDownloader(cache).offline(true).fetch(model()));
        assertTrue(e.getMessage().startsWith(file + ": SHA-256 ") && e.getMessage().contains("does not match"),
                e.getMessage());
        assertEquals(0, requests.get());
        assertEquals(file, new ModelDownloader(cache).fetch(model()));
        assertArrayEquals(checkpoint, Files.readAllBytes(file));
        assertEquals(1, requests.get());
    }

    @Test
    void failedDownloadsAreClipExceptionsAndLeaveNoFile() throws Exception {
        PretrainedModel m = model();
        ModelDownloader d = new ModelDownloader(cache);
        served = checkpoint.clone();
        served[100] ^= 1; // a corrupt transfer
        CheckpointException bad = assertThrows(CheckpointException.class, () -> d.fetch(m));
        assertTrue(bad.getMessage().contains("SHA-256") && bad.getMessage().contains(m.sha256()), bad.getMessage());
        assertEquals(List.of(), cacheFiles());

        served = checkpoint;
        truncate = true; // the connection closes before Content-Length bytes
        CheckpointException cut = assertThrows(CheckpointException.class, () -> d.fetch(m));
        assertTrue(cut.getMessage().startsWith("cannot download tiny from " + m.url()), cut.getMessage());
        assertEquals(List.of(), cacheFiles());

        truncate = false;
        status = 404;
        CheckpointException missing = assertThrows(CheckpointException.class, () -> d.fetch(m));
        assertTrue(missing.getMessage().contains("HTTP status 404"), missing.getMessage());
        assertEquals(List.of(), cacheFiles());

        CheckpointException offline = assertThrows(CheckpointException.class, () -> d.offline(true).fetch(m));
        assertEquals("tiny is not in the cache (" + cache.resolve("tiny-vit.pt") + ") and downloads are off;"
                + " put a copy of tiny-vit.pt there (its SHA-256 is checked), e.g. from " + m.url() + " or a mirror",
                offline.getMessage());
    }

    @Test
    void openAiModelsMatchTheReferenceTable() {
        // clip.available_models() of openai/CLIP, in its order
        assertEquals(List.of("RN50", "RN101", "RN50x4", "RN50x16", "RN50x64", "ViT-B/32", "ViT-B/16", "ViT-L/14",
                "ViT-L/14@336px"), PretrainedModels.OPENAI.stream().map(PretrainedModel::name).toList());
        PretrainedModel b32 = PretrainedModels.get("ViT-B/32");
        assertEquals("ViT-B-32.pt", b32.fileName());
        assertEquals("40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af", b32.sha256());
        assertEquals("ViT-L-14-336px.pt", PretrainedModels.get("ViT-L/14@336px").fileName());
        CheckpointException unknown = assertThrows(CheckpointException.class, () -> PretrainedModels.get("ViT-H/14"));
        assertTrue(unknown.getMessage().contains("available: RN50, RN101"), unknown.getMessage());
        assertThrows(CheckpointException.class, () -> new PretrainedModel("x", "https://host/no-hash/x.pt"));
        String home = System.getenv("HOME") != null ? System.getenv("HOME") : System.getProperty("user.home");
        assertEquals(Path.of(home, ".cache", "clip"), PretrainedModels.defaultCacheDir());
        for (String file : new String[]{"..", ".", "a?b.pt", "a%2F..pt", ""}) {
            assertThrows(CheckpointException.class, () -> new PretrainedModel("x", "https://host/" + "0".repeat(64) + "/"
                    + file), file);
        }
    }

    @Test
    void aStaleOrLockedPartFileAndAChunkedMirrorDownload() throws Exception {
        PretrainedModel m = model();
        Path part = Files.createDirectories(cache).resolve("tiny-vit.pt.part");
        Files.write(part, new byte[12345]); // left by a killed download: overwritten, then moved into place
        chunked = true; // no Content-Length
        List<Long> totals = new ArrayList<>();
        Path file = new ModelDownloader(cache).onProgress((done, total) -> totals.add(total)).fetch(m);
        assertArrayEquals(checkpoint, Files.readAllBytes(file));
        assertEquals(List.of(file), cacheFiles());
        assertTrue(totals.stream().allMatch(t -> t == -1), "no size known: " + totals);
        // As readable as any file the user creates there (umask), not owner-only like a temp file.
        Path plain = Files.write(cache.resolve("plain"), new byte[1]);
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(file));
        Files.delete(plain);

        // A mirror serves <base>/<sha256>/<file>; the model's own host is unreachable.
        PretrainedModel elsewhere = new PretrainedModel("tiny", "http://127.0.0.1:1/gone/" + m.sha256() + "/tiny-vit.pt");
        Files.delete(file);
        ModelDownloader mirrored = new ModelDownloader(cache).mirror(base() + "/");
        assertEquals(m.url(), mirrored.urlOf(elsewhere));
        assertArrayEquals(checkpoint, Files.readAllBytes(mirrored.fetch(elsewhere)));
        assertThrows(IllegalArgumentException.class, () -> mirrored.mirror("file:///tmp"));
        assertThrows(IllegalArgumentException.class, () -> mirrored.mirror("https://"));

        // Another download holds the lock: this one waits, then takes the file the other one left.
        Files.delete(file);
        int before = requests.get();
        java.util.concurrent.CompletableFuture<Path> waiting;
        try (java.nio.channels.FileChannel other = java.nio.channels.FileChannel.open(cache.resolve(".locks/tiny-vit.pt.lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock held = other.lock()) {
            waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> new ModelDownloader(cache).fetch(m));
            Thread.sleep(1200);
            assertFalse(waiting.isDone(), "waits while the other download holds the lock");
            Files.write(file, checkpoint); // what the other download leaves
        }
        assertEquals(file, waiting.get(30, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(before, requests.get(), "the other download's verified file is used, not fetched again");
        Files.delete(file);
        Files.createDirectories(cache.resolve("tiny-vit.pt")); // a folder under the model's name
        CheckpointException dir = assertThrows(CheckpointException.class, () -> new ModelDownloader(cache).fetch(m));
        assertTrue(dir.getMessage().contains("is not a regular file"), dir.getMessage());
    }

    @Test
    void aPartFileThatIsASymlinkIsReplacedNotWrittenThrough(@TempDir Path elsewhere) throws Exception {
        // Planted in a shared cache: a download must not truncate or overwrite the file it points to.
        Path victim = Files.writeString(elsewhere.resolve("victim.txt"), "keep me");
        Path part = Files.createDirectories(cache).resolve("tiny-vit.pt.part");
        Files.createSymbolicLink(part, victim);
        Path file = new ModelDownloader(cache).fetch(model());
        assertEquals("keep me", Files.readString(victim));
        assertFalse(Files.isSymbolicLink(file), "the model is a file of the cache, not a link out of it");
        assertArrayEquals(checkpoint, Files.readAllBytes(file));
        assertFalse(Files.exists(part, java.nio.file.LinkOption.NOFOLLOW_LINKS));

        // the same with a failed download: the link is removed, its target untouched
        Files.delete(file);
        Files.createSymbolicLink(part, victim);
        served = checkpoint.clone();
        served[100] ^= 1;
        assertThrows(CheckpointException.class, () -> new ModelDownloader(cache).fetch(model()));
        assertEquals("keep me", Files.readString(victim));

        // the lock file, a dangling link: nothing is created where it points
        served = checkpoint;
        Path lock = cache.resolve(".locks/tiny-vit.pt.lock");
        Files.delete(lock);
        Files.createSymbolicLink(lock, elsewhere.resolve("created-by-the-download"));
        CheckpointException linked = assertThrows(CheckpointException.class,
                () -> new ModelDownloader(cache).fetch(model()));
        assertTrue(linked.getMessage().contains(lock.toString()), linked.getMessage());
        assertFalse(Files.exists(elsewhere.resolve("created-by-the-download")));
    }

    @Test
    void rateLimitedAnswersAreRetriedAfterTheirDelay() throws Exception {
        busy = 2;
        Path file = new ModelDownloader(cache).fetch(model());
        assertArrayEquals(checkpoint, Files.readAllBytes(file));
        assertEquals(3, requests.get(), "two 429 answers, then the file");
        busy = 5; // more than the retries allowed
        Files.delete(file);
        CheckpointException e = assertThrows(CheckpointException.class, () -> new ModelDownloader(cache).fetch(model()));
        assertTrue(e.getMessage().contains("HTTP status 429"), e.getMessage());
        assertEquals(1000, VerifiedDownload.retryDelayMs(null, 0));
        assertEquals(8000, VerifiedDownload.retryDelayMs("soon", 3));
        assertEquals(5000, VerifiedDownload.retryDelayMs(" 5", 0));
        assertEquals(30_000, VerifiedDownload.retryDelayMs("99999", 0));
    }
}
