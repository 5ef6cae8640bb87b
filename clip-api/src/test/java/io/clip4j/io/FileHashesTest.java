package io.clip4j.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FileHashesTest {
    @Test
    void publishedTestVectors(@TempDir Path dir) throws IOException {
        Path abc = Files.writeString(dir.resolve("abc"), "abc");
        // FIPS 180-2's SHA-256 example for "abc"
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", FileHashes.sha256(abc));
        // git hash-object of a file holding "abc": SHA-1 of "blob 3\0abc", as Hugging Face's ETags of small files
        assertEquals("f2ba8f84ab5c1bce84a7b441cb1959cfc7093b7f",
                FileHashes.of(abc, "blob 3\0".getBytes(StandardCharsets.US_ASCII), "SHA-1"));
    }

    @Test
    void anUnknownAlgorithmIsNamedAsMissing() {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> FileHashes.digest("SHA-257"));
        assertEquals("this Java platform has no SHA-257 digest", e.getMessage()); // was "every Java platform has"
    }
}
