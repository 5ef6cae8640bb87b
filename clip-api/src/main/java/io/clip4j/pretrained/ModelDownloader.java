package io.clip4j.pretrained;

import io.clip4j.checkpoint.CheckpointException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * Downloads pretrained checkpoints into a cache folder and verifies their SHA-256, like the reference's
 * {@code clip._download}: a cached file whose checksum matches is used as it is; one that does not match is
 * downloaded again; a download that does not match is an error. A download is written to {@code <file name>.part}
 * in the cache folder, locked against a second process downloading the same model at the same time, and moved into
 * place only once verified: an interrupted or corrupt transfer never leaves a file under the model's name, and the
 * next download overwrites its {@code .part} file.
 */
public final class ModelDownloader {
    private static final Logger LOG = LoggerFactory.getLogger(ModelDownloader.class);
    private static final int TIMEOUT_MS = 30_000;

    private final Path cacheDir;
    private boolean offline;
    private String mirror;
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
     * Downloads from a mirror instead of the model's own host: the file is fetched from
     * {@code <baseUrl>/<sha256>/<file name>}, and its SHA-256 is checked as always, so a mirror cannot substitute
     * other bytes.
     *
     * @param baseUrl an {@code http(s)} URL, e.g. {@code https://example.org/clip/models}, or null for none
     * @return this downloader
     * @throws IllegalArgumentException if the URL is not http or https
     */
    public ModelDownloader mirror(String baseUrl) {
        if (baseUrl != null && !baseUrl.startsWith("https://") && !baseUrl.startsWith("http://")) {
            throw new IllegalArgumentException("mirror must be an http(s) URL, got " + baseUrl);
        }
        this.mirror = baseUrl == null ? null : baseUrl.replaceAll("/+$", "");
        return this;
    }

    /**
     * @param model a model
     * @return where it is downloaded from: its own URL, or the mirror's ({@link #mirror})
     */
    public String urlOf(PretrainedModel model) {
        return mirror == null ? model.url() : mirror + "/" + model.sha256() + "/" + model.fileName();
    }

    /**
     * @param listener called while a file downloads, on the calling thread, after each chunk; an exception it
     *                 throws ends the download (the partial file is removed) and propagates
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
     *                             download fails (network, HTTP status, disk), another process is downloading the
     *                             same file, or the downloaded bytes do not match the model's SHA-256; the message
     *                             names the URL and the cache file
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
                        + "'s " + model.sha256() + " (damaged or incomplete); delete it, or download " + urlOf(model));
            }
            LOG.warn("{} exists, but its SHA-256 does not match {}'s; downloading it again", target, model.name());
        } else if (offline) {
            throw new CheckpointException(model.name() + " is not in the cache (" + target + ") and downloads are off;"
                    + " download " + urlOf(model) + " to that path");
        }
        download(model, target);
        return target;
    }

    private void download(PretrainedModel model, Path target) {
        String url = urlOf(model);
        Path part = cacheDir.resolve(model.fileName() + ".part");
        try {
            Files.createDirectories(cacheDir);
            // CREATE honours the umask (a model is as readable as any file the user downloads); no TRUNCATE before
            // the lock, which would cut another process's download short.
            try (FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = tryLock(channel, part, model)) {
                boolean moved = false;
                try {
                    channel.truncate(0);
                    String actual = transfer(url, channel);
                    if (!actual.equals(model.sha256())) {
                        throw new CheckpointException("downloaded " + url + " but its SHA-256 " + actual
                                + " does not match " + model.name() + "'s " + model.sha256() + "; try again");
                    }
                    channel.force(false);
                    // Moved while still locked, so no other download can truncate the verified bytes first.
                    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    moved = true;
                } finally {
                    if (!moved) {
                        Files.deleteIfExists(part); // ours (we hold the lock); a .part is never taken for the model
                    }
                }
            }
        } catch (IOException e) {
            throw new CheckpointException("cannot download " + model.name() + " from " + url + " to " + target + ": "
                    + e + " (or download it yourself to that path)", e);
        }
    }

    private static FileLock tryLock(FileChannel channel, Path part, PretrainedModel model) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // another thread of this JVM
        }
        if (lock == null) {
            throw new CheckpointException(model.name() + " is being downloaded by another process or thread (" + part
                    + " is locked); wait for it to finish");
        }
        return lock;
    }

    /** Streams the URL into a file; returns the SHA-256 of the bytes received. */
    private String transfer(String url, FileChannel file) throws IOException {
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
            try (InputStream in = http.getInputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    ByteBuffer chunk = ByteBuffer.wrap(buf, 0, n);
                    while (chunk.hasRemaining()) {
                        file.write(chunk);
                    }
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
