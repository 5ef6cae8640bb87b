package io.clip4j.pretrained;

import io.clip4j.checkpoint.CheckpointException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * Downloads pretrained checkpoints into a cache folder and verifies their SHA-256, like the reference's
 * {@code clip._download}: a cached file whose checksum matches is used as it is; one that does not match is
 * downloaded again; a download that does not match is an error. A download is written to a temporary file in the
 * cache folder and moved into place only once verified, so an interrupted or corrupt transfer never leaves a file
 * under the model's name.
 */
public final class ModelDownloader {
    private static final Logger LOG = LoggerFactory.getLogger(ModelDownloader.class);
    private static final int TIMEOUT_MS = 30_000;

    private final Path cacheDir;
    private boolean offline;
    private Progress progress = (done, total) -> { };

    /** Receives the progress of a download. */
    @FunctionalInterface
    public interface Progress {
        /**
         * @param bytesDone  bytes received so far
         * @param bytesTotal the file size in bytes, or -1 if the server did not say
         */
        void update(long bytesDone, long bytesTotal);
    }

    /** @param cacheDir the folder models are stored in (created when the first download starts) */
    public ModelDownloader(Path cacheDir) {
        this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
    }

    /**
     * @param offline true: never download; a model must already be in the cache folder with the right SHA-256
     * @return this downloader
     */
    public ModelDownloader offline(boolean offline) {
        this.offline = offline;
        return this;
    }

    /**
     * @param listener called while a file downloads, on the calling thread, after each chunk
     * @return this downloader
     */
    public ModelDownloader onProgress(Progress listener) {
        this.progress = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * @param model a model
     * @return where it is (or would be) cached: {@code <cacheDir>/<model.fileName()>}
     */
    public Path pathOf(PretrainedModel model) {
        return cacheDir.resolve(model.fileName());
    }

    /**
     * The model's checkpoint file: the cached one if its SHA-256 matches, else a fresh download.
     *
     * @param model a model
     * @return the verified file in the cache folder
     * @throws CheckpointException if the model is not cached (or damaged) and the downloader is offline, the
     *                             download fails (network, HTTP status, disk), or the downloaded bytes do not
     *                             match the model's SHA-256; the message names the URL and the cache file
     */
    public Path fetch(PretrainedModel model) {
        Path target = pathOf(model);
        if (Files.exists(target)) {
            if (!Files.isRegularFile(target)) {
                throw new CheckpointException(target + " exists and is not a regular file; cannot cache " + model.name()
                        + " there");
            }
            String actual = sha256(target);
            if (actual.equals(model.sha256())) {
                return target;
            }
            if (offline) {
                throw new CheckpointException(target + ": SHA-256 " + actual + " does not match " + model.name()
                        + "'s " + model.sha256() + " (damaged or incomplete); delete it, or download " + model.url());
            }
            LOG.warn("{} exists, but its SHA-256 does not match {}'s; downloading it again", target, model.name());
        } else if (offline) {
            throw new CheckpointException(model.name() + " is not in the cache (" + target + ") and downloads are off;"
                    + " download " + model.url() + " to that path");
        }
        download(model, target);
        return target;
    }

    private void download(PretrainedModel model, Path target) {
        Path part = null;
        try {
            Files.createDirectories(cacheDir);
            part = Files.createTempFile(cacheDir, model.fileName() + ".", ".part");
            String actual = transfer(model.url(), part);
            if (!actual.equals(model.sha256())) {
                throw new CheckpointException("downloaded " + model.url() + " but its SHA-256 " + actual
                        + " does not match the expected " + model.sha256() + "; try again");
            }
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            part = null;
        } catch (IOException e) {
            throw new CheckpointException("cannot download " + model.name() + " from " + model.url() + " to " + target
                    + ": " + e, e);
        } finally {
            if (part != null) {
                try {
                    Files.deleteIfExists(part);
                } catch (IOException ignored) {
                    // best effort: a leftover .part file is never taken for the model
                }
            }
        }
    }

    /** Streams the URL into a file; returns the SHA-256 of the bytes received. */
    private String transfer(String url, Path file) throws IOException {
        HttpURLConnection http = (HttpURLConnection) new URL(url).openConnection();
        try {
            http.setConnectTimeout(TIMEOUT_MS);
            http.setReadTimeout(TIMEOUT_MS);
            int status = http.getResponseCode();
            if (status != HttpURLConnection.HTTP_OK) {
                throw new IOException("HTTP status " + status + " " + http.getResponseMessage());
            }
            long total = http.getContentLengthLong();
            MessageDigest sha = sha256Digest();
            long done = 0;
            byte[] buf = new byte[1 << 16];
            try (InputStream in = http.getInputStream(); OutputStream out = Files.newOutputStream(file)) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                    sha.update(buf, 0, n);
                    done += n;
                    progress.update(done, total);
                }
            }
            if (total >= 0 && done != total) {
                throw new IOException("transfer ended after " + done + " of " + total + " bytes");
            }
            return hex(sha.digest());
        } finally {
            http.disconnect();
        }
    }

    private static String sha256(Path file) {
        MessageDigest sha = sha256Digest();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read to verify its SHA-256: " + e, e);
        }
        return hex(sha.digest());
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }
}
