package io.clip4j.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.clip4j.Activation;
import io.clip4j.ClipConfig;
import io.clip4j.checkpoint.CheckpointException;
import io.clip4j.checkpoint.CheckpointReader;
import io.clip4j.checkpoint.ConfigInference;
import io.clip4j.checkpoint.ImageTransformConfig;
import io.clip4j.checkpoint.OpenClipConfig;
import io.clip4j.checkpoint.StateDict;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
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
    private boolean binOnly;
    private byte[] bin;
    /** The repo has no config.json but open_clip's files (open_clip_model.safetensors unless binOnly). */
    private boolean openClipOnly;
    /** With openClipOnly: the repo has a config.json all the same (but still no transformers weights). */
    private boolean openClipWithConfigJson;
    /** With openClipWithConfigJson: the repo also has a model.safetensors (timm's image tower, in timm's repos). */
    private boolean timmWeights;
    private byte[] openClipConfig;
    /** The repo's preprocessor_config.json (null: it has none), and the bytes served for it (to corrupt them). */
    private byte[] preprocessor;
    private byte[] servedPreprocessor;
    /** The size the hub announces for the weights (X-Linked-Size), or null for none. */
    private Long linkedSize;
    /** Bytes of a chunked body the file host sends after the weights (as if it never ended), or 0. */
    private int endlessTail;

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
        String prefix = "/openai/clip-tiny/resolve/";
        String file = null;
        if (path.startsWith(prefix + "main/") || path.startsWith(prefix + COMMIT + "/")) {
            file = path.substring(path.lastIndexOf('/') + 1);
            x.getResponseHeaders().add("X-Repo-Commit", COMMIT);
        }
        try {
            if (openClipOnly && file != null && !(openClipWithConfigJson && (file.equals("config.json")
                    || timmWeights && file.equals("model.safetensors")))) {
                status = openClipFile(x, file);
                body = status == 200 ? openClipConfig : null;
            } else if ("config.json".equals(file)) {
                // huggingface.co answers a small file with a relative redirect to its resolve cache
                x.getResponseHeaders().add("Location", "/api/resolve-cache/models/openai/clip-tiny/" + COMMIT
                        + "/config.json");
                status = 307;
            } else if (path.equals("/api/resolve-cache/models/openai/clip-tiny/" + COMMIT + "/config.json")) {
                x.getResponseHeaders().add("X-Repo-Commit", COMMIT);
                x.getResponseHeaders().add("ETag", "\"" + hash("SHA-1", ("blob " + config.length + "\0").getBytes(
                        StandardCharsets.US_ASCII), config) + "\"");
                status = 200;
                body = config;
            } else if ("preprocessor_config.json".equals(file) && preprocessor != null) {
                x.getResponseHeaders().add("ETag", "\"" + hash("SHA-1", ("blob " + preprocessor.length + "\0")
                        .getBytes(StandardCharsets.US_ASCII), preprocessor) + "\"");
                status = 200;
                body = servedPreprocessor;
            } else if ((binOnly ? "pytorch_model.bin" : "model.safetensors").equals(file) && !noWeights) {
                byte[] w = binOnly ? bin : weights;
                x.getResponseHeaders().add("X-Linked-Etag", "\"" + hash("SHA-256", new byte[0], w) + "\"");
                if (linkedSize != null) {
                    x.getResponseHeaders().add("X-Linked-Size", linkedSize.toString());
                }
                // "localhost", not 127.0.0.1: another host, which must not receive the token
                x.getResponseHeaders().add("Location", "http://localhost:" + server.getAddress().getPort()
                        + (binOnly ? "/cdn/b" : "/cdn/w"));
                status = 302;
            } else if (file != null) {
                x.getResponseHeaders().add("X-Error-Code", "EntryNotFound");
            } else if (path.equals("/cdn/w") && endlessTail > 0) {
                x.sendResponseHeaders(200, 0); // chunked, no Content-Length
                try (OutputStream out = x.getResponseBody()) {
                    out.write(servedWeights);
                    for (int i = 0; i < endlessTail; i += 4096) { // capped here only so a failing test ends
                        out.write(new byte[4096]);
                    }
                } catch (IOException closedByTheClient) {
                    // expected once the client has read enough
                }
                return;
            } else if (path.equals("/cdn/w")) {
                status = 200;
                body = servedWeights;
            } else if (path.equals("/cdn/b")) {
                status = 200;
                body = bin;
            } else if (path.startsWith("/openai/private/")) {
                x.getResponseHeaders().add("X-Error-Code", "RepoNotFound");
                x.getResponseHeaders().add("X-Error-Message", "Repository not found");
                status = 401;
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

    /** open_clip's files as the hub serves them: the small config directly, the weights redirected (LFS). */
    private int openClipFile(HttpExchange x, String file) throws Exception {
        if ("open_clip_config.json".equals(file)) {
            x.getResponseHeaders().add("ETag", "\"" + hash("SHA-1", ("blob " + openClipConfig.length + "\0").getBytes(
                    StandardCharsets.US_ASCII), openClipConfig) + "\"");
            return 200;
        }
        if ((binOnly ? "open_clip_pytorch_model.bin" : "open_clip_model.safetensors").equals(file) && !noWeights) {
            byte[] w = binOnly ? bin : weights;
            x.getResponseHeaders().add("X-Linked-Etag", "\"" + hash("SHA-256", new byte[0], w) + "\"");
            x.getResponseHeaders().add("Location", "http://localhost:" + server.getAddress().getPort()
                    + (binOnly ? "/cdn/b" : "/cdn/w"));
            return 302;
        }
        x.getResponseHeaders().add("X-Error-Code", "EntryNotFound");
        return 404;
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
        assertFalse(Files.exists(snapshot.resolve(ImageTransformConfig.HUGGING_FACE_FILE)), "the repo has none");
        assertTrue(requests.contains("GET /cdn/w"), requests.toString()); // no token to the file host
        assertTrue(requests.contains("HEAD /openai/clip-tiny/resolve/" + COMMIT + "/model.safetensors Bearer secret"),
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
        assertTrue(none.getMessage().contains("none of model.safetensors, pytorch_model.bin or their shard indexes"),
                none.getMessage());
        CheckpointException unknown = assertThrows(CheckpointException.class, () -> client().fetch("openai/nothing"));
        assertTrue(unknown.getMessage().contains("the hub has no config.json"), unknown.getMessage());
        CheckpointException hidden = assertThrows(CheckpointException.class, () -> client().fetch("openai/private"));
        assertTrue(hidden.getMessage().startsWith("openai/private: no such model on the hub")
                && hidden.getMessage().contains("Repository not found"), hidden.getMessage());
        CheckpointException offline = assertThrows(CheckpointException.class,
                () -> client().offline(true).fetch("openai/other"));
        assertTrue(offline.getMessage().contains("downloads are off"), offline.getMessage());
        assertFalse(offline.getMessage().contains("HF_HUB_OFFLINE"), offline.getMessage());
        CheckpointException byEnv = assertThrows(CheckpointException.class,
                () -> new HuggingFaceHub(hub, Map.of("HF_HUB_OFFLINE", "1")::get).fetch("openai/other"));
        assertTrue(byEnv.getMessage().endsWith("downloads are off (HF_HUB_OFFLINE is 1; unset it to download)"),
                byEnv.getMessage());
        assertThrows(IllegalArgumentException.class, () -> client().endpoint("ftp://x"));
        assertThrows(IllegalArgumentException.class, () -> client().endpoint("https://"));
        for (String yes : new String[]{"1", "ON", "yes", " True "}) {
            assertTrue(HuggingFaceHub.isTrue(yes), yes);
        }
        for (String no : new String[]{"0", "", "off", "no", "false"}) {
            assertFalse(HuggingFaceHub.isTrue(no), no);
        }
        assertFalse(HuggingFaceHub.isTrue(null));
        // a port no server can have, from a redirect or an endpoint: a CheckpointException, not a RuntimeException
        CheckpointException port = assertThrows(CheckpointException.class, () -> new HuggingFaceHub(hub)
                .endpoint("http://127.0.0.1:99999").fetch("openai/any"));
        assertTrue(port.getMessage().contains("port out of range"), port.getMessage());
    }

    @Test
    void refsMainIsReplacedNotWrittenThroughALink(@TempDir Path elsewhere) throws Exception {
        // refs/main planted as a link out of a shared cache: the download must not write the commit into its target
        Path victim = Files.writeString(elsewhere.resolve("victim.txt"), "keep me");
        Path refs = Files.createDirectories(hub.resolve("models--openai--clip-tiny/refs"));
        Files.createSymbolicLink(refs.resolve("main"), victim);
        Path snapshot = client().fetch("openai/clip-tiny");
        assertEquals("keep me", Files.readString(victim));
        assertFalse(Files.isSymbolicLink(refs.resolve("main")));
        assertEquals(COMMIT, Files.readString(refs.resolve("main")));
        try (var s = Files.list(refs)) {
            assertEquals(List.of(refs.resolve("main")), s.toList(), "no temporary file left");
        }
        assertEquals(snapshot, HuggingFaceCache.find(hub, "openai/clip-tiny").orElseThrow());
    }

    @Test
    void aFileHostSendingMoreThanTheHubsSizeIsCutOff() throws Exception {
        linkedSize = (long) weights.length;
        endlessTail = 64 << 20; // a body without end, as far as the client can tell
        CheckpointException e = assertThrows(CheckpointException.class, () -> client().fetch("openai/clip-tiny"));
        assertTrue(e.getMessage().contains("more than the " + weights.length + " bytes the hub announced"),
                e.getMessage());
        try (var s = Files.list(hub.resolve("models--openai--clip-tiny/blobs"))) {
            assertEquals(1, s.count(), "only config.json's blob, no weights or .part file");
        }
        endlessTail = 0; // the hub's size, when right, is no obstacle
        Path snapshot = client().fetch("openai/clip-tiny");
        assertArrayEquals(weights, Files.readAllBytes(snapshot.resolve("model.safetensors")));
    }

    @Test
    void aModelWithPytorchModelBinOnlyIsFetchedAndLoads() throws Exception {
        // openai/clip-vit-base-patch32 has no model.safetensors on main: transformers falls back to pytorch_model.bin
        binOnly = true;
        bin = Files.readAllBytes(io.clip4j.checkpoint.TorchSaveFiles.writeFloat32(hub.resolve("w.bin"),
                io.clip4j.checkpoint.CheckpointReader.read(VIT.resolve("model.safetensors"))));
        Path snapshot = client().fetch("openai/clip-tiny");
        assertArrayEquals(bin, Files.readAllBytes(snapshot.resolve("pytorch_model.bin")));
        assertFalse(Files.exists(snapshot.resolve("model.safetensors")));
        assertEquals(CheckpointReader.read(VIT).asMap().keySet(), CheckpointReader.read(snapshot).asMap().keySet());
        assertTrue(requests.contains("HEAD /openai/clip-tiny/resolve/" + COMMIT + "/model.safetensors"),
                "files after the first come from the pinned commit: " + requests);
    }

    @Test
    void aSnapshotMissingAShardIsNotComplete() throws Exception {
        Path snapshot = Files.createDirectories(hub.resolve("models--me--sharded/snapshots").resolve(COMMIT));
        Files.createDirectories(hub.resolve("models--me--sharded/refs"));
        Files.writeString(hub.resolve("models--me--sharded/refs/main"), COMMIT);
        Files.write(snapshot.resolve("config.json"), config);
        Files.writeString(snapshot.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"a\": "
                + "\"model-00001-of-00002.safetensors\", \"b\": \"model-00002-of-00002.safetensors\"}}");
        Files.write(snapshot.resolve("model-00001-of-00002.safetensors"), new byte[8]);
        CheckpointException e = assertThrows(CheckpointException.class, () -> client().offline(true).fetch("me/sharded"));
        assertTrue(e.getMessage().contains("downloads are off"), e.getMessage());
        Files.write(snapshot.resolve("model-00002-of-00002.safetensors"), new byte[8]);
        assertEquals(snapshot, client().offline(true).fetch("me/sharded"));
        Files.writeString(snapshot.resolve("model.safetensors.index.json"), "{\"weight_map\": {}}");
        assertThrows(CheckpointException.class, () -> client().offline(true).fetch("me/sharded"), "no shards listed");
    }

    /** open_clip's layout, as apple/DFN2B-CLIP-ViT-L-14 has it: tiny-openclip's config, tiny-vit's weights. */
    private void serveOpenClip(boolean bin) throws Exception {
        openClipOnly = true;
        binOnly = bin;
        Path oc = VIT.resolveSibling("tiny-openclip");
        openClipConfig = Files.readAllBytes(oc.resolve(OpenClipConfig.CONFIG_FILE));
        StateDict sd = CheckpointReader.read(VIT.resolve("state_dict.pt"));
        Path st = hub.resolve("oc.safetensors");
        io.clip4j.checkpoint.SafetensorsWriter.write(st, sd.asMap(), Map.of());
        weights = Files.readAllBytes(st);
        servedWeights = weights;
        this.bin = Files.readAllBytes(VIT.resolve("state_dict.pt"));
        Files.delete(st);
    }

    @Test
    void aRepoWithOnlyOpenClipFilesIsFetchedIntoTheSameLayoutAndLoads() throws Exception {
        serveOpenClip(false);
        Path snapshot = client().fetch("openai/clip-tiny");
        assertEquals(hub.resolve("models--openai--clip-tiny/snapshots").resolve(COMMIT), snapshot);
        assertArrayEquals(openClipConfig, Files.readAllBytes(snapshot.resolve(OpenClipConfig.CONFIG_FILE)));
        assertArrayEquals(weights, Files.readAllBytes(snapshot.resolve(OpenClipConfig.SAFETENSORS_FILE)));
        assertFalse(Files.exists(snapshot.resolve("config.json")));
        assertFalse(Files.exists(snapshot.resolve(OpenClipConfig.PYTORCH_FILE)), "safetensors only, preferred");
        assertTrue(requests.contains("HEAD /openai/clip-tiny/resolve/" + COMMIT + "/open_clip_model.safetensors"),
                "weights come from the pinned commit: " + requests);
        ClipConfig c = ConfigInference.infer(CheckpointReader.read(snapshot), snapshot);
        assertEquals(8, c.visionHeads(), "heads from open_clip_config.json");
        assertEquals(Activation.GELU, c.activation());
        assertArrayEquals(new double[]{0.5, 0.4, 0.3}, OpenClipConfig.find(snapshot).orElseThrow().transform().mean());
        int before = requests.size();
        assertEquals(snapshot, client().offline(true).fetch("openai/clip-tiny"));
        assertEquals(snapshot, client().fetch("openai/clip-tiny"));
        assertEquals(before, requests.size(), "a complete cached open_clip snapshot needs no request");
    }

    @Test
    void anOpenClipRepoWithoutSafetensorsGivesTheBinAndOneWithoutWeightsIsRefused() throws Exception {
        serveOpenClip(true);
        Path snapshot = client().fetch("openai/clip-tiny");
        assertArrayEquals(bin, Files.readAllBytes(snapshot.resolve(OpenClipConfig.PYTORCH_FILE)));
        assertEquals(CheckpointReader.read(VIT).keys(), CheckpointReader.read(snapshot).keys());
        assertEquals(4, ConfigInference.infer(CheckpointReader.read(snapshot), snapshot).transformerHeads());

        noWeights = true;
        Path other = Files.createDirectory(hub.resolve("other"));
        CheckpointException none = assertThrows(CheckpointException.class,
                () -> new HuggingFaceHub(other).endpoint("http://127.0.0.1:" + server.getAddress().getPort())
                        .fetch("openai/clip-tiny"));
        assertTrue(none.getMessage().contains("has open_clip_config.json but neither open_clip_model.safetensors nor"
                + " open_clip_pytorch_model.bin"), none.getMessage());
    }

    @Test
    void corruptOpenClipWeightsAreRefused() throws Exception {
        serveOpenClip(false);
        servedWeights = weights.clone();
        servedWeights[100] ^= 1;
        CheckpointException corrupt = assertThrows(CheckpointException.class, () -> client().fetch("openai/clip-tiny"));
        assertTrue(corrupt.getMessage().contains("does not match the hub's"), corrupt.getMessage());
        assertFalse(Files.exists(hub.resolve("models--openai--clip-tiny/refs/main")));
    }

    @Test
    void aConfigJsonWithoutTransformersWeightsFallsBackToOpenClipsFiles() throws Exception {
        serveOpenClip(false);
        openClipWithConfigJson = true;
        Path snapshot = client().fetch("openai/clip-tiny");
        assertArrayEquals(config, Files.readAllBytes(snapshot.resolve("config.json")));
        assertArrayEquals(openClipConfig, Files.readAllBytes(snapshot.resolve(OpenClipConfig.CONFIG_FILE)));
        assertArrayEquals(weights, Files.readAllBytes(snapshot.resolve(OpenClipConfig.SAFETENSORS_FILE)));
        // without transformers weights the open_clip files define the model: its heads, not config.json's
        assertEquals(8, ConfigInference.infer(CheckpointReader.read(snapshot), snapshot).visionHeads());
        assertEquals(snapshot, client().offline(true).fetch("openai/clip-tiny"));
    }

    @Test
    void timmsConfigJsonAndImageTowerWeightsAreLeftForOpenClipsFiles() throws Exception {
        // timm/vit_*_clip_*: timm's config.json and model.safetensors (image tower only) beside open_clip's files
        serveOpenClip(false);
        openClipWithConfigJson = true;
        timmWeights = true;
        config = "{\"architecture\": \"vit_base_patch32_clip_224\", \"num_classes\": 512}"
                .getBytes(StandardCharsets.UTF_8);
        Path snapshot = client().fetch("openai/clip-tiny");
        assertFalse(Files.exists(snapshot.resolve("model.safetensors")), "timm's weights are not downloaded");
        assertFalse(requests.stream().anyMatch(r -> r.endsWith("/model.safetensors")), "not even asked: " + requests);
        assertArrayEquals(weights, Files.readAllBytes(snapshot.resolve(OpenClipConfig.SAFETENSORS_FILE)));
        assertEquals(8, ConfigInference.infer(CheckpointReader.read(snapshot), snapshot).visionHeads());
        assertEquals(snapshot, client().offline(true).fetch("openai/clip-tiny"), "complete as open_clip's");

        // the same directory with timm's weights present too (e.g. downloaded by timm): still open_clip's model
        Files.write(snapshot.resolve("model.safetensors"), weights);
        assertTrue(OpenClipConfig.find(snapshot).isPresent());
        assertEquals(8, ConfigInference.infer(CheckpointReader.read(snapshot), snapshot).visionHeads());
        // while a transformers config.json beside Hugging Face weights keeps precedence
        Files.write(snapshot.resolve("config.json"), Files.readAllBytes(VIT.resolve("config.json")));
        assertFalse(OpenClipConfig.find(snapshot).isPresent());
    }

    @Test
    void aRepoWithPreprocessorConfigJsonGivesItFromThePinnedCommitAndItsMeanStdLoad() throws Exception {
        preprocessor = "{\"image_processor_type\": \"CLIPImageProcessor\", \"image_mean\": [0.5, 0.4, 0.3],"
                .concat(" \"image_std\": [0.2, 0.25, 0.3], \"size\": {\"shortest_edge\": 224}}")
                .getBytes(StandardCharsets.UTF_8);
        servedPreprocessor = preprocessor;
        Path snapshot = client().fetch("openai/clip-tiny");
        Path file = snapshot.resolve(ImageTransformConfig.HUGGING_FACE_FILE);
        assertTrue(Files.isSymbolicLink(file));
        assertArrayEquals(preprocessor, Files.readAllBytes(file));
        assertTrue(requests.contains("HEAD /openai/clip-tiny/resolve/" + COMMIT + "/preprocessor_config.json"),
                "from the pinned commit: " + requests);
        // what ClipModel.load does with the snapshot: tiny-vit's configuration, the file's mean/std
        ClipConfig c = ConfigInference.infer(CheckpointReader.read(snapshot), snapshot);
        ImageTransformConfig t = ImageTransformConfig.of(snapshot, c.imageResolution());
        assertArrayEquals(new double[]{0.5, 0.4, 0.3}, t.mean());
        assertArrayEquals(new double[]{0.2, 0.25, 0.3}, t.std());
        assertEquals(file, t.source().orElseThrow());
        int before = requests.size();
        assertEquals(snapshot, client().fetch("openai/clip-tiny"));
        assertEquals(before, requests.size(), "complete when cached");
        // a snapshot cached without it (an older download) is complete all the same
        Files.delete(file);
        assertEquals(snapshot, client().offline(true).fetch("openai/clip-tiny"));
        assertEquals(before, requests.size());
    }

    @Test
    void aCorruptPreprocessorConfigJsonIsRefused() throws Exception {
        preprocessor = "{\"image_mean\": [0.5, 0.4, 0.3]}".getBytes(StandardCharsets.UTF_8);
        servedPreprocessor = "{\"image_mean\": [0.5, 0.4, 0.4]}".getBytes(StandardCharsets.UTF_8);
        CheckpointException e = assertThrows(CheckpointException.class, () -> client().fetch("openai/clip-tiny"));
        assertTrue(e.getMessage().contains("does not match the hub's"), e.getMessage());
        assertFalse(Files.exists(hub.resolve("models--openai--clip-tiny/refs/main")));
    }
}
