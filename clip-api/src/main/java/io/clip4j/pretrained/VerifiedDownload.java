package io.clip4j.pretrained;

import io.clip4j.checkpoint.CheckpointException;
import io.clip4j.io.FileHashes;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Map;

/**
 * One file downloaded over HTTP(S) and moved into place only once verified: written to a {@code .part} file under a
 * lock (a second download of the same file waits, then uses the first one's file if it verifies), hashed while it streams, checked, then
 * moved atomically. Answers 429, 502, 503 and 504 are retried up to four times, after the server's Retry-After or
 * 1, 2, 4, 8 s. An
 * interrupted or corrupt transfer never leaves a file under the target's name; the next download replaces the
 * {@code .part} file (a link there is removed, never written through). Redirects are followed by hand, so request
 * headers (a token) go to the first host only, and an https URL is never redirected to http. A body longer than
 * announced or than the download limit, a stalled one, and one announced larger than the disk's usable space are
 * refused ({@link DownloadLimits}), and response headers must be complete within
 * {@link #HEADER_DEADLINE_MS}.
 */
final class VerifiedDownload {
    private static final int TIMEOUT_MS = 30_000;
    /** How long a response's status line and headers may take in all (each read has {@link #TIMEOUT_MS}). */
    private static final long HEADER_DEADLINE_MS = 2 * TIMEOUT_MS;
    private static final int MAX_REDIRECTS = 10;
    private static final long LOCK_POLL_MS = 500;
    /** How long to wait for another download of the same file, the largest CLIP checkpoints on a slow line. */
    private static final long MAX_LOCK_WAIT_MS = 60 * 60_000;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(VerifiedDownload.class);
    /** Answers worth asking again: too many requests (the hub rate-limits), bad gateway, unavailable, timeout. */
    private static final java.util.Set<Integer> RETRY_STATUSES = java.util.Set.of(429, 502, 503, 504);
    private static final int MAX_RETRIES = 4;
    /** Longest wait before a retry, whatever Retry-After asks. */
    private static final long MAX_RETRY_DELAY_MS = 30_000;

    /** Checks a downloaded file before it is moved into place. */
    @FunctionalInterface
    interface Verifier {
        /**
         * @param part   the downloaded bytes
         * @param sha256 their SHA-256, lower-case hex
         * @return null if they are right, else why not (for the exception message)
         * @throws IOException if the file cannot be read
         */
        String mismatch(Path part, String sha256) throws IOException;
    }

    private VerifiedDownload() {
    }

    /**
     * @param url      where to download from
     * @param headers  request headers for {@code url}'s host (not sent after a redirect to another host)
     * @param target   the final file; its folder is created
     * @param lockFile a file of its own, never renamed or deleted, locked while the download runs (a lock on the
     *                 .part file would pass, with the inode, to the target once moved, where a second download could
     *                 truncate it); its folder is created
     * @param what     names the download in messages
     * @param size     the file's size as another source announced it (the hub, for a file another host serves), or
     *                 -1 if unknown: a response announcing or sending more bytes is cut off, not stored (a body
     *                 without end would fill the disk before its hash could be checked)
     * @param verifier checks the bytes before the move
     * @param progress told of the bytes received
     * @param hint     appended to the message of a failed download (e.g. where else to get the file), or ""
     * @throws CheckpointException if the download fails (network, HTTP status, a body longer than announced or than
     *                             the download limit, a stalled transfer, too little disk space) or does not verify,
     *                             the lock file cannot be opened (or is a symbolic link), or another download of the
     *                             file holds the lock for over an hour (a shorter one is waited for, and its file
     *                             used if it verifies), or the system property of the download limit is malformed
     */
    static void fetch(String url, Map<String, String> headers, Path target, Path lockFile, String what, long size,
                      Verifier verifier, ModelDownloader.Progress progress, String hint) {
        fetch(url, headers, target, lockFile, what, size, verifier, progress, hint, DownloadLimits.standard());
    }

    /** The same as the other {@code fetch}, within the given limits instead of {@link DownloadLimits#standard()}. */
    static void fetch(String url, Map<String, String> headers, Path target, Path lockFile, String what, long size,
                      Verifier verifier, ModelDownloader.Progress progress, String hint, DownloadLimits limits) {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        try {
            Files.createDirectories(target.getParent());
            Files.createDirectories(lockFile.getParent());
            try (FileChannel locking = openLockFile(lockFile)) {
                Waited waited = new Waited();
                try (FileLock lock = lock(locking, lockFile, what, waited)) {
                    // Another download held the lock: it may have left the file we want.
                    if (waited.value && Files.isRegularFile(target)
                            && verifier.mismatch(target, FileHashes.sha256(target)) == null) {
                        return;
                    }
                    download(url, headers, target, part, size, verifier, progress, limits);
                }
            }
        } catch (IOException e) {
            throw new CheckpointException("cannot download " + what + " from " + url + " to " + target + ": " + e
                    + hint, e);
        }
    }

