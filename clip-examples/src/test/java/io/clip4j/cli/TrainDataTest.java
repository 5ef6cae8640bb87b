package io.clip4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.clip4j.data.LabeledDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TrainData}'s labelled sets (train --eval), without a model. */
class TrainDataTest {
    @Test
    void aFolderWhosePathHoldsAColonIsAFolder(@TempDir Path dir) throws IOException {
        // clip eval --test runs/a:b took the folder; train --eval runs/a:b read "runs/a" as a kind and refused it.
        Path set = dir.resolve("fm:test");
        for (String c : List.of("cat", "cup")) {
            Files.createDirectories(set.resolve(c));
            Files.write(set.resolve(c).resolve("a.png"), new byte[0]); // listed, not decoded
        }
        LabeledDataset ds = TrainData.labeled(set.toString());
        assertEquals(List.of("cat", "cup"), ds.classNames());
        assertEquals(2, ds.size());
        assertEquals(ds.classNames(), TrainData.labeled("folder:" + set).classNames());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainData.labeled(dir.resolve("no:such").toString()));
        assertEquals("a labelled set (DIR or folder:DIR of class folders, or idx:IMAGES,LABELS,NAMES) is needed, got '"
                + dir.resolve("no:such") + "' (no such folder)", e.getMessage());
    }
}
