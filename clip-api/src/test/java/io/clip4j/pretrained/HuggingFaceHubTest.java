package io.clip4j.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.clip4j.checkpoint.CheckpointException;
import io.clip4j.checkpoint.CheckpointReader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a local server that answers like the hub: {@code /<repo>/resolve/main/<file>} with X-Repo-Commit and
 * ETag headers, a small file served directly (ETag: its git blob SHA-1), a large one redirected to another host
 * (X-Linked-Etag: its SHA-256), as huggingface.co does with LFS files.
 */
class HuggingFaceHubTest {
    private static final Path VIT = Path.of(System.getProperty("clip4j.testdata"), "models/tiny-vit");
    private static final String COMMIT = "89abcdef0123456789abcdef0123456789abcdef";

    @TempDir
    Path hub;

    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private byte[] config;
    private byte[] weights;
    private byte[] servedWeights;
    private boolean noWeights;

    @BeforeEach
    void start() throws IOException {
        config = Files.readAllBytes(VIT.resolve("config.json"));
        weights = Files.readAllBytes(VIT.resolve("model.safetensors"));
        servedWeights = weights;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String auth = x.getRequestHeaders().getFirst("Authorization");
        requests.add(x.getRequestMethod() + " " + path + (auth == null ? "" : " " + auth));
        byte[] body = null;
        int status = 404;
        try {
            if (path.equals("/openai/clip-tiny/resolve/main/config.json")) {
                x.getResponseHeaders().add("X-Repo-Commit", COMMIT);
                x.getResponseHeaders().add("ETag", "\"" + hash("SHA-1", ("blob " + config.length + "\0").getBytes(
                        StandardCharsets.US_ASCII), config) + "\"");
                status = 200;
                body = config;
            } else if (path.equals("/openai/clip-tiny/resolve/main/model.safetensors") && !noWeights) {
                x.getResponseHeaders().add("X-Repo-Commit", COMMIT);
                x.getResponseHeaders().add("X-Linked-Etag", "\"" + hash("SHA-256", new byte[0], weights) + "\"");
                // "localhost", not 127.0.0.1: another host, which must not receive the token
                x.getResponseHeaders().add("Location", "http://localhost:" + server.getAddress().getPort() + "/cdn/w");
                status = 302;
            } else if (path.equals("/cdn/w")) {
                status = 200;
                body = servedWeights;
            }
        } catch (Exception e) {
            throw new IOException(e);
        }
        boolean head = x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(status, body == null || head ? -1 : body.length);
        try (OutputStream out = x.getResponseBody()) {
            if (body != null && !head) {
                out.write(body);
            }
        }
    }

    private static String hash(String algorithm, byte[] prefix, byte[] data) throws Exception {
        MessageDigest md = MessageDigest.getInstance(algorithm);
        md.update(prefix);
        StringBuilder hex = new StringBuilder();
        for (byte b : md.digest(data)) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }

    private HuggingFaceHub client() {
        return new HuggingFaceHub(hub).endpoint("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    @Test
    void downloadsIntoTheHubLayoutOnceAndSendsTheTokenToTheHubOnly() throws Exception {
        Path snapshot = client().token("secret").fetch("openai/clip-tiny");
        Path repo = hub.resolve("models--openai--clip-tiny");
        assertEquals(repo.resolve("snapshots").resolve(COMMIT), snapshot);
        assertEquals(COMMIT, Files.readString(repo.resolve("refs/main")));
        assertTrue(Files.isSymbolicLink(snapshot.resolve("model.safetensors")));
        assertArrayEquals(weights, Files.readAllBytes(snapshot.resolve("model.safetensors")));
        assertArrayEquals(config, Files.readAllBytes(snapshot.resolve("config.json")));
        assertEquals(CheckpointReader.read(VIT).asMap().keySet(), CheckpointReader.read(snapshot).asMap().keySet());
        assertTrue(requests.contains("GET /cdn/w"), requests.toString()); // no token to the file host
        assertTrue(requests.contains("HEAD /openai/clip-tiny/resolve/main/model.safetensors Bearer secret"),
                requests.toString());
        int before = requests.size();
        assertEquals(snapshot, client().offline(true).fetch("openai/clip-tiny"));
        assertEquals(snapshot, client().fetch("openai/clip-tiny"));
        assertEquals(before, requests.size(), "a complete cached snapshot needs no request");
        assertEquals(snapshot, HuggingFaceCache.find(hub, "openai/clip-tiny").orElseThrow());
    }

    @Test
    void corruptOrMissingFilesAreCheckpointExceptionsThatLeaveNoBlob() throws Exception {
        servedWeights = weights.clone();
        servedWeights[1000] ^= 1;
        CheckpointException corrupt = assertThrows(CheckpointException.class, () -> client().fetch("openai/clip-tiny"));
        assertTrue(corrupt.getMessage().contains("does not match the hub's"), corrupt.getMessage());
        Path blobs = hub.resolve("models--openai--clip-tiny/blobs");
        try (var s = Files.list(blobs)) {
            assertEquals(1, s.count(), "only config.json's verified blob, no weights or .part file");
        }
        assertFalse(Files.exists(hub.resolve("models--openai--clip-tiny/refs/main")));

        noWeights = true;
        CheckpointException none = assertThrows(CheckpointException.class, () -> client().fetch("openai/clip-tiny"));
        assertTrue(none.getMessage().contains("neither model.safetensors nor model.safetensors.index.json"),
                none.getMessage());
        CheckpointException unknown = assertThrows(CheckpointException.class, () -> client().fetch("openai/nothing"));
        assertTrue(unknown.getMessage().contains("the hub has no config.json"), unknown.getMessage());
        CheckpointException offline = assertThrows(CheckpointException.class,
                () -> client().offline(true).fetch("openai/other"));
        assertTrue(offline.getMessage().contains("downloads are off"), offline.getMessage());
        assertThrows(IllegalArgumentException.class, () -> client().endpoint("ftp://x"));
    }
}
