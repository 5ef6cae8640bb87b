package io.clip4j.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.clip4j.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A checkpoint whose tensor metadata does not fit the Java heap is a CheckpointException, not an OutOfMemoryError. */
class CheckpointOutOfHeapTest {

    /**
     * Found by fuzzing: a pickle of many tensors of 64 dimensions (each a pair of long[64] on the heap, about 2.5
     * times its pickle bytes) ran a 256 MiB heap out of memory; here 20,000 of them in a JVM with 16 MiB.
     */
    @Test
    void tensorMetadataBeyondTheHeapIsACheckpointException(@TempDir Path dir) throws Exception {
        int[] ones = new int[RestrictedUnpickler.MAX_TENSOR_DIMS];
        Arrays.fill(ones, 1);
        PickleBuilder b = new PickleBuilder().proto(2).op('}').mark();
        for (int i = 0; i < 20_000; i++) {
            b.str("t" + i).floatTensor("0", 1, 0, ones, ones);
        }
        b.op('u', '.');
        Path f = PickleBuilder.archive(dir.resolve("many.pt"), b.bytes(), Map.of("0", PickleBuilder.floats(1)));
        String out = ChildJvm.run("16m", ReadCheckpoint.class, f.toString());
        assertTrue(out.startsWith(CheckpointException.class.getName() + ": " + f
                + ": not enough Java heap to read the checkpoint ("), out);
        assertTrue(out.endsWith(" MiB); raise -Xmx"), out);
    }

    /** Child JVM of {@link #tensorMetadataBeyondTheHeapIsACheckpointException}: prints what the reader threw. */
    static final class ReadCheckpoint {
        private ReadCheckpoint() {
        }

        public static void main(String[] args) throws IOException {
            try {
                System.out.println("read " + CheckpointReader.read(Path.of(args[0])).asMap().size() + " tensors");
                System.exit(2);
            } catch (CheckpointException e) {
                System.out.println(e);
            } catch (Throwable t) {
                System.out.println("escaped: " + t);
                System.exit(3);
            }
        }
    }
}
