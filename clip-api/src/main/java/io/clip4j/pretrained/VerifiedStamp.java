package io.clip4j.pretrained;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A note beside a cached checkpoint that its SHA-256 was checked, valid while the file keeps the size, modification
 * time and file key it had then. It spares re-reading a model of hundreds of megabytes on every load (the
 * reference re-hashes each time); a file rewritten in place keeping all three is trusted, as Git's index trusts
 * unchanged file stats. Stamps are best effort: one that cannot be read or written means the file is hashed.
 */
final class VerifiedStamp {
    private static final Logger LOG = LoggerFactory.getLogger(VerifiedStamp.class);
    private static final int MAX_BYTES = 512;

    private VerifiedStamp() {
    }

    /** The stamp of {@code file}: {@code <its folder>/.verified/<its name>.sha256}. */
    static Path of(Path file) {
        return file.resolveSibling(".verified").resolve(file.getFileName() + ".sha256");
    }

    /** Whether {@code file}'s stamp records {@code sha256} and the file is unchanged since it was written. */
    static boolean matches(Path file, String sha256) {
        Path stamp = of(file);
        try {
            if (!Files.isRegularFile(stamp) || Files.size(stamp) > MAX_BYTES) {
                return false;
            }
            String now = attributes(file);
            return now != null
                    && new String(Files.readAllBytes(stamp), StandardCharsets.US_ASCII).equals(line(sha256, now));
        } catch (IOException | RuntimeException e) {
            return false; // no stamp, or an unreadable one: hash the file
        }
    }

    /**
     * The file's size, modification time and file key, read before it is hashed and passed to {@link #write}: a file
     * changed while it was being hashed then gets no stamp.
     *
     * @return the attributes, or null if they cannot be read (no stamp will be written)
     */
    static String attributes(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            // The file key (device and inode where there is one) catches a file replaced by another of equal size.
            return a.size() + " " + a.lastModifiedTime().toMillis() + " " + a.fileKey();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Records that {@code file} has {@code sha256}, if its attributes are still {@code before} (those read before it
     * was hashed); failures are logged and ignored.
     */
    static void write(Path file, String sha256, String before) {
        if (before == null || !before.equals(attributes(file))) {
            return; // changed during hashing (or unreadable): leave it to be hashed next time
        }
        try {
            SmallFiles.replace(of(file), line(sha256, before).getBytes(StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot record the verified SHA-256 of {} ({}); it will be hashed again next time", file,
                    e.toString());
        }
    }

    /** Removes {@code file}'s stamp, if any (before the file is replaced). */
    static void remove(Path file) {
        try {
            Files.deleteIfExists(of(file));
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot remove the stamp of {}: {}", file, e.toString());
        }
    }

    private static String line(String sha256, String attributes) {
        return sha256 + " " + attributes + "\n";
    }
}