    /** Opens (creating) the lock file, never through a link: a dangling one would have it created where it points. */
    private static FileChannel openLockFile(Path lockFile) throws IOException {
        try {
            return FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new IOException("cannot open the lock file " + lockFile + " (a symbolic link?): " + e, e);
        }
    }

    /** The transfer itself, under the lock. */
    private static void download(String url, Map<String, String> headers, Path target, Path part, long size,
                                 Verifier verifier, ModelDownloader.Progress progress, DownloadLimits limits)
            throws IOException {
        // A .part left over is ours to replace (we hold the lock). Removed, not truncated: a symbolic link planted
        // under its name would have the download written through it, and CREATE_NEW never follows one.
        Files.deleteIfExists(part);
        // CREATE_NEW honours the umask: a model is as readable as any file the user downloads.
        try (FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            boolean moved = false;
            try {
                String sha256 = transfer(url, headers, part, channel, size, progress, limits);
                channel.force(false);
                String why = verifier.mismatch(part, sha256);
                if (why != null) {
                    throw new CheckpointException("downloaded " + url + " but " + why + "; try again");
                }
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                moved = true;
            } finally {
                if (!moved) {
                    Files.deleteIfExists(part); // ours (we hold the lock); a .part is never taken for the file
                }
            }
        }
    }

    /** Whether {@link #lock} had to wait for another download. */
    private static final class Waited {
        boolean value;
    }

