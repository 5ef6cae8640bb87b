package io.clip4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random byte changes in the structural parts of real checkpoints (the pickle of a torch archive, the JSON
 * header of a safetensors file): every read either succeeds or throws CheckpointException, never anything else.
 */
class CorruptionFuzzTest {
    @TempDir
    Path tmp;

    @Test
    void mutatedTorchPickle() throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.model("tiny-vit").resolve("state_dict.pt"));
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int start = 30 + (b.getShort(26) & 0xffff) + (b.getShort(28) & 0xffff); // data.pkl is the first entry
        fuzz(all, start, 6823, "pt");
    }

    @Test
    void mutatedSafetensorsHeader() throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.model("tiny-vit").resolve("model.safetensors"));
        fuzz(all, 0, 8 + 8816, "safetensors");
    }

    private void fuzz(byte[] original, int from, int length, String ext) throws IOException {
        Random rnd = new Random(20240601L);
        Path f = tmp.resolve("fuzz." + ext);
        int rejected = 0;
        for (int i = 0; i < 80; i++) {
            byte[] copy = original.clone();
            for (int k = 0; k < 1 + rnd.nextInt(3); k++) {
                copy[from + rnd.nextInt(length)] = (byte) rnd.nextInt(256);
            }
            Files.write(f, copy);
            try {
                CheckpointReader.read(f);
            } catch (CheckpointException e) {
                assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
                // The reader's last-resort wrapper must not be what caught it: each problem has its own check.
                assertTrue(!e.getMessage().contains("unreadable checkpoint"), e.getMessage());
                rejected++;
            }
        }
        assertTrue(rejected > 0, "some mutations must be detected");
    }
}
