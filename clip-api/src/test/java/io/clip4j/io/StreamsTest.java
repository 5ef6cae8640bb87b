package io.clip4j.io;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StreamsTest {
    private static byte[] data(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    /** Returns at most 3 bytes per read, like a slow socket. */
    private static InputStream trickle(byte[] b) {
        return new FilterInputStream(new ByteArrayInputStream(b)) {
            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                return super.read(buf, off, Math.min(len, 3));
            }
        };
    }

    @Test
    void readsTheWholeStreamWhenShorterThanMax() throws IOException {
        byte[] b = data(200_000);
        assertArrayEquals(b, Streams.readUpTo(new ByteArrayInputStream(b), Integer.MAX_VALUE));
        assertArrayEquals(b, Streams.readUpTo(trickle(b), 200_001));
    }

    @Test
    void stopsAtMaxAndLeavesTheRest() throws IOException {
        byte[] b = data(1000);
        InputStream in = trickle(b);
        assertArrayEquals(Arrays.copyOf(b, 16), Streams.readUpTo(in, 16));
        assertEquals(b[16] & 0xff, in.read());
        assertEquals(0, Streams.readUpTo(in, 0).length);
    }

    @Test
    void rejectsNegativeMax() {
        assertThrows(IllegalArgumentException.class, () -> Streams.readUpTo(new ByteArrayInputStream(new byte[1]), -1));
    }
}
