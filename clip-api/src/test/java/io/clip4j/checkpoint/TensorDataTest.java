package io.clip4j.checkpoint;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The documented argument checks of {@link TensorData}, {@link StateDict} and {@link CheckpointReader#read}. */
class TensorDataTest {
    private static final TensorData MATRIX = new TensorData(DType.F32, new long[] {2, 3}, ByteBuffer.allocate(24));

    @Test
    void sizeTakesTorchsDimensionRange() {
        assertEquals(2, MATRIX.size(0));
        assertEquals(3, MATRIX.size(-1));
        assertEquals(2, MATRIX.size(-2));
        // Was a bare ArrayIndexOutOfBoundsException ("Index 2 out of bounds for length 2").
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> MATRIX.size(2));
        assertEquals("dimension 2 out of range for a 2-dimensional tensor (expected [-2, 2))", e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> MATRIX.size(-3));
    }

    @Test
    void shapesAreCheckedWithoutArithmeticExceptions() {
        // Math.multiplyExact's ArithmeticException escaped for a shape whose byte size overflows a long.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TensorData(DType.F32, new long[] {1L << 31, 1L << 31}, ByteBuffer.allocate(0)));
        assertTrue(e.getMessage().contains("more bytes than a long"), e.getMessage());
        // ... and for an empty tensor whose other dimensions are large.
        assertEquals(0, new TensorData(DType.F32, new long[] {1L << 40, 1L << 40, 0}, ByteBuffer.allocate(0)).numel());
        assertEquals("shape", assertThrows(NullPointerException.class,
                () -> new TensorData(DType.F32, null, ByteBuffer.allocate(0))).getMessage());
        assertEquals("tensors", assertThrows(NullPointerException.class, () -> new StateDict("s", null)).getMessage());
        assertEquals(1, new StateDict("s", Map.of("w", MATRIX)).size());
    }

    @Test
    void readingANullPathIsAProgrammingErrorNotADamagedCheckpoint() {
        // Was a CheckpointException "null: unreadable checkpoint: java.lang.NullPointerException: ...".
        assertEquals("fileOrDir", assertThrows(NullPointerException.class, () -> CheckpointReader.read(null))
                .getMessage());
    }
}
