package io.clip4j.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.clip4j.checkpoint.CheckpointException;
import io.clip4j.io.FileHashes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hostile or broken server can neither fill the disk nor hold a download open: {@link DownloadLimits}. */
class VerifiedDownloadTest {
    private static final byte[] FILE = new byte[200_000];

    static {
        new Random(7).nextBytes(FILE);
    }

    @TempDir
    Path dir;

    private HttpServer server;
    /** The folders whose usable space was asked for. */
    private final List<Path> spaceAsked = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/file", x -> { // with Content-Length
            x.sendResponseHeaders(200, FILE.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(FILE);
            }
        });
        server.createContext("/chunked", x -> { // without Content-Length
            x.sendResponseHeaders(200, 0);
            try (OutputStream out = x.getResponseBody()) {
                out.write(FILE);
            }
        });
        server.createContext("/drip", x -> { // one byte every 20 ms, without end as far as the client can tell
            x.sendResponseHeaders(200, 0);
            try (OutputStream out = x.getResponseBody()) {
                for (int i = 0; i < 150; i++) { // capped here only so a failing test ends (after 3 s)
                    out.write(FILE[i]);
                    out.flush();
                    Thread.sleep(20);
                }
            } catch (IOException | InterruptedException closedByTheClient) {
                // expected once the client gives up
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** The given cap and {@code usable} bytes of space (-1: unknown), the default stall detection. */
    private DownloadLimits limits(long maxBytes, long usable) {
        return new DownloadLimits(maxBytes, DownloadLimits.DEFAULT_STALL_WINDOW_MS,
                DownloadLimits.DEFAULT_STALL_MIN_BYTES, folder -> {
            spaceAsked.add(folder);
            return usable;
        });
    }

    /** Downloads {@code url} into {@code dir/file}, verified against FILE's SHA-256. */
    private Path fetch(String url, long hubSize, DownloadLimits limits) throws Exception {
        String expected = FileHashes.hex(FileHashes.digest("SHA-256").digest(FILE));
        Path target = dir.resolve("file");
        VerifiedDownload.fetch(url, Map.of(), target, dir.resolve(".locks/file.lock"), "the file", hubSize,
                (part, sha256) -> sha256.equals(expected) ? null : "its SHA-256 does not match", (done, total) -> { },
                "", limits);
        return target;
    }

    /** The message of the CheckpointException a download fails with, once checked that it left no file. */
    private String failure(String url, long hubSize, DownloadLimits limits) throws IOException {
        CheckpointException e = assertThrows(CheckpointException.class, () -> fetch(url, hubSize, limits));
        assertTrue(e.getMessage().startsWith("cannot download the file from " + url + " to "), e.getMessage());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve(".locks")), files.toList(), "no file, no .part file");
        }
        return e.getMessage();
    }

    @Test
    void aFileWithinTheLimitsDownloads() throws Exception {
        // exactly at the cap and the usable space, with and without Content-Length, and with the hub's size
        assertArrayEquals(FILE, Files.readAllBytes(fetch(url("/file"), -1, limits(FILE.length, FILE.length))));
        assertEquals(List.of(dir), spaceAsked);
        assertArrayEquals(FILE, Files.readAllBytes(fetch(url("/chunked"), FILE.length, limits(FILE.length, -1))));
        spaceAsked.clear();
        assertArrayEquals(FILE, Files.readAllBytes(fetch(url("/chunked"), -1, limits(FILE.length, 0))));
        assertEquals(List.of(), spaceAsked, "no size announced: the space is not asked for");
        assertArrayEquals(FILE, Files.readAllBytes(fetch(url("/file"), -1, DownloadLimits.standard())));
    }

    @Test
    void aBodyWithoutContentLengthIsCutOffAtTheLimit() throws Exception {
        String cut = failure(url("/chunked"), -1, limits(FILE.length - 1, -1));
        assertTrue(cut.endsWith("the server sends more than the download limit of " + (FILE.length - 1)
                + " bytes (system property clip4j.download.maxBytes)"), cut);
        // announced above the limit, by the server or the hub: refused before the body
        String announced = failure(url("/file"), -1, limits(FILE.length - 1, -1));
        assertTrue(announced.endsWith("the server announces " + FILE.length + " bytes, more than the download limit of "
                + (FILE.length - 1) + " bytes (system property clip4j.download.maxBytes)"), announced);
        String hub = failure(url("/chunked"), FILE.length, limits(FILE.length - 1, -1));
        assertTrue(hub.contains("the hub announces " + FILE.length + " bytes, more than the download limit"), hub);
    }

    @Test
    void aBodyLongerThanItsContentLengthIsNeverStored() throws Exception {
        // HttpURLConnection stops at Content-Length on a keep-alive connection and reads on otherwise (which one it
        // picks varies from run to run): either way nothing past the announced size may reach the file.
        try (ServerSocket liar = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread serving = new Thread(() -> serveMoreThanAnnounced(liar));
            serving.start();
            String url = "http://127.0.0.1:" + liar.getLocalPort() + "/file";
            try {
                assertArrayEquals(FILE, Files.readAllBytes(fetch(url, -1, limits(1L << 40, -1))));
            } catch (CheckpointException e) {
                assertTrue(e.getMessage().endsWith("the server sends more than the " + FILE.length
                        + " bytes it announced"), e.getMessage());
                try (Stream<Path> files = Files.list(dir)) {
                    assertEquals(List.of(dir.resolve(".locks")), files.toList(), "no file, no .part file");
                }
            }
            serving.join(30_000);
        }
    }

    @Test
    void bytesPastTheAnnouncedSizeAreRefusedBeforeTheyAreWritten() throws IOException {
        DownloadLimits.Meter meter = limits(1L << 40, -1).start(dir.resolve("file.part"), 100, -1);
        meter.received(60);
        meter.received(40);
        IOException e = assertThrows(IOException.class, () -> meter.received(1));
        assertEquals("the server sends more than the 100 bytes it announced", e.getMessage());
        DownloadLimits.Meter hub = limits(1L << 40, -1).start(dir.resolve("file.part"), -1, 50);
        assertEquals("the server sends more than the 50 bytes the hub announced",
                assertThrows(IOException.class, () -> hub.received(51)).getMessage());
    }

    /** Answers one request with FILE's Content-Length, FILE, and 1 MiB more, which the client must not store. */
    private static void serveMoreThanAnnounced(ServerSocket liar) {
        try (Socket s = liar.accept()) {
            InputStream in = s.getInputStream();
            for (int last = 0, b; last != 0x0d0a0d0a && (b = in.read()) >= 0; ) {
                last = last << 8 | b; // the request ends with an empty line
            }
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + FILE.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(FILE);
            for (int i = 0; i < 16; i++) {
                out.write(new byte[1 << 16]);
            }
        } catch (IOException closedByTheClient) {
            // expected once the client has read enough
        }
    }

    @Test
    void aStalledTransferFailsInsteadOfHanging() throws Exception {
        // Each read returns within the read timeout, but 1 KiB never arrives within a 300 ms window.
        String e = failure(url("/drip"), -1, new DownloadLimits(1L << 40, 300, 1024, folder -> -1));
        assertTrue(e.contains("the transfer stalled: ") && e.contains(" fewer than the 1024 expected every 300 ms"),
                e);
    }

    @Test
    void responseHeadersSentAByteAtATimeMeetADeadline() throws Exception {
        // Each byte arrives well within the read timeout, so without a deadline on the whole the request never ends.
        try (ServerSocket dripping = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread serving = new Thread(() -> dripHeaders(dripping));
            serving.start();
            java.net.HttpURLConnection http = (java.net.HttpURLConnection) new java.net.URL(
                    "http://127.0.0.1:" + dripping.getLocalPort() + "/file").openConnection();
            http.setReadTimeout(30_000);
            IOException e = assertThrows(IOException.class, () -> VerifiedDownload.responseCode(http, 300));
            assertEquals("no complete response headers within 300 ms", e.getMessage());
            serving.join(30_000);
            assertTrue(!serving.isAlive(), "the server still sends: the connection was not closed");
        }
    }

    /** Answers one request with a header line that never ends, a byte every 20 ms, until the client hangs up. */
    private static void dripHeaders(ServerSocket dripping) {
        try (Socket s = dripping.accept()) {
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 3000; i++) { // 60 s at most, should the client never give up
                out.write('a');
                out.flush();
                Thread.sleep(20);
            }
        } catch (IOException | InterruptedException closedByTheClient) {
            // expected once the client gives up
        }
    }

    @Test
    void anAnnouncedSizeAboveTheUsableSpaceIsRefused() throws Exception {
        String e = failure(url("/file"), -1, limits(1L << 40, FILE.length - 1));
        assertTrue(e.endsWith("the file is announced as " + FILE.length + " bytes, but only " + (FILE.length - 1)
                + " bytes are usable on the file system of " + dir + "; free some space or use another folder"), e);
        String hub = failure(url("/chunked"), FILE.length, limits(1L << 40, 10)); // the hub's size, no Content-Length
        assertTrue(hub.contains("the file is announced as " + FILE.length + " bytes, but only 10 bytes"), hub);
    }

    @Test
    void theLimitIsASystemProperty() {
        assertEquals(16L << 30, DownloadLimits.standard().maxBytes);
        try {
            System.setProperty(DownloadLimits.MAX_BYTES_PROPERTY, " 1000 ");
            assertEquals(1000, DownloadLimits.standard().maxBytes);
            for (String bad : new String[]{"0", "1g", "-5", "99999999999999999999"}) {
                System.setProperty(DownloadLimits.MAX_BYTES_PROPERTY, bad);
                CheckpointException e = assertThrows(CheckpointException.class, DownloadLimits::standard, bad);
                assertEquals("clip4j.download.maxBytes must be a positive number of bytes, got \"" + bad + "\"",
                        e.getMessage());
            }
        } finally {
            System.clearProperty(DownloadLimits.MAX_BYTES_PROPERTY);
        }
    }
}
