package io.clip4j.pretrained;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.checkpoint.CheckpointException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Downloads a model from the Hugging Face hub (e.g. {@code openai/clip-vit-base-patch32}) into the hub cache, in
 * the layout the Python {@code huggingface_hub} uses and reads ({@code blobs/<etag>}, {@code snapshots/<commit>/<file>}
 * linking to the blob, {@code refs/main}), so Python and clip4j share the files. Only what clip4j reads is fetched:
 * {@code config.json} and the safetensors weights ({@code model.safetensors}, or the shards its index lists). A model
 * already cached with those files is used without a network request. Each file is checked against the hub's ETag
 * before it is moved into place: the SHA-256 of a large (LFS) file, the git blob SHA-1 of a small one.
 */
public final class HuggingFaceHub {
    private static final Logger LOG = LoggerFactory.getLogger(HuggingFaceHub.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REVISION = "main";
    private static final String CONFIG = "config.json";
    private static final String WEIGHTS = "model.safetensors";
    private static final String INDEX = "model.safetensors.index.json";

    private final Path hubCache;
    private String endpoint;
    private String token;
    private boolean offline;
    private ModelDownloader.Progress progress = (done, total) -> { };

    /**
     * A hub client with the Python library's defaults: {@code $HF_ENDPOINT} (else {@code https://huggingface.co}) and
     * the token in {@code $HF_TOKEN}, if any.
     *
     * @param hubCache the hub cache folder, e.g. {@link HuggingFaceCache#defaultDir()}
     */
    public HuggingFaceHub(Path hubCache) {
        this.hubCache = Objects.requireNonNull(hubCache, "hubCache");
        String env = System.getenv("HF_ENDPOINT");
        endpoint(env == null || env.isEmpty() ? "https://huggingface.co" : env);
        String t = System.getenv("HF_TOKEN");
        this.token = t == null || t.isEmpty() ? null : t;
    }

    /**
     * @param url the hub's base URL, http or https (a mirror with the hub's API)
     * @return this client
     * @throws IllegalArgumentException if the URL is not http or https
     */
    public HuggingFaceHub endpoint(String url) {
        if (!url.startsWith("https://") && !url.startsWith("http://")) {
            throw new IllegalArgumentException("hub endpoint must be an http(s) URL, got " + url);
        }
        this.endpoint = url.replaceAll("/+$", "");
        return this;
    }

    /**
     * @param accessToken a hub access token for gated or private models (sent to the endpoint's host only), or null
     * @return this client
     */
    public HuggingFaceHub token(String accessToken) {
        this.token = accessToken;
        return this;
    }

    /**
     * @param offline true: never download; the model must already be cached
     * @return this client
     */
    public HuggingFaceHub offline(boolean offline) {
        this.offline = offline;
        return this;
    }

    /**
     * @param listener told of each file's bytes as they arrive, on the calling thread
     * @return this client
     */
    public HuggingFaceHub onProgress(ModelDownloader.Progress listener) {
        this.progress = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * The snapshot folder of the model's {@code main} revision, downloaded first unless it is cached with a
     * {@code config.json} and safetensors weights.
     *
     * @param repoId a repo id, e.g. {@code openai/clip-vit-base-patch32}
     * @return the folder, which {@code ClipModel.load} reads as a Hugging Face model directory
     * @throws IllegalArgumentException if {@code repoId} is not a repo id ({@link HuggingFaceCache#isRepoId})
     * @throws CheckpointException      if the model is not cached and the client is offline, the hub refuses it
     *                                  (missing, gated, private), it has no safetensors weights, a download fails or
     *                                  a file does not match its ETag
     */
    public Path fetch(String repoId) {
        Optional<Path> cached = HuggingFaceCache.find(hubCache, repoId);
        if (cached.isPresent() && complete(cached.get())) {
            return cached.get();
        }
        if (offline) {
            throw new CheckpointException(repoId + " is not in the Hugging Face cache " + hubCache + " with "
                    + CONFIG + " and " + WEIGHTS + ", and downloads are off");
        }
        Path repo = hubCache.resolve("models--" + repoId.replace("/", "--"));
        try {
            FileInfo config = info(repoId, CONFIG);
            if (config == null) {
                throw new CheckpointException(repoId + ": the hub has no " + CONFIG + " for it (" + url(repoId, CONFIG)
                        + "); is it a transformers CLIPModel?");
            }
            Path snapshot = repo.resolve("snapshots").resolve(config.commit);
            place(repo, snapshot, config);
            FileInfo weights = info(repoId, WEIGHTS);
            if (weights != null) {
                place(repo, snapshot, weights);
            } else {
                FileInfo index = info(repoId, INDEX);
                if (index == null) {
                    throw new CheckpointException(repoId + ": the hub has neither " + WEIGHTS + " nor " + INDEX
                            + " for it; clip4j reads safetensors weights only");
                }
                place(repo, snapshot, index);
                for (String shard : shards(snapshot.resolve(INDEX))) {
                    FileInfo s = info(repoId, shard);
                    if (s == null) {
                        throw new CheckpointException(repoId + ": " + INDEX + " lists " + shard + ", which the hub lacks");
                    }
                    place(repo, snapshot, s);
                }
            }
            Files.createDirectories(repo.resolve("refs"));
            Files.write(repo.resolve("refs").resolve(REVISION), config.commit.getBytes(StandardCharsets.UTF_8));
            return snapshot;
        } catch (IOException e) {
            throw new CheckpointException("cannot download " + repoId + " from " + endpoint + " into " + repo + ": "
                    + e, e);
        }
    }

    private static boolean complete(Path snapshot) {
        return Files.isRegularFile(snapshot.resolve(CONFIG))
                && (Files.isRegularFile(snapshot.resolve(WEIGHTS)) || Files.isRegularFile(snapshot.resolve(INDEX)));
    }

    /** A file's metadata: the hub's HEAD response, before any redirect to the file storage. */
    private static final class FileInfo {
        final String name;
        final String url;
        final String commit;
        final String etag;

        FileInfo(String name, String url, String commit, String etag) {
            this.name = name;
            this.url = url;
            this.commit = commit;
            this.etag = etag;
        }
    }

    private String url(String repoId, String file) {
        return endpoint + "/" + repoId + "/resolve/" + REVISION + "/" + file;
    }

    private Map<String, String> auth() {
        return token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
    }

    /** @return the file's metadata, or null if the hub says it does not exist */
    private FileInfo info(String repoId, String file) throws IOException {
        String url = url(repoId, file);
        HttpURLConnection http = VerifiedDownload.open(url, "HEAD", auth(), false);
        try {
            int status = http.getResponseCode();
            if (status == HttpURLConnection.HTTP_NOT_FOUND) {
                return null;
            }
            if (status == HttpURLConnection.HTTP_UNAUTHORIZED || status == HttpURLConnection.HTTP_FORBIDDEN) {
                throw new CheckpointException(repoId + ": the hub refuses " + url + " (HTTP " + status + "): a gated or"
                        + " private model needs an access token (HF_TOKEN) that may read it");
            }
            if (status != HttpURLConnection.HTTP_OK && (status < 300 || status >= 400)) {
                throw new IOException("HEAD " + url + ": HTTP status " + status + " " + http.getResponseMessage());
            }
            String commit = http.getHeaderField("X-Repo-Commit");
            String etag = http.getHeaderField("X-Linked-Etag"); // an LFS file's SHA-256
            if (etag == null) {
                etag = http.getHeaderField("ETag");
            }
            etag = etag == null ? null : etag.replaceFirst("^W/", "").replace("\"", "");
            if (commit == null || !commit.matches("[0-9a-f]{40}") || etag == null || !etag.matches("[0-9a-f]{8,128}")) {
                throw new IOException("HEAD " + url + ": no usable X-Repo-Commit/ETag headers (" + commit + ", " + etag
                        + "); is " + endpoint + " a Hugging Face hub?");
            }
            return new FileInfo(file, url, commit, etag);
        } finally {
            http.disconnect();
        }
    }

    /** Downloads a file into {@code blobs/<etag>} (unless there) and links it from the snapshot folder. */
    private void place(Path repo, Path snapshot, FileInfo f) throws IOException {
        Path blob = repo.resolve("blobs").resolve(f.etag);
        if (!Files.isRegularFile(blob) || mismatch(blob, f) != null) {
            VerifiedDownload.fetch(f.url, auth(), blob, f.name, (part, sha256) -> mismatch(part, f, sha256), progress);
        }
        Path link = snapshot.resolve(f.name);
        Files.createDirectories(snapshot);
        Files.deleteIfExists(link);
        try {
            Files.createSymbolicLink(link, snapshot.relativize(blob));
        } catch (UnsupportedOperationException | FileSystemException e) { // no symlinks here: a copy, as the hub does
            LOG.debug("cannot link {} to {} ({}); copying", link, blob, e.toString());
            Files.copy(blob, link, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String mismatch(Path file, FileInfo f) throws IOException {
        return mismatch(file, f, f.etag.length() == 64 ? VerifiedDownload.hash(file, new byte[0], "SHA-256") : null);
    }

    /** Checks a file against its ETag: SHA-256 (64 hex digits), git blob SHA-1 (40), else nothing to check. */
    private static String mismatch(Path file, FileInfo f, String sha256) throws IOException {
        if (f.etag.length() == 64) {
            return sha256.equals(f.etag) ? null : "its SHA-256 " + sha256 + " does not match the hub's " + f.etag;
        }
        if (f.etag.length() == 40) {
            byte[] header = ("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII);
            String sha1 = VerifiedDownload.hash(file, header, "SHA-1");
            return sha1.equals(f.etag) ? null : "its git blob SHA-1 " + sha1 + " does not match the hub's " + f.etag;
        }
        LOG.warn("{}: ETag {} is neither a SHA-256 nor a git SHA-1; the download is not verified", f.url, f.etag);
        return null;
    }

    private static List<String> shards(Path index) throws IOException {
        JsonNode map = JSON.readTree(Files.readAllBytes(index)).get("weight_map");
        if (map == null || !map.isObject()) {
            throw new CheckpointException(index + ": shard index has no weight_map object");
        }
        TreeSet<String> names = new TreeSet<>();
        for (Iterator<JsonNode> it = map.elements(); it.hasNext(); ) {
            String n = it.next().asText();
            if (!n.matches("[A-Za-z0-9._-]+") || n.startsWith(".")) {
                throw new CheckpointException(index + ": bad shard file name " + n);
            }
            names.add(n);
        }
        return Collections.unmodifiableList(new ArrayList<>(names));
    }
}
