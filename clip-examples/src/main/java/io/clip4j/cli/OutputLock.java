package io.clip4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a {@code train --out} folder, held while a run writes there. Two runs in one folder at once
 * (the same command started twice) each replaced the other's staged state files: one failed with "cannot save
 * training state: NoSuchFileException", and the folder ended with one run's run.json and metrics beside the other's
 * model. The lock is the operating system's ({@link FileChannel#tryLock()}), so a killed run never leaves it held;
 * the empty lock file stays.
 */
final class OutputLock implements AutoCloseable {
    /** The lock file inside the output folder. */
    static final String FILE = ".clip-train.lock";

    private final FileChannel channel;

    private OutputLock(FileChannel channel) {
        this.channel = channel;
    }

    /**
     * Takes the lock of an existing output folder.
     *
     * @param out the folder
     * @return the held lock
     * @throws IllegalArgumentException if another run holds it
     * @throws UncheckedIOException     if the lock file cannot be opened
     */
    static OutputLock take(Path out) {
        return take(out, "--out");
    }

    /**
     * Takes the lock of an existing run folder named by an option.
     *
     * @param out    the folder
     * @param option the option that named it, for the message ({@code --out}, {@code --resume})
     * @return the held lock
     * @throws IllegalArgumentException if another run holds it
     * @throws UncheckedIOException     if the lock file cannot be opened
     */
    static OutputLock take(Path out, String option) {
        FileChannel channel;
        try {
            channel = FileChannel.open(out.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException(out.resolve(FILE) + ": cannot open the output folder's lock file", e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) { // held by this JVM
            lock = null;
        } catch (IOException e) {
            close(channel);
            throw new UncheckedIOException(out.resolve(FILE) + ": cannot lock the output folder", e);
        }
        if (lock == null) {
            close(channel);
            throw new IllegalArgumentException(option + " " + out + ": another clip train is writing there; wait for"
                    + " it to end" + (option.equals("--out") ? ", or give another --out" : ""));
        }
        return new OutputLock(channel);
    }

    private static void close(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the lock error is the one to report
        }
    }

    /** Releases the lock (closing the channel releases it). */
    @Override
    public void close() {
        close(channel);
    }
}
