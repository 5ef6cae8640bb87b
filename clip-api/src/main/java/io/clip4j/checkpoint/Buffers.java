package io.clip4j.checkpoint;

import java.nio.Buffer;
import java.nio.ByteBuffer;

/**
 * ByteBuffer windows without the covariant {@code ByteBuffer position/limit/flip} overrides of Java 9: code
 * compiled against them calls methods that Android before API 34 lacks (NoSuchMethodError at run time), so
 * clip-api calls {@link Buffer}'s instead. The build checks this with animal-sniffer (clip-api/pom.xml).
 */
final class Buffers {
    private Buffers() {
    }

    /** A view of {@code length} bytes of {@code b} from absolute {@code offset}; big endian like {@code slice()}. */
    static ByteBuffer slice(ByteBuffer b, int offset, int length) {
        ByteBuffer d = b.duplicate();
        ((Buffer) d).limit(offset + length); // limit first: the new position may lie beyond the old limit
        ((Buffer) d).position(offset);
        return d.slice();
    }

    /** Flips {@code b} for reading (position 0, limit the old position). */
    static ByteBuffer flip(ByteBuffer b) {
        ((Buffer) b).flip();
        return b;
    }
}
