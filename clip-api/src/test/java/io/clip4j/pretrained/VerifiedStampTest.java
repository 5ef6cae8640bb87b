package io.clip4j.pretrained;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stamp vouches only for the file that was hashed. */
class VerifiedStampTest {
    private static final String SHA = "0".repeat(64);

    @Test
    void aFileChangedWhileItWasHashedGetsNoStamp(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("m.pt"), new byte[]{1, 2, 3});
        String before = VerifiedStamp.attributes(file);
        Files.write(file, new byte[]{4, 5, 6, 7}); // rewritten after the attributes were read, before the stamp
        VerifiedStamp.write(file, SHA, before);
        assertFalse(Files.exists(VerifiedStamp.of(file)));
        assertFalse(VerifiedStamp.matches(file, SHA));

        VerifiedStamp.write(file, SHA, VerifiedStamp.attributes(file));
        assertTrue(VerifiedStamp.matches(file, SHA));
        assertFalse(VerifiedStamp.matches(file, "1".repeat(64)), "another checksum");
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 2000));
        assertFalse(VerifiedStamp.matches(file, SHA), "a new modification time");
        VerifiedStamp.write(file, SHA, null);
        assertFalse(VerifiedStamp.matches(file, SHA), "unreadable attributes write nothing");
    }
}
