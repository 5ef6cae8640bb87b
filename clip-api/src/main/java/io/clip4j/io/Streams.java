package io.clip4j.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Stream reading that runs on Android API 26: {@code InputStream.readNBytes} and {@code transferTo} (Java 9/11)
 * exist there only from API 33, and clip-api is checked against API 26 (animal-sniffer, clip-api/pom.xml).
 */
public final class Streams {
    private static final int CHUNK = 1 << 16;

    private Streams() {
    }

    /**
     * Reads until end of stream or until {@code max} bytes, whichever comes first (like Java 11's
     * {@code readNBytes(int)}); memory grows with what is read, not with {@code max}.
     *
     * @param in  the stream; not closed
     * @param max the most bytes to read, &ge; 0
     * @return the bytes read, {@code min(max, bytes left)} long
     * @throws IOException              if reading fails
     * @throws IllegalArgumentException if {@code max} is negative
     */
    public static byte[] readUpTo(InputStream in, int max) throws IOException {
        if (max < 0) {
            throw new IllegalArgumentException("max must be >= 0, got " + max);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(max, CHUNK));
        byte[] chunk = new byte[Math.min(max, CHUNK)];
        int left = max;
        int n;
        while (left > 0 && (n = in.read(chunk, 0, Math.min(left, chunk.length))) >= 0) {
            out.write(chunk, 0, n);
            left -= n;
        }
        return out.toByteArray();
    }
}
