package io.clip4j.pretrained;

import io.clip4j.checkpoint.CheckpointException;
import io.clip4j.checkpoint.CheckpointReader;
import io.clip4j.checkpoint.HuggingFaceConfig;
import io.clip4j.checkpoint.ImageTransformConfig;
import io.clip4j.checkpoint.OpenClipConfig;
import io.clip4j.io.FileHashes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Downloads a model from the Hugging Face hub (e.g. {@code openai/clip-vit-base-patch32}) into the hub cache, in
 * the layout the Python {@code huggingface_hub} uses and reads ({@code blobs/<etag>}, {@code snapshots/<commit>/<file>}
 * linking to the blob, {@code refs/main}), so Python and clip4j share the files. Only what clip4j reads is fetched:
 * {@code config.json}, the weights ({@code model.safetensors}, else {@code pytorch_model.bin}, or the shards of
 * their index) and {@code preprocessor_config.json} when the repo has it (its mean/std, see
 * {@link ImageTransformConfig}), all from the commit {@code main} names at the first request; a repo without
 * {@code config.json} or its weights but with open_clip's {@code open_clip_config.json} gives that and
 * {@code open_clip_model.safetensors}, else {@code open_clip_pytorch_model.bin}. A model already cached with those files is used without a network
 * request. Each file is checked against the hub's ETag before it is moved into place: the SHA-256 of a large (LFS)
 * file, the git blob SHA-1 of a small one. Downloads are limited as {@link ModelDownloader}'s are (size, disk space,
 * stalls), and an LFS file also to the size the hub announces for it.
 *
 * <p>The setters are not synchronised: configure a client before sharing it between threads. Two downloads of one
 * file, from threads or processes, are serialised by a lock file in the cache's {@code .locks} folder, and the
 * second uses the first one's file when it verifies.
 */
public final class HuggingFaceHub {
    private static final Logger LOG = LoggerFactory.getLogger(HuggingFaceHub.class);
    private static final String REVISION = "main";
    private static final String CONFIG = HuggingFaceConfig.CONFIG_FILE;
    /** The weights clip4j reads, in the order they are looked for: single file, then its shard index. */
    private static final String[][] WEIGHTS = {{"model.safetensors", "model.safetensors.index.json"},
            {"pytorch_model.bin", "pytorch_model.bin.index.json"}};
    /** open_clip's weights, for a repo without {@code config.json}, in the order open_clip looks for them. */
    private static final String[] OPEN_CLIP_WEIGHTS = {OpenClipConfig.SAFETENSORS_FILE, OpenClipConfig.PYTORCH_FILE};

    private final Path hubCache;
    private String endpoint;
    private String token;
    private boolean offline;
    private String offlineBecause;
    private ModelDownloader.Progress progress = (done, total) -> { };

    /**
     * A hub client with the Python library's defaults: {@code $HF_ENDPOINT} (else {@code https://huggingface.co}),
     * the token of {@code $HF_TOKEN}, {@code $HUGGING_FACE_HUB_TOKEN} or the token file ({@code $HF_TOKEN_PATH}, else
     * {@code token} in {@link HuggingFaceCache#home()}, as {@code hf auth login} writes it), and offline when
     * {@code HF_HUB_OFFLINE} is 1, on, yes or true.
     *
     * @param hubCache the hub cache folder, e.g. {@link HuggingFaceCache#defaultDir()}
     * @throws NullPointerException if {@code hubCache} is null
     * @throws CheckpointException  if {@code $HF_ENDPOINT} is not an http(s) URL
     */
    public HuggingFaceHub(Path hubCache) {
        this(hubCache, System::getenv);
    }

    /** As {@link #HuggingFaceHub(Path)}, reading the environment from {@code env} (for tests). */
    HuggingFaceHub(Path hubCache, Function<String, String> env) {
        this.hubCache = Objects.requireNonNull(hubCache, "hubCache");
        String endpoint = env.apply("HF_ENDPOINT");
        try {
            endpoint(endpoint == null || endpoint.isEmpty() ? "https://huggingface.co" : endpoint);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("HF_ENDPOINT: " + e.getMessage());
        }
        this.token = clean(environmentToken(env));
        String offlineVar = env.apply("HF_HUB_OFFLINE");
        this.offline = isTrue(offlineVar);
        // Named when downloads are refused: a variable set long ago in a shell profile is easy to forget.
        this.offlineBecause = offline ? " (HF_HUB_OFFLINE is " + offlineVar.trim() + "; unset it to download)" : "";
    }

