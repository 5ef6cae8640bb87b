package io.clip4j.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A checkpoint file opened for reading through memory mapping, so tensor bytes are never copied onto
 * the Java heap. Files up to 2 GiB are mapped once and sliced; larger files (a single mapping is limited
 * to {@code Integer.MAX_VALUE} bytes) get one mapping per requested region. Mappings stay valid after
 * {@link #close()}; the operating system releases them when the buffers are garbage collected.
 */
final class MappedFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final long size;
    private final ByteBuffer whole;

    private MappedFile(Path path, FileChannel channel, long size, ByteBuffer whole) {
        this.path = path;
        this.channel = channel;
        this.size = size;
        this.whole = whole;
    }

    /**
     * @param path a regular file
     * @return the opened file
     * @throws CheckpointException if it cannot be opened or mapped
     */
    static MappedFile open(Path path) {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
            long size = ch.size();
            ByteBuffer whole = size <= Integer.MAX_VALUE ? ch.map(FileChannel.MapMode.READ_ONLY, 0, size) : null;
            return new MappedFile(path, ch, size, whole);
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            throw new CheckpointException(path + ": cannot open or map file: " + e, e);
        }
    }

    /** @return the file's path, for messages */
    Path path() {
        return path;
    }

    /** @return the file size in bytes */
    long size() {
        return size;
    }

    /**
     * @param offset first byte, from the start of the file
     * @param length number of bytes
     * @return a read-only little-endian view of exactly those bytes, position 0
     * @throws CheckpointException if the region does not lie inside the file or a region of 2 GiB or
     *                             more is requested (no Java buffer can hold it)
     */
    ByteBuffer slice(long offset, long length) {
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            throw new CheckpointException(path + ": region [" + offset + ", +" + length
                    + ") lies outside the file of " + size + " bytes (truncated or corrupt)");
        }
        if (length > Integer.MAX_VALUE) {
            throw new CheckpointException(path + ": a single tensor of " + length
                    + " bytes exceeds the 2 GiB limit of a Java buffer");
        }
        ByteBuffer b;
        if (whole != null) {
            b = Buffers.slice(whole, (int) offset, (int) length);
        } else if (length == 0) {
            b = ByteBuffer.allocate(0);
        } else {
            try {
                b = channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
            } catch (IOException e) {
                throw new CheckpointException(path + ": cannot map bytes [" + offset + ", +" + length + "): " + e, e);
            }
        }
        return b.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Read-only channel: nothing was written, so a failing close loses nothing.
            }
        }
    }
}
