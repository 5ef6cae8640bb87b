package io.clip4j.pretrained;

import io.clip4j.checkpoint.CheckpointException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.ToLongFunction;

/**
 * What one download may receive, so that a hostile or broken server can neither fill the disk nor hold a download
 * open forever (the SHA-256 check comes only once the body has ended):
 * <ul>
 *   <li>a body is cut off as soon as it exceeds the size announced for it (the server's Content-Length, the hub's
 *   size of an LFS file) or {@link #maxBytes}, and one announcing more is refused before its first byte;</li>
 *   <li>an announced size larger than the usable space of the target's file system is refused before its first
 *   byte;</li>
 *   <li>a body of which fewer than {@link #stallMinBytes} arrive within {@link #stallWindowMs} is abandoned: the
 *   read timeout applies to each read, so a server sending a byte every few seconds would otherwise keep the
 *   download open forever.</li>
 * </ul>
 */
final class DownloadLimits {
    /** The system property that overrides {@link #DEFAULT_MAX_BYTES}: a number of bytes. */
    static final String MAX_BYTES_PROPERTY = "clip4j.download.maxBytes";
    /** 16 GiB: far above the largest CLIP checkpoints (ViT-bigG-14's float32 weights are about 10 GB). */
    static final long DEFAULT_MAX_BYTES = 16L << 30;
    /** Of the order of the read timeout, so a stalled download fails about as soon as a silent one. */
    static final long DEFAULT_STALL_WINDOW_MS = 60_000;
    /** About 1 KiB/s: a line slower than that would need weeks for a checkpoint anyway. */
    static final long DEFAULT_STALL_MIN_BYTES = 64 << 10;

    /** The most bytes any one body may have, announced or not. */
    final long maxBytes;
    final long stallWindowMs;
    final long stallMinBytes;
    /** A folder's usable bytes, or -1 if unknown (then nothing is refused for lack of space). */
    private final ToLongFunction<Path> usableSpace;

    DownloadLimits(long maxBytes, long stallWindowMs, long stallMinBytes, ToLongFunction<Path> usableSpace) {
        this.maxBytes = maxBytes;
        this.stallWindowMs = stallWindowMs;
        this.stallMinBytes = stallMinBytes;
        this.usableSpace = usableSpace;
    }

    /**
     * The defaults, with {@link #maxBytes} from the system property {@value #MAX_BYTES_PROPERTY} if it is set.
     *
     * @return the limits of a download starting now
     * @throws CheckpointException if the property is set but not a positive number of bytes
     */
    static DownloadLimits standard() {
        long max = DEFAULT_MAX_BYTES;
        String property = System.getProperty(MAX_BYTES_PROPERTY);
        if (property != null) {
            String digits = property.trim();
            max = digits.matches("\\d{1,18}") ? Long.parseLong(digits) : 0;
            if (max <= 0) {
                throw new CheckpointException(MAX_BYTES_PROPERTY + " must be a positive number of bytes, got \""
                        + property + "\"");
            }
        }
        return new DownloadLimits(max, DEFAULT_STALL_WINDOW_MS, DEFAULT_STALL_MIN_BYTES, DownloadLimits::usableBytes);
    }

    private static long usableBytes(Path folder) {
        try {
            return Files.getFileStore(folder).getUsableSpace();
        } catch (IOException | SecurityException e) {
            return -1; // unknown: the download is tried, and a full disk reported when writing fails
        }
    }

    /**
     * Checks a response's announced sizes before its body is read.
     *
     * @param part      the file the body will be written to
     * @param announced the response's Content-Length, or -1
     * @param hubSize   the size another source announced (the hub, for a file another host serves), or -1
     * @return the meter to pass each chunk of the body to
     * @throws IOException if an announced size exceeds another or {@link #maxBytes}, or the usable space
     */
    Meter start(Path part, long announced, long hubSize) throws IOException {
        long cap = maxBytes;
        String why = "the download limit of " + maxBytes + " bytes (system property " + MAX_BYTES_PROPERTY + ")";
        if (hubSize > cap) {
            throw new IOException("the hub announces " + hubSize + " bytes, more than " + why);
        }
        if (hubSize >= 0) {
            cap = hubSize;
            why = "the " + hubSize + " bytes the hub announced";
        }
        if (announced > cap) {
            throw new IOException("the server announces " + announced + " bytes, more than " + why);
        }
        if (announced >= 0 && announced < cap) {
            cap = announced;
            why = "the " + announced + " bytes it announced";
        }
        Path folder = part.toAbsolutePath().getParent();
        // The limit alone says nothing of the file's size: only an announced size is checked against the space.
        long usable = announced >= 0 || hubSize >= 0 ? usableSpace.applyAsLong(folder) : -1;
        if (usable >= 0 && cap > usable) {
            throw new IOException("the file is announced as " + cap + " bytes, but only " + usable
                    + " bytes are usable on the file system of " + folder + "; free some space or use another folder");
        }
        return new Meter(cap, why);
    }

    /** Counts one body's bytes against the limits, before they are written. */
    final class Meter {
        private final long cap;
        private final String why;
        private long done;
        private long windowStart = System.nanoTime();
        private long windowDone;

        private Meter(long cap, String why) {
            this.cap = cap;
            this.why = why;
        }

        /**
         * Counts bytes just read, before they are written.
         *
         * @param n bytes just read
         * @throws IOException if they take the body past its size, or too few arrived in the last window
         */
        void received(int n) throws IOException {
            if (done + n > cap) {
                throw new IOException("the server sends more than " + why);
            }
            done += n;
            long now = System.nanoTime();
            if (now - windowStart >= stallWindowMs * 1_000_000) {
                long recent = done - windowDone;
                if (recent < stallMinBytes) {
                    throw new IOException("the transfer stalled: " + recent + " bytes in the last "
                            + (now - windowStart) / 1_000_000 + " ms, fewer than the " + stallMinBytes
                            + " expected every " + stallWindowMs + " ms (" + done + " bytes received)");
                }
                windowStart = now;
                windowDone = done;
            }
        }
    }
}