    /**
     * Takes the lock, waiting while another process or thread holds it (the OS releases a dead process's lock, so
     * a wait ends when that download does), up to {@link #MAX_LOCK_WAIT_MS}.
     */
    private static FileLock lock(FileChannel channel, Path lockFile, String what, Waited waited) throws IOException {
        long deadline = System.currentTimeMillis() + MAX_LOCK_WAIT_MS;
        while (true) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // another thread of this JVM
            }
            if (lock != null) {
                return lock;
            }
            if (!waited.value) {
                LOG.info("{} is being downloaded by another process or thread ({} is locked); waiting for it", what,
                        lockFile);
                waited.value = true;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new CheckpointException(what + " has been downloading elsewhere for over "
                        + MAX_LOCK_WAIT_MS / 60_000 + " minutes (" + lockFile + " is locked); try again later");
            }
            sleep(LOCK_POLL_MS);
        }
    }

    /**
     * Opens a request, following redirects by hand.
     *
     * @param method  GET or HEAD
     * @param follow  whether to follow redirects to other hosts (a HEAD for metadata stops at the first one)
     * @return the connection of the final response (the caller disconnects it)
     * @throws IOException on a network error, too many redirects, or an https-to-http redirect
     */
    static HttpURLConnection open(String url, String method, Map<String, String> headers, boolean follow)
            throws IOException {
        URL current = new URL(url);
        URL origin = current;
        String host = current.getHost();
        int retries = 0;
        for (int hop = 0; ; hop++) {
            HttpURLConnection http = (HttpURLConnection) current.openConnection();
            http.setInstanceFollowRedirects(false);
            http.setRequestMethod(method);
            http.setConnectTimeout(TIMEOUT_MS);
            http.setReadTimeout(TIMEOUT_MS);
            if (current.getHost().equals(host) && current.getPort() == origin.getPort()) {
                headers.forEach(http::setRequestProperty);
            }
            int status;
            try {
                status = responseCode(http, HEADER_DEADLINE_MS);
            } catch (RuntimeException e) { // e.g. a port out of range in a URL or a redirect's Location
                http.disconnect();
                throw new IOException("cannot request " + current + ": " + e.getMessage(), e);
            } catch (IOException e) {
                http.disconnect(); // a half-read response must not keep its socket
                throw e;
            }
            if (RETRY_STATUSES.contains(status) && retries < MAX_RETRIES) { // rate limit or a passing outage
                long waitMs = retryDelayMs(http.getHeaderField("Retry-After"), retries++);
                http.disconnect();
                sleep(waitMs);
                hop--;
                continue;
            }
            String location = http.getHeaderField("Location");
            boolean redirect = status >= 300 && status < 400 && location != null;
            URL next;
            try {
                next = redirect ? new URL(current, location) : null;
            } catch (IOException e) {
                http.disconnect();
                throw e;
            }
            if (!redirect || (!follow && !next.getHost().equals(current.getHost()))) {
                return http;
            }
            http.disconnect();
            if (hop == MAX_REDIRECTS) {
                throw new IOException("more than " + MAX_REDIRECTS + " redirects");
            }
            if (current.getProtocol().equals("https") && !next.getProtocol().equals("https")
                    || !next.getProtocol().startsWith("http")) {
                throw new IOException("refused redirect from " + current + " to " + next);
            }
            current = next;
        }
    }

    /**
     * The response's status, once its status line and headers have arrived within {@code deadlineMs}: the read
     * timeout bounds each read only, so a server sending its headers a byte at a time would otherwise hold the
     * request forever. At the deadline the connection is closed from a watchdog thread, which ends the read.
     *
     * @throws IOException on a network error, or {@code deadlineMs} passed before the headers were complete
     */
    static int responseCode(HttpURLConnection http, long deadlineMs) throws IOException {
        // Whoever sets it first decides: the watchdog (then the connection is closed and the call fails) or this
        // thread (then the watchdog leaves the connection alone, even if it is already running at the deadline).
        java.util.concurrent.atomic.AtomicBoolean decided = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ScheduledFuture<?> watchdog = Watchdog.TIMER.schedule(() -> {
            if (decided.compareAndSet(false, true)) {
                http.disconnect();
            }
        }, deadlineMs, java.util.concurrent.TimeUnit.MILLISECONDS);
        IOException failure = null;
        int status = -1;
        boolean expired;
        try {
            status = http.getResponseCode();
        } catch (IOException e) {
            failure = e;
        } finally {
            expired = !decided.compareAndSet(false, true);
            watchdog.cancel(false);
        }
        if (expired) { // the closed connection may also read as status -1 instead of an exception
            IOException late = new IOException("no complete response headers within " + deadlineMs + " ms");
            if (failure != null) {
                late.initCause(failure);
            }
            throw late;
        }
        if (failure != null) {
            throw failure;
        }
        return status;
    }

    /** One daemon thread for every download's header deadline, started on first use. */
    private static final class Watchdog {
        static final java.util.concurrent.ScheduledThreadPoolExecutor TIMER = timer();

        private static java.util.concurrent.ScheduledThreadPoolExecutor timer() {
            java.util.concurrent.ScheduledThreadPoolExecutor t = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                    r -> {
                        Thread thread = new Thread(r, "clip4j-download-watchdog");
                        thread.setDaemon(true);
                        return thread;
                    });
            t.setRemoveOnCancelPolicy(true); // a cancelled deadline does not wait in the queue for its time
            return t;
        }
    }

    /** Retry-After in seconds if the server gave one, else 1, 2, 4, 8 s; at most {@link #MAX_RETRY_DELAY_MS}. */
    static long retryDelayMs(String retryAfter, int retry) {
        long ms = 1000L << Math.min(retry, 10);
        if (retryAfter != null && retryAfter.trim().matches("\\d{1,6}")) {
            ms = Long.parseLong(retryAfter.trim()) * 1000;
        }
        return Math.min(ms, MAX_RETRY_DELAY_MS);
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting to retry");
        }
    }

    /** Streams the URL into the .part file, within the limits; returns the SHA-256 of its bytes. */
    private static String transfer(String url, Map<String, String> headers, Path part, FileChannel file, long size,
                                   ModelDownloader.Progress progress, DownloadLimits limits) throws IOException {
        HttpURLConnection http = open(url, "GET", headers, true);
        try {
            int status = http.getResponseCode();
            if (status != HttpURLConnection.HTTP_OK) {
                throw new IOException("HTTP status " + status + " " + http.getResponseMessage());
            }
            long total = http.getContentLengthLong();
            DownloadLimits.Meter meter = limits.start(part, total, size);
            MessageDigest sha = FileHashes.digest("SHA-256");
            long done = 0;
            byte[] buf = new byte[1 << 16];
            try (InputStream in = http.getInputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    meter.received(n); // before writing: bytes past a limit never reach the disk
                    write(file, buf, n, part, done);
                    sha.update(buf, 0, n);
                    done += n;
                    progress.update(done, total);
                }
            }
            if (total >= 0 && done != total) {
                throw new IOException("transfer ended after " + done + " of " + total + " bytes");
            }
            return FileHashes.hex(sha.digest());
        } finally {
            http.disconnect();
        }
    }

    private static void write(FileChannel file, byte[] buf, int n, Path part, long done) throws IOException {
        ByteBuffer chunk = ByteBuffer.wrap(buf, 0, n);
        try {
            while (chunk.hasRemaining()) {
                file.write(chunk);
            }
        } catch (IOException e) { // most likely a full disk: say where, and how far the download got
            throw new IOException("cannot write " + part + " after " + done + " bytes (is the disk full?): " + e, e);
        }
    }

}
