package io.clip4j.data;

import io.clip4j.ClipException;
import io.clip4j.image.ImageInput;
import io.clip4j.image.PixelMode;
import io.clip4j.io.Streams;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads MNIST-format IDX files (MNIST, Fashion-MNIST, KMNIST, ...): an image file {@code idx3-ubyte} (magic
 * {@code 0x00000803}, big-endian int32 count, rows, columns, then {@code count * rows * columns} unsigned bytes,
 * row-major, 0 = background) and a label file {@code idx1-ubyte} (magic {@code 0x00000801}, count, one byte per
 * label). Either file may be gzip-compressed (detected from its first bytes, not its name). Each image becomes a
 * grayscale {@link ImageInput#ofPixels ImageInput.ofPixels(bytes, columns, rows, PixelMode.L)}, so it goes
 * through CLIP's reference preprocessing like a mode-L PNG would.
 */
public final class IdxDataset {
    /** The ten Fashion-MNIST class names, index = label (Xiao et al. 2017). */
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover",
            "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** The ten MNIST class names. */
    public static final List<String> MNIST_CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;
    /** Largest decompressed file accepted (guards against a corrupt size field or a gzip bomb). */
    private static final long MAX_BYTES = 1L << 30;

    private IdxDataset() {
    }

    /**
     * Reads a labelled image set in the IDX format of MNIST and Fashion-MNIST.
     *
     * @param images     an {@code idx3-ubyte} file, optionally gzipped
     * @param labels     the matching {@code idx1-ubyte} file, optionally gzipped
     * @param classNames class names, index = label (e.g. {@link #FASHION_MNIST_CLASSES})
     * @param name       the dataset's name for reports
     * @return the labelled images in file order
     * @throws ClipException naming the file if it cannot be read (a device or named pipe included), has a wrong
     *                       magic number or truncated data, the counts differ, a label is outside the class list,
     *                       or it is gzipped and its header declares more than 1 GiB or the Java heap cannot hold
     *                       what it declares
     */
    public static LabeledDataset read(Path images, Path labels, List<String> classNames, String name) {
        ByteBuffer img = ByteBuffer.wrap(readAll(images, 3));
        ByteBuffer lab = ByteBuffer.wrap(readAll(labels, 1));
        int[] imgDims = header(images, img, IMAGES_MAGIC, 3);
        int[] labDims = header(labels, lab, LABELS_MAGIC, 1);
        int count = imgDims[0];
        int rows = imgDims[1];
        int cols = imgDims[2];
        if (labDims[0] != count) {
            throw new ClipException(labels + ": holds " + labDims[0] + " labels but " + images + " holds " + count
                    + " images");
        }
        if (rows <= 0 || cols <= 0) {
            throw new ClipException(images + ": image size " + cols + "x" + rows + " is not positive");
        }
        // count * rows * cols can pass 2^63 in a damaged header, wrap negative and pass a "need > remaining" check,
        // so the product is never formed (an image larger than the data leaves room for none).
        long size = (long) rows * cols;
        if (count > img.remaining() / size) {
            throw new ClipException(images + ": truncated, " + img.remaining() + " pixel bytes for " + count + " images of "
                    + cols + "x" + rows);
        }
        if (lab.remaining() < count) {
            throw new ClipException(labels + ": truncated, " + lab.remaining() + " label bytes for " + count + " labels");
        }
        List<LabeledImage> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] px = new byte[(int) size];
            img.get(px);
            int label = lab.get() & 0xff;
            if (label >= classNames.size()) {
                throw new ClipException(labels + ": label " + label + " of image " + i + " is outside the "
                        + classNames.size() + " class names");
            }
            out.add(new LabeledImage(ImageInput.ofPixels(px, cols, rows, PixelMode.L), label));
        }
        return new LabeledDataset(name, classNames, out);
    }

    private static int[] header(Path file, ByteBuffer b, int magic, int dims) {
        if (b.remaining() < 4) {
            throw new ClipException(file + ": too short for an IDX header");
        }
        int m = b.getInt(); // the magic first: a short label file given as the images is named as such
        if (m != magic) {
            int other = dims == 3 ? LABELS_MAGIC : IMAGES_MAGIC;
            throw new ClipException(file + ": not an IDX " + (dims == 3 ? "image" : "label") + " file (magic 0x"
                    + Integer.toHexString(m) + ", expected 0x" + Integer.toHexString(magic) + ")"
                    + (m == other ? "; it is an IDX " + (dims == 3 ? "label" : "image") + " file: are the images"
                    + " and labels swapped?" : ""));
        }
        if (b.remaining() < 4 * dims) {
            throw new ClipException(file + ": too short for an IDX header");
        }
        int[] d = new int[dims];
        for (int i = 0; i < dims; i++) {
            d[i] = b.getInt();
            if (d[i] < 0) {
                throw new ClipException(file + ": negative dimension in header " + Arrays.toString(d));
            }
        }
        return d;
    }

    private static byte[] readAll(Path file, int dims) {
        // A named pipe would block the read until a writer comes (never), a link to /dev/zero fill the heap.
        if (Files.exists(file) && !Files.isRegularFile(file) && !Files.isDirectory(file)) {
            throw new ClipException(file + ": IDX file is not a regular file (a device or named pipe)");
        }
        try {
            byte[] raw = Files.readAllBytes(file);
            if (raw.length >= 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                    // Only what the header declares is read: a gzip bomb behind a small header (1 MB that expands
                    // to a gigabyte) used to be decompressed whole, and ran out of heap.
                    byte[] head = Streams.readUpTo(in, 4 + 4 * dims);
                    long size = declaredSize(head, dims);
                    if (size > MAX_BYTES) {
                        throw new ClipException(file + ": its header declares more than the " + MAX_BYTES
                                + " bytes read from an IDX file");
                    }
                    return Streams.readUpTo(new SequenceInputStream(new ByteArrayInputStream(head), in), (int) size);
                } catch (OutOfMemoryError e) {
                    // A header may honestly declare up to MAX_BYTES, which 1 MB of gzip can hold (deflate expands
                    // up to 1032-fold). The buffer is this read's own, garbage once we leave.
                    throw new ClipException(file + ": not enough Java heap to decompress it (" + e.getMessage()
                            + "; max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB); raise -Xmx", e);
                }
            }
            return raw;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ClipException(file + ": IDX file not found", e);
        } catch (IOException e) {
            throw new ClipException(file + ": cannot read IDX file: " + e.getMessage(), e);
        }
    }

    /**
     * The file size an IDX header declares (header plus data), capped at {@code MAX_BYTES + 1}; a header too short,
     * with another magic or with a negative dimension gives its own length, for {@link #header} to reject.
     */
    private static long declaredSize(byte[] head, int dims) {
        ByteBuffer b = ByteBuffer.wrap(head);
        // Another magic (e.g. a label file given as the images) declares dimensions of another meaning: read just
        // the header for header() to name the magic, instead of refusing the size its bytes seem to declare.
        if (head.length < 4 + 4 * dims || b.getInt(0) != (dims == 3 ? IMAGES_MAGIC : LABELS_MAGIC)) {
            return head.length;
        }
        long n = 1;
        for (int i = 0; i < dims; i++) {
            int d = b.getInt(4 + 4 * i);
            if (d < 0) {
                return head.length;
            }
            n = Math.min(n * d, MAX_BYTES + 1); // at most 2^30 * 2^31: no overflow
        }
        return Math.min(head.length + n, MAX_BYTES + 1);
    }
}
