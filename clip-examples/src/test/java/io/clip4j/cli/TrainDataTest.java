package io.clip4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.clip4j.data.CaptionedImages;
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

    @Test
    void aCaptionsFileWhosePathHoldsAColonIsACaptionsFile(@TempDir Path dir) throws IOException {
        // train --data runs/10:30/c.csv was "unknown --data kind '.../runs/10'"; only captions:runs/10:30/c.csv worked.
        Path csv = Files.createDirectories(dir.resolve("10:30")).resolve("c.csv");
        Files.writeString(csv, "path,caption\na.png,a cat\n");
        CaptionedImages data = TrainData.captioned(csv.toString(), List.of("a {}."), 0);
        assertEquals(1, data.size());
        assertEquals("a cat", data.caption(0, 0));
        assertEquals(csv.resolveSibling("a.png").toString(), data.image(0).toString());
        assertEquals("a cat", TrainData.captioned("captions:" + csv, List.of("a {}."), 0).caption(0, 0));
        // A prefix that is no kind, before a file that does not exist, is still named as such.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainData.captioned("caption:" + csv, List.of("a {}."), 0));
        assertEquals("unknown --data kind 'caption' in 'caption:" + csv + "' (use FILE.csv, FILE.jsonl, captions:FILE,"
                + " folder:DIR, idx:IMAGES,LABELS,NAMES or paths:DIR)", e.getMessage());
    }
}
