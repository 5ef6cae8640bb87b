package io.clip4j.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Hashes of files and byte streams as lower-case hex, the form checksums are published and recorded in (OpenAI's
 * SHA-256 in its download URLs, Hugging Face's ETags, a training state's {@code trainer.json}).
 */
public final class FileHashes {
    private FileHashes() {
    }

    /**
     * Returns the SHA-256 of a file.
     *
     * @param file a readable file
     * @return 64 lower-case hex digits
     * @throws IOException if the file cannot be read
     */
    public static String sha256(Path file) throws IOException {
        return of(file, new byte[0], "SHA-256");
    }

    /**
     * Returns the hash of some bytes followed by a file's content.
     *
     * @param file      a readable file
     * @param prefix    bytes hashed before the file's (e.g. git's {@code blob <size>\0}), or empty
     * @param algorithm a {@link MessageDigest} algorithm every Java platform has, e.g. {@code SHA-256}, {@code SHA-1}
     * @return the hash, lower-case hex
     * @throws IOException if the file cannot be read
     */
    public static String of(Path file, byte[] prefix, String algorithm) throws IOException {
        MessageDigest md = digest(algorithm);
        md.update(prefix);
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return hex(md.digest());
    }

    /**
     * Returns a new digest.
     *
     * @param algorithm a {@link MessageDigest} algorithm every Java platform has, e.g. {@code SHA-256}
     * @return a new digest of that algorithm
     * @throws IllegalStateException if the platform lacks it (every Java platform has SHA-1 and SHA-256)
     */
    public static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            // (The message said "every Java platform has X" whatever X was, a misleading line for a misspelt name.)
            throw new IllegalStateException("this Java platform has no " + algorithm + " digest", e);
        }
    }

    /**
     * Returns bytes as lower-case hex (HexFormat is not in Android API 26).
     *
     * @param bytes a digest
     * @return two hex digits per byte
     */
    public static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }
}