    /** As huggingface_hub finds it: $HF_TOKEN, $HUGGING_FACE_HUB_TOKEN, else the file {@code hf auth login} writes. */
    private static String environmentToken(Function<String, String> env) {
        for (String name : new String[]{"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"}) {
            String t = env.apply(name);
            if (t != null && !t.trim().isEmpty()) {
                return t;
            }
        }
        String path = env.apply("HF_TOKEN_PATH");
        Path file = path != null && !path.isEmpty() ? Paths.get(path) : HuggingFaceCache.home().resolve("token");
        try {
            return Files.isRegularFile(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            LOG.warn("cannot read the Hugging Face token file {}: {}", file, e.toString());
            return null;
        }
    }

    /** Python's {@code _is_true}: 1, ON, YES or TRUE in any case. */
    static boolean isTrue(String v) {
        return v != null && java.util.Arrays.asList("1", "on", "yes", "true").contains(v.trim().toLowerCase(
                java.util.Locale.ROOT));
    }

    /** Without line breaks and surrounding blanks (a token file's newline), or null if nothing is left. */
    private static String clean(String t) {
        if (t == null) {
            return null;
        }
        String c = t.replace("\r", "").replace("\n", "").trim();
        return c.isEmpty() ? null : c;
    }

    /**
     * Sets the hub's base URL (default {@code $HF_ENDPOINT}, else {@code https://huggingface.co}).
     *
     * @param url the hub's base URL, http or https (a mirror with the hub's API)
     * @return this client
     * @throws NullPointerException     if {@code url} is null
     * @throws IllegalArgumentException if the URL is not http or https
     */
    public HuggingFaceHub endpoint(String url) {
        Objects.requireNonNull(url, "url");
        if (!url.matches("https?://[^/?#]+(/.*)?")) {
            throw new IllegalArgumentException("hub endpoint must be an http(s) URL with a host, got " + url);
        }
        this.endpoint = url.replaceAll("/+$", "");
        return this;
    }

    /**
     * Sets the access token sent with requests.
     *
     * @param accessToken a hub access token for gated or private models (sent to the endpoint's host and port only;
     *                    line breaks and surrounding blanks are removed), or null
     * @return this client
     */
    public HuggingFaceHub token(String accessToken) {
        this.token = clean(accessToken);
        return this;
    }

    /**
     * Sets whether the client stays offline, using only the cache.
     *
     * @param offline true: never download; the model must already be cached
     * @return this client
     */
    public HuggingFaceHub offline(boolean offline) {
        this.offline = offline;
        this.offlineBecause = "";
        return this;
    }

    /**
     * Sets a listener told of download progress.
     *
     * @param listener told of each file's bytes as they arrive, on the calling thread
     * @return this client
     * @throws NullPointerException if {@code listener} is null
     */
    public HuggingFaceHub onProgress(ModelDownloader.Progress listener) {
        this.progress = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * The snapshot folder of the model's {@code main} revision, downloaded first unless it is cached complete: a
     * {@code config.json} and weights ({@code model.safetensors}, else {@code pytorch_model.bin}, or every shard their
     * index lists), with the repo's {@code preprocessor_config.json} if it has one (optional: a snapshot cached
     * without it is complete, as older downloads are), or, for a repo without {@code config.json} or those weights, {@code open_clip_config.json} and
     * {@code open_clip_model.safetensors}, else {@code open_clip_pytorch_model.bin}. All files come from the one
     * commit {@code main} named at the first request.
     *
     * @param repoId a repo id, e.g. {@code openai/clip-vit-base-patch32}
     * @return the folder, which {@code ClipModel.load} reads as a Hugging Face or open_clip model directory
     * @throws IllegalArgumentException if {@code repoId} is not a repo id ({@link HuggingFaceCache#isRepoId})
     * @throws CheckpointException      if the model is not cached and the client is offline, the hub refuses it
     *                                  (no such repo, gated, private, bad token), it has no weights clip4j reads, a
     *                                  download fails (including a body longer than announced or than the download
     *                                  limit, too little disk space, a stalled transfer: see {@link ModelDownloader})
     *                                  or a file does not match its ETag
     */
    public Path fetch(String repoId) {
        Optional<Path> cached;
        CheckpointException unusable = null;
        try {
            cached = HuggingFaceCache.find(hubCache, repoId);
        } catch (CheckpointException e) { // e.g. refs/main names a commit Python never downloaded: fetch it
            LOG.debug("{}: cache entry unusable ({}); downloading", repoId, e.getMessage());
            unusable = e;
            cached = Optional.empty();
        }
        if (cached.isPresent() && complete(cached.get())) {
            return cached.get();
        }
        if (offline) {
            throw new CheckpointException(repoId + " is not in the Hugging Face cache " + hubCache + " with "
                    + CONFIG + " (or " + OpenClipConfig.CONFIG_FILE + ") and its weights, and downloads are off" + offlineBecause
                    + (unusable == null ? "" : " (" + unusable.getMessage() + ")"), unusable);
        }
        Path repo = hubCache.resolve("models--" + repoId.replace("/", "--"));
        try {
            FileInfo head = info(repoId, REVISION, CONFIG);
            // No transformers config: a model published only in open_clip's format (e.g. apple/DFN2B-CLIP-ViT-L-14)?
            FileInfo openClip = head != null ? null : info(repoId, REVISION, OpenClipConfig.CONFIG_FILE);
            if (head == null && openClip == null) {
                throw new CheckpointException(repoId + ": the hub has no " + CONFIG + " for it ("
                        + url(repoId, REVISION, CONFIG) + ") and no " + OpenClipConfig.CONFIG_FILE
                        + "; is it a transformers CLIPModel or an open_clip model?");
            }
            FileInfo found = head != null ? head : openClip;
            String commit = found.commit;
            Path snapshot = repo.resolve("snapshots").resolve(commit);
            // Downloaded from the commit, not from main, which may move while we download.
            place(repo, snapshot, new FileInfo(found.name, url(repoId, commit, found.name), commit, found.etag,
                    found.size));
            boolean openClipLayout = head == null;
            // timm's config.json (next to an image-tower-only model.safetensors) is not a CLIP model: take
            // open_clip's files, which the same repos carry, without downloading timm's weights.
            boolean clipConfig = head != null && HuggingFaceConfig.isClipConfig(snapshot.resolve(CONFIG));
            if (head != null && !(clipConfig && placeWeights(repoId, commit, repo, snapshot))) {
                // config.json but no transformers CLIP weights: open_clip's files, where present, define the model
                FileInfo oc = info(repoId, commit, OpenClipConfig.CONFIG_FILE);
                if (oc == null) {
                    throw new CheckpointException(repoId + ": " + (clipConfig ? "the hub has none of"
                            + " model.safetensors, pytorch_model.bin or their shard indexes at " + commit
                            : "its config.json is not a transformers CLIPConfig (timm's?)") + ", nor "
                            + OpenClipConfig.CONFIG_FILE + "; clip4j reads those weights only");
                }
                place(repo, snapshot, oc);
                openClipLayout = true;
            }
            if (openClipLayout) {
                placeOpenClipWeights(repoId, commit, repo, snapshot);
            } else {
                // optional: a repo without it is preprocessed as CLIP's (ImageTransformConfig)
                FileInfo preprocessor = info(repoId, commit, ImageTransformConfig.HUGGING_FACE_FILE);
                if (preprocessor != null) {
                    place(repo, snapshot, preprocessor);
                }
            }
            writeRef(repo.resolve("refs").resolve(REVISION), commit);
            return snapshot;
        } catch (IOException e) {
            throw new CheckpointException("cannot download " + repoId + " from " + endpoint + " into " + repo + ": "
                    + e, e);
        }
    }

    /** Writes a ref file whole (see {@link SmallFiles#replace}). */
    private static void writeRef(Path ref, String commit) throws IOException {
        SmallFiles.replace(ref, commit.getBytes(StandardCharsets.UTF_8));
    }

    /** @return false if the repo has none of the transformers weights at that commit */
    private boolean placeWeights(String repoId, String commit, Path repo, Path snapshot) throws IOException {
        for (String[] kind : WEIGHTS) {
            FileInfo single = info(repoId, commit, kind[0]);
            if (single != null) {
                place(repo, snapshot, single);
                return true;
            }
            FileInfo index = info(repoId, commit, kind[1]);
            if (index != null) {
                place(repo, snapshot, index);
                for (String shard : shards(snapshot.resolve(kind[1]))) {
                    FileInfo s = info(repoId, commit, shard);
                    if (s == null) {
                        throw new CheckpointException(repoId + ": " + kind[1] + " lists " + shard + ", which the hub"
                                + " lacks at " + commit);
                    }
                    place(repo, snapshot, s);
                }
                return true;
            }
        }
        return false;
    }

    /** open_clip's weights, as open_clip itself looks for them: safetensors first, else the torch.save file. */
    private void placeOpenClipWeights(String repoId, String commit, Path repo, Path snapshot) throws IOException {
        for (String name : OPEN_CLIP_WEIGHTS) {
            FileInfo f = info(repoId, commit, name);
            if (f != null) {
                place(repo, snapshot, f);
                return;
            }
        }
        throw new CheckpointException(repoId + ": the hub has " + OpenClipConfig.CONFIG_FILE + " but neither "
                + OpenClipConfig.SAFETENSORS_FILE + " nor " + OpenClipConfig.PYTORCH_FILE + " at " + commit);
    }

    /** A cached snapshot clip4j can load without a request: Hugging Face files, else open_clip's. */
    private static boolean complete(Path snapshot) {
        if (completeHuggingFace(snapshot)) {
            return true;
        }
        if (!Files.isRegularFile(snapshot.resolve(OpenClipConfig.CONFIG_FILE))) {
            return false;
        }
        for (String name : OPEN_CLIP_WEIGHTS) {
            if (Files.isRegularFile(snapshot.resolve(name))) {
                return true;
            }
        }
        return false;
    }

    private static boolean completeHuggingFace(Path snapshot) {
        if (!HuggingFaceConfig.isClipConfig(snapshot.resolve(CONFIG))) {
            return false;
        }
        for (String[] kind : WEIGHTS) {
            if (Files.isRegularFile(snapshot.resolve(kind[0]))) {
                return true;
            }
            Path index = snapshot.resolve(kind[1]);
            if (Files.isRegularFile(index)) {
                try { // a download cut between shards must not pass for a complete model
                    return shards(index).stream().allMatch(n -> Files.isRegularFile(snapshot.resolve(n)));
                } catch (CheckpointException e) {
                    return false;
                }
            }
        }
        return false;
    }

    /** A file's metadata: the hub's HEAD response, before any redirect to the file storage. */
    private static final class FileInfo {
        final String name;
        final String url;
        final String commit;
        final String etag;
        /** X-Linked-Size: an LFS file's size, which the host it is redirected to must not exceed; else -1. */
        final long size;

        FileInfo(String name, String url, String commit, String etag, long size) {
            this.name = name;
            this.url = url;
            this.commit = commit;
            this.etag = etag;
            this.size = size;
        }
    }

    private String url(String repoId, String revision, String file) {
        return endpoint + "/" + repoId + "/resolve/" + revision + "/" + file;
    }

    private Map<String, String> auth() {
        return token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
    }

    /** @return the file's metadata at a revision, or null if the hub says the file does not exist there */
    private FileInfo info(String repoId, String revision, String file) throws IOException {
        String url = url(repoId, revision, file);
        HttpURLConnection http = VerifiedDownload.open(url, "HEAD", auth(), false);
        try {
            int status = http.getResponseCode();
            String code = http.getHeaderField("X-Error-Code");
            String message = http.getHeaderField("X-Error-Message");
            String why = message == null ? "" : ": " + message;
            if ("RepoNotFound".equals(code)) {
                throw new CheckpointException(repoId + ": no such model on the hub " + endpoint + why + " (a private"
                        + " model needs an access token, HF_TOKEN, that may read it)");
            }
            if ("GatedRepo".equals(code)) {
                throw new CheckpointException(repoId + " is gated" + why + ": accept its terms on the hub and set an"
                        + " access token (HF_TOKEN)");
            }
            if ("RevisionNotFound".equals(code)) {
                throw new CheckpointException(repoId + ": the hub has no revision " + revision + why);
            }
            if (status == HttpURLConnection.HTTP_NOT_FOUND) { // EntryNotFound, or a mirror that sends no codes
                return null;
            }
            if (status == HttpURLConnection.HTTP_UNAUTHORIZED || status == HttpURLConnection.HTTP_FORBIDDEN) {
                throw new CheckpointException(repoId + ": the hub refuses " + url + " (HTTP " + status + why + "); "
                        + (token == null ? "a private or gated model needs an access token (HF_TOKEN)"
                        : "is the access token valid and allowed to read it?"));
            }
            if (status != HttpURLConnection.HTTP_OK && (status < 300 || status >= 400)) {
                throw new IOException("HEAD " + url + ": HTTP status " + status + " " + http.getResponseMessage() + why);
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
            if (!revision.equals(REVISION) && !commit.equals(revision)) {
                throw new IOException("HEAD " + url + ": the hub answered for commit " + commit);
            }
            String linkedSize = http.getHeaderField("X-Linked-Size");
            long size = linkedSize != null && linkedSize.trim().matches("\\d{1,18}")
                    ? Long.parseLong(linkedSize.trim()) : -1; // malformed: unknown, the ETag still decides
            return new FileInfo(file, url, commit, etag, size);
        } finally {
            http.disconnect();
        }
    }

    /** Downloads a file into {@code blobs/<etag>} (unless there) and links it from the snapshot folder. */
    private void place(Path repo, Path snapshot, FileInfo f) throws IOException {
        Path blob = repo.resolve("blobs").resolve(f.etag);
        if (!Files.isRegularFile(blob) || mismatch(blob, f) != null) {
            Path lock = hubCache.resolve(".locks").resolve(repo.getFileName()).resolve(f.etag + ".lock");
            VerifiedDownload.fetch(f.url, auth(), blob, lock, f.name, f.size,
                    (part, sha256) -> mismatch(part, f, sha256), progress, "");
        }
        Path link = snapshot.resolve(f.name);
        Files.createDirectories(snapshot);
        if (Files.exists(link) && Files.isSameFile(link, blob)) {
            return; // already there (perhaps linked by Python or another download)
        }
        // Made under a name of its own, then moved over the old entry: readers never see the file missing.
        Path fresh = snapshot.resolve("." + f.name + "." + UUID.randomUUID() + ".new");
        try {
            try {
                Files.createSymbolicLink(fresh, snapshot.relativize(blob));
            } catch (UnsupportedOperationException | FileSystemException e) {
                if (e instanceof FileAlreadyExistsException || e instanceof AccessDeniedException
                        || e instanceof NoSuchFileException) {
                    throw e;
                }
                LOG.debug("cannot link {} to {} ({}); copying", link, blob, e.toString()); // no symlinks here
                Files.copy(blob, fresh);
            }
            Files.move(fresh, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(fresh); // only left if the move did not happen
        }
    }

    private static String mismatch(Path file, FileInfo f) throws IOException {
        return mismatch(file, f, f.etag.length() == 64 ? FileHashes.sha256(file) : null);
    }

    /** Checks a file against its ETag: SHA-256 (64 hex digits), git blob SHA-1 (40), else nothing to check. */
    private static String mismatch(Path file, FileInfo f, String sha256) throws IOException {
        if (f.etag.length() == 64) {
            return sha256.equals(f.etag) ? null : "its SHA-256 " + sha256 + " does not match the hub's " + f.etag;
        }
        if (f.etag.length() == 40) {
            byte[] header = ("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII);
            String sha1 = FileHashes.of(file, header, "SHA-1");
            return sha1.equals(f.etag) ? null : "its git blob SHA-1 " + sha1 + " does not match the hub's " + f.etag;
        }
        LOG.warn("{}: ETag {} is neither a SHA-256 nor a git SHA-1; the download is not verified", f.url, f.etag);
        return null;
    }

    /** The index's shards ({@link CheckpointReader#shardNames}); they become URL paths too, so plain names only. */
    private static List<String> shards(Path index) {
        List<String> names = CheckpointReader.shardNames(index);
        for (String n : names) {
            if (!n.matches("[A-Za-z0-9._-]+")) {
                throw new CheckpointException(index + ": shard file name " + n + " is not a plain hub file name");
            }
        }
        return names;
    }
}
