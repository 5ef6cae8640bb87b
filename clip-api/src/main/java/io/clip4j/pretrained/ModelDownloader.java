package io.clip4j.pretrained;

import io.clip4j.checkpoint.CheckpointException;
import io.clip4j.io.FileHashes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Downloads pretrained checkpoints into a cache folder and verifies their SHA-256, like the reference's
 * {@code clip._download}: a cached file whose checksum matches is used as it is; one that does not match is
 * downloaded again; a download that does not match is an error. A download is written to {@code <file name>.part}
 * in the cache folder under a lock ({@code .locks/<file name>.lock}): a second process fetching the same model waits
 * for the first and uses its file. The file is moved into place only once verified: an interrupted or corrupt
 * transfer never leaves a file under the model's name, and the next download replaces its {@code .part} file.
 * Redirects to other hosts are followed, never from https to http; 429 and 5xx gateway answers are retried.
 * A hostile or broken server can neither fill the disk nor hold a download open: a body longer than its
 * Content-Length or than 16 GiB (system property {@code clip4j.download.maxBytes}, in bytes) is cut off, a
 * Content-Length above the usable disk space is refused before the transfer, and a transfer that receives less than
 * 64 KiB within 60 s is abandoned as stalled.
 * Unlike the reference, a cached file is hashed once: {@code .verified/<file name>.sha256} in the cache folder records
 * the checksum with the file's size, modification time and file key, and a file whose three are unchanged is used
 * without re-reading it (delete the stamp to force a check).
 *
 * <p>The setters are not synchronised: configure a downloader before sharing it between threads. Fetches of the
 * same model from several threads or processes are serialised by the lock file.
 */
public final class ModelDownloader {
    private static final Logger LOG = LoggerFactory.getLogger(ModelDownloader.class);

    private final Path cacheDir;
    private boolean offline;
    private String mirror;
    private Progress progress = (done, total) -> { };

    /** Receives the progress of a download. */
    @FunctionalInterface
    public interface Progress {
        /**
         * Called with the progress of a download.
         *
         * @param bytesDone  bytes received so far
         * @param bytesTotal the file size in bytes, or -1 if the server did not say
         */
        void update(long bytesDone, long bytesTotal);
    }

    /**
     * Creates a downloader that caches models in a folder.
     *
     * @param cacheDir the folder models are stored in (created when the first download starts)
     * @throws NullPointerException if {@code cacheDir} is null
     */
    public ModelDownloader(Path cacheDir) {
        this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
    }

    /**
     * Sets whether the downloader stays offline, using only the cache folder.
     *
     * @param offline true: never download; a model must already be in the cache folder with the right SHA-256
     * @return this downloader
     */
    public ModelDownloader offline(boolean offline) {
        this.offline = offline;
        return this;
    }

    /**
     * Downloads from a mirror instead of the model's own host: the file is fetched from
     * {@code <baseUrl>/<sha256>/<file name>}, and its SHA-256 is checked as always, so a mirror cannot substitute
     * other bytes.
     *
     * @param baseUrl an {@code http(s)} URL, e.g. {@code https://example.org/clip/models}, or null for none
     * @return this downloader
     * @throws IllegalArgumentException if the URL is not http or https
     */
    public ModelDownloader mirror(String baseUrl) {
        if (baseUrl != null && !baseUrl.matches("https?://[^/?#]+(/.*)?")) {
            throw new IllegalArgumentException("mirror must be an http(s) URL with a host, got " + baseUrl);
        }
        this.mirror = baseUrl == null ? null : baseUrl.replaceAll("/+$", "");
        return this;
    }

    /**
     * Returns the URL a model is downloaded from.
     *
     * @param model a model
     * @return where it is downloaded from: its own URL, or the mirror's ({@link #mirror})
     */
    public String urlOf(PretrainedModel model) {
        return mirror == null ? model.url() : mirror + "/" + model.sha256() + "/" + model.fileName();
    }

    /**
     * Sets a listener told of download progress.
     *
     * @param listener called while a file downloads, on the calling thread, after each chunk; an exception it
     *                 throws ends the download (the partial file is removed) and propagates
     * @return this downloader
     */
    public ModelDownloader onProgress(Progress listener) {
        this.progress = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * Returns the file a model is cached in.
     *
     * @param model a model
     * @return where it is (or would be) cached: {@code <cacheDir>/<model.fileName()>}
     */
    public Path pathOf(PretrainedModel model) {
        return cacheDir.resolve(model.fileName());
    }

    /**
     * The model's checkpoint file: the cached one if its SHA-256 matches (hashed once while the file is unchanged:
     * see the class description), else a fresh download.
     *
     * @param model a model
     * @return the verified file in the cache folder
     * @throws NullPointerException if {@code model} is null
     * @throws CheckpointException if the model is not cached (or damaged) and the downloader is offline, the
     *                             download fails (network, HTTP status, disk, a body longer than announced or than
     *                             the download limit, too little usable disk space for the announced size, a stalled
     *                             transfer: see the class description), another process has been downloading the
     *                             same file for over an hour, or the downloaded bytes do not match the model's
     *                             SHA-256; the message names the URL and the cache file
     */
    public Path fetch(PretrainedModel model) {
        Path target = pathOf(Objects.requireNonNull(model, "model"));
        if (Files.exists(target)) {
            if (!Files.isRegularFile(target)) {
                throw new CheckpointException(target + " exists and is not a regular file; cannot cache " + model.name()
                        + " there");
            }
            if (VerifiedStamp.matches(target, model.sha256())) {
                return target; // hashed before, and unchanged since
            }
            String before = VerifiedStamp.attributes(target);
            String actual = sha256(target);
            if (actual.equals(model.sha256())) {
                VerifiedStamp.write(target, actual, before);
                return target;
            }
            VerifiedStamp.remove(target);
            if (offline) {
                throw new CheckpointException(target + ": SHA-256 " + actual + " does not match " + model.name()
                        + "'s " + model.sha256() + " (damaged or incomplete); delete it, or download " + urlOf(model));
            }
            LOG.warn("{} exists, but its SHA-256 does not match {}'s; downloading it again", target, model.name());
        } else if (offline) {
            // OpenAI's own host has answered 404 since late 2025: any copy of the file will do, its SHA-256 decides.
            throw new CheckpointException(model.name() + " is not in the cache (" + target + ") and downloads are off;"
                    + " put a copy of " + model.fileName() + " there (its SHA-256 is checked), e.g. from "
                    + urlOf(model) + " or a mirror");
        }
        download(model, target);
        // Hashed while it was written, as the .part file, and moved into place verified.
        VerifiedStamp.write(target, model.sha256(), VerifiedStamp.attributes(target));
        return target;
    }

    private void download(PretrainedModel model, Path target) {
        Path lock = cacheDir.resolve(".locks").resolve(model.fileName() + ".lock");
        VerifiedDownload.fetch(urlOf(model), Map.of(), target, lock, model.name(), -1, (part, sha256) -> sha256.equals(
                model.sha256()) ? null : "its SHA-256 " + sha256 + " does not match " + model.name() + "'s "
                + model.sha256(), progress, " (or download it yourself to that path)");
    }

    private static String sha256(Path file) {
        try {
            return FileHashes.sha256(file);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read to verify its SHA-256: " + e, e);
        }
    }
}
