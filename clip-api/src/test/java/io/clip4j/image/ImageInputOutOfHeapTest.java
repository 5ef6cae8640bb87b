package io.clip4j.image;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4j.testing.ChildJvm;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An input too large to read into the Java heap is an {@link ImageDecodeException} naming it, as one too large to
 * decode is ({@code ImageDecodersTest}): the encoded bytes are read whole first, up to the 512 MiB file-size limit,
 * and that read used to let an {@link OutOfMemoryError} escape (a 200 MB file on a 32 MB heap, or /dev/zero).
 */
class ImageInputOutOfHeapTest {

    @Test
    void aStreamTooLargeForTheHeapIsAnImageDecodeException() {
        InputStream huge = new InputStream() {
            @Override
            public int read() {
                throw new OutOfMemoryError("Java heap space");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                throw new OutOfMemoryError("Java heap space");
            }
        };
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> ImagePreprocessor.clip().preprocess(ImageInput.of(huge, "upload")));
        assertTrue(e.getMessage().startsWith("upload: not enough Java heap to read the stream (Java heap space; max"
                + " heap "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" MiB, file-size limit 536870912 bytes); raise -Xmx, or lower"
                + " the file-size limit with ClipModel.Builder.maxFileBytes (ImagePreprocessor.Builder.maxFileBytes for the"
                + " preprocessor alone)"), e.getMessage());
        assertInstanceOf(OutOfMemoryError.class, e.getCause());
    }

    /** A real heap: a JVM with 32 MiB reads a 200 MB (sparse) file. */
    @Test
    void aFileTooLargeForTheHeapIsAnImageDecodeException(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.png");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(200_000_000L);
        }
        String out = ChildJvm.run("32m", ReadBigFile.class, big.toString());
        assertTrue(out.startsWith(ImageDecodeException.class.getName() + ": " + big
                + ": not enough Java heap to read the file ("), out);
    }

    /** Child JVM of {@link #aFileTooLargeForTheHeapIsAnImageDecodeException}: prints what preprocessing threw. */
    static final class ReadBigFile {
        private ReadBigFile() {
        }

        public static void main(String[] args) throws IOException {
            try {
                ImagePreprocessor.clip().preprocess(ImageInput.of(Path.of(args[0])));
                System.out.println("no exception");
                System.exit(2);
            } catch (ImageDecodeException e) {
                System.out.println(e);
            } catch (Throwable t) {
                System.out.println("escaped: " + t);
                System.exit(3);
            }
        }
    }
}
