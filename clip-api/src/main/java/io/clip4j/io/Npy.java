package io.clip4j.io;

import io.clip4j.ClipException;
import io.clip4j.math.ArraySizes;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files (format 1.0/2.0, C order, little endian) for the dtypes
 * clip4j exchanges: {@code <f4}, {@code <f8}, {@code <i8}, {@code <i4}, {@code |u1}.
 *
 * <p>Used by the command-line tool to write tensors and by tests to read the reference fixtures.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']+)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final Pattern DIM = Pattern.compile("[0-9]+");
    /** Magic, version and the longest (version 2+) header-length field. */
    private static final int PREFIX = 12;
    /** Far above any real header (NumPy itself refuses headers over 10,000 bytes unless told otherwise). */
    private static final int MAX_HEADER_END = 1 << 20;

    private final String descr;
    private final long[] shape;
    private final ByteBuffer data;

    private Npy(String descr, long[] shape, ByteBuffer data) {
        this.descr = descr;
        this.shape = shape;
        this.data = data.order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Reads a whole {@code .npy} file. Only as many bytes as the header announces are read, so a device or pipe
     * that never ends (e.g. {@code /dev/zero}) fails on its header instead of filling the heap.
     *
     * @param path the file
     * @return its dtype, shape and data
     * @throws NullPointerException if {@code path} is null
     * @throws ClipException        if the file cannot be read, is not a C-order little-endian .npy, is truncated, or
     *                              holds more data than a Java array can (see {@link #parse})
     */
    public static Npy read(Path path) {
        String source = Objects.requireNonNull(path, "path").toString();
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = Streams.readUpTo(in, PREFIX);
            bytes = append(bytes, Streams.readUpTo(in, Math.max(0, headerEnd(bytes, source) - bytes.length)));
            Header h = header(bytes, source);
            int rest = (int) Math.max(0, h.dataStart() + h.dataBytes() - bytes.length);
            if (Files.isRegularFile(path) && Files.size(path) >= bytes.length + (long) rest) {
                byte[] all = Arrays.copyOf(bytes, bytes.length + rest); // the usual case: read into place
                new DataInputStream(in).readFully(all, bytes.length, rest);
                bytes = all;
            } else { // readUpTo grows with what is there: a header announcing more than there is costs no memory
                bytes = append(bytes, Streams.readUpTo(in, rest));
            }
            return parse(bytes, source);
        } catch (IOException e) {
            throw new ClipException(source + ": cannot read .npy file: " + e.getMessage(), e);
        }
    }

    /**
     * Parses an in-memory {@code .npy} file.
     *
     * @param bytes  the file's content
     * @param source name used in error messages
     * @return its dtype, shape and data
     * @throws NullPointerException if {@code bytes} is null
     * @throws ClipException if the content is not a supported .npy: bad magic or version, a malformed header (a
     *                       shape entry that is not a non-negative integer included), more elements than a Java
     *                       array can hold, a shape NumPy refuses as too big (item size times the non-zero
     *                       dimensions beyond 2^63 - 1 bytes; a zero dimension otherwise makes an empty array, e.g.
     *                       (2^40, 0)), or less data than the shape needs
     */
    public static Npy parse(byte[] bytes, String source) {
        Objects.requireNonNull(bytes, "bytes");
        Header h = header(bytes, source);
        if (bytes.length - h.dataStart() < h.dataBytes()) {
            throw new ClipException(source + ": truncated .npy data: need " + h.dataBytes() + " bytes, have "
                    + (bytes.length - h.dataStart()));
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, h.dataStart(), (int) h.dataBytes()).slice();
        return new Npy(h.descr(), h.shape(), data);
    }

    /** What the header says: dtype, shape, where the data starts and how many bytes it takes. */
    private record Header(String descr, long[] shape, int dataStart, long dataBytes) {
    }

    /** Where the header ends, from the magic, version and length field at the start of {@code bytes}. */
    private static int headerEnd(byte[] bytes, String source) {
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new ClipException(source + ": not a .npy file (bad magic)");
        }
        int major = bytes[6];
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long end;
        if (major == 1) {
            end = 10L + (b.getShort(8) & 0xffff);
        } else if ((major == 2 || major == 3) && bytes.length >= PREFIX) {
            end = 12L + (b.getInt(8) & 0xffffffffL);
        } else if (major == 2 || major == 3) {
            throw new ClipException(source + ": truncated .npy header");
        } else {
            throw new ClipException(source + ": unsupported .npy version " + major);
        }
        if (end > MAX_HEADER_END) {
            throw new ClipException(source + ": .npy header of " + (end - (major == 1 ? 10 : PREFIX))
                    + " bytes is implausibly long");
        }
        return (int) end;
    }

    /** Parses the header, which {@code bytes} must hold whole; the data may be missing. */
    private static Header header(byte[] bytes, String source) {
        int end = headerEnd(bytes, source);
        int start = bytes[6] == 1 ? 10 : PREFIX;
        if (end > bytes.length) {
            throw new ClipException(source + ": truncated .npy header");
        }
        String header = new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
        Matcher d = field(DESCR, "'descr'", header);
        Matcher o = field(ORDER, "'fortran_order'", header);
        Matcher s = field(SHAPE, "'shape'", header);
        if (d == null || o == null || s == null) {
            String h = header.trim();
            throw new ClipException(source + ": malformed .npy header: "
                    + (h.length() <= 200 ? h : h.substring(0, 200) + "... (" + h.length() + " characters)"));
        }
        if (o.group(1).equals("True")) {
            throw new ClipException(source + ": Fortran-order .npy files are not supported");
        }
        String descr = d.group(1);
        int itemSize = itemSize(descr, source);
        long[] shape = shape(s.group(1), source);
        // (2^40, 0) is a valid empty array: it was refused as "more data than a Java array can" when the product
        // was checked in order against the array limit.
        long bytesNeeded = numpyBytes(shape, itemSize);
        if (bytesNeeded < 0) {
            throw new ClipException(source + ": .npy shape " + Arrays.toString(shape) + " of " + descr + " is "
                    + TOO_BIG);
        }
        if (bytesNeeded > ArraySizes.MAX_LENGTH - end) { // header and data must fit one byte array
            throw new ClipException(source + ": .npy shape " + Arrays.toString(shape) + " of " + descr
                    + " holds more data than a Java array can (" + ArraySizes.MAX_LENGTH + " bytes)");
        }
        return new Header(descr, shape, end, bytesNeeded);
    }

    /** Why {@link #numpyBytes} refuses a shape, for messages. */
    private static final String TOO_BIG = "too big: item size times its non-zero dimensions exceeds 2^63 - 1 bytes"
            + " (NumPy refuses it too)";

    /**
     * The data bytes of a shape by NumPy's rule: the item size times the non-zero dimensions must fit its 64-bit
     * size type; a zero dimension then makes the array empty, however large the others.
     *
     * @param shape    non-negative dimensions
     * @param itemSize bytes per element
     * @return the bytes, or -1 if NumPy refuses the shape as too big
     */
    private static long numpyBytes(long[] shape, int itemSize) {
        long nonZeroBytes = itemSize;
        boolean empty = false;
        for (long dim : shape) {
            if (dim == 0) {
                empty = true;
            } else if (nonZeroBytes > Long.MAX_VALUE / dim) {
                return -1;
            } else {
                nonZeroBytes *= dim;
            }
        }
        return empty ? 0 : nonZeroBytes;
    }

    /**
     * The header's entry for {@code key}, matched where the key first appears (a dict literal holds each key once).
     * Not {@link Matcher#find()}: that tries every occurrence, and a header of 100,000 {@code 'shape': (} without a
     * closing parenthesis scanned to its end from each one, minutes of work for a 1 MB header.
     *
     * @return the matcher positioned on the entry, or null if the key is missing or its value malformed
     */
    private static Matcher field(Pattern entry, String key, String header) {
        int at = header.indexOf(key);
        if (at < 0) {
            return null;
        }
        Matcher m = entry.matcher(header).region(at, header.length());
        return m.lookingAt() ? m : null;
    }

    /** The dimensions of a shape tuple's inside, e.g. {@code "3, 224, 224"} or {@code "5,"}. */
    private static long[] shape(String tuple, String source) {
        String[] parts = tuple.split(",", -1);
        int n = parts.length;
        if (parts[n - 1].trim().isEmpty()) {
            n--; // "5," and "" (a scalar) have no last entry
        }
        long[] shape = new long[n];
        for (int i = 0; i < n; i++) {
            String t = parts[i].trim();
            if (!DIM.matcher(t).matches()) {
                throw new ClipException(source + ": .npy shape (" + tuple + ") has an entry that is not a"
                        + " non-negative integer: '" + t + "'");
            }
            try {
                shape[i] = Long.parseLong(t);
            } catch (NumberFormatException e) {
                throw new ClipException(source + ": .npy shape (" + tuple + ") has an implausible size " + t, e);
            }
        }
        return shape;
    }

    private static byte[] append(byte[] a, byte[] b) {
        if (b.length == 0) {
            return a;
        }
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int itemSize(String descr, String source) {
        switch (descr) {
            case "<f4": case "<i4": return 4;
            case "<f8": case "<i8": return 8;
            case "|u1": case "|i1": case "|b1": return 1;
            default: throw new ClipException(source + ": unsupported .npy dtype " + descr);
        }
    }

    /** {@return the NumPy dtype string, e.g. {@code <f4}} */
    public String descr() {
        return descr;
    }

    /** {@return a copy of the shape} */
    public long[] shape() {
        return shape.clone();
    }

    /** {@return the number of elements} */
    public int size() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return (int) n;
    }

    /**
     * Returns the elements converted to float32.
     *
     * @return the elements as float32 (from {@code <f4}, {@code <f8}, integers or {@code |u1})
     */
    public float[] toFloatArray() {
        if (descr.equals("<f4")) { // one bulk copy: no double[] of twice the size on the way (large index files)
            float[] f = new float[size()];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f); // data's position stays 0
            return f;
        }
        double[] d = toDoubleArray();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /** {@return the elements widened to double} */
    public double[] toDoubleArray() {
        int n = size();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            switch (descr) {
                case "<f4": out[i] = data.getFloat(i * 4); break;
                case "<f8": out[i] = data.getDouble(i * 8); break;
                case "<i4": out[i] = data.getInt(i * 4); break;
                case "<i8": out[i] = data.getLong(i * 8); break;
                case "|i1": out[i] = data.get(i); break;
                default: out[i] = data.get(i) & 0xff; break;
            }
        }
        return out;
    }

    /** {@return the elements as int64 (from integer dtypes)} */
    public long[] toLongArray() {
        int n = size();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            switch (descr) {
                case "<i8": out[i] = data.getLong(i * 8); break;
                case "<i4": out[i] = data.getInt(i * 4); break;
                case "|i1": out[i] = data.get(i); break;
                case "|u1": case "|b1": out[i] = data.get(i) & 0xff; break;
                default: throw new ClipException("not an integer .npy array: " + descr);
            }
        }
        return out;
    }

    /** {@return the elements as unsigned bytes (only for {@code |u1})} */
    public byte[] toByteArray() {
        if (!descr.equals("|u1")) {
            throw new ClipException("not a uint8 .npy array: " + descr);
        }
        byte[] out = new byte[size()];
        data.duplicate().get(out);
        return out;
    }

    /**
     * Writes a float32 array.
     *
     * @param out   destination; not closed
     * @param shape shape, product equal to {@code values.length}
     * @param values elements in C order
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if a dimension is negative, the shape's product is not {@code values.length},
     *                                  NumPy refuses the shape as too big (item size times the non-zero dimensions
     *                                  beyond 2^63 - 1 bytes), or the shape is too long for a version 1.0 header
     *                                  (64 KiB)
     * @throws IOException              on write failure
     */
    public static void writeFloat32(OutputStream out, long[] shape, float[] values) throws IOException {
        checkCount(shape, values.length, 4);
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        write(out, "<f4", shape, b.array());
    }

    /**
     * Writes a uint8 array.
     *
     * @param out    destination; not closed
     * @param shape  shape, product equal to {@code values.length}
     * @param values elements in C order
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if a dimension is negative, the shape's product is not {@code values.length},
     *                                  NumPy refuses the shape as too big (item size times the non-zero dimensions
     *                                  beyond 2^63 - 1 bytes), or the shape is too long for a version 1.0 header
     *                                  (64 KiB)
     * @throws IOException              on write failure
     */
    public static void writeUint8(OutputStream out, long[] shape, byte[] values) throws IOException {
        checkCount(shape, values.length, 1);
        write(out, "|u1", shape, values);
    }

    /**
     * Writes an int64 array.
     *
     * @param out    destination; not closed
     * @param shape  shape, product equal to {@code values.length}
     * @param values elements in C order
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if a dimension is negative, the shape's product is not {@code values.length},
     *                                  NumPy refuses the shape as too big (item size times the non-zero dimensions
     *                                  beyond 2^63 - 1 bytes), or the shape is too long for a version 1.0 header
     *                                  (64 KiB)
     * @throws IOException              on write failure
     */
    public static void writeInt64(OutputStream out, long[] shape, long[] values) throws IOException {
        checkCount(shape, values.length, 8);
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        write(out, "<i8", shape, b.array());
    }

    /**
     * The shape must describe the values: no negative dimension (two of them made a positive product, and a header
     * {@link #parse} refuses), no product that wraps around a long to the element count, and no shape that NumPy
     * (and {@link #parse}) refuses as too big, such as an empty (2^62, 2^62, 0).
     */
    private static void checkCount(long[] shape, int count, int itemSize) {
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a negative dimension");
            }
        }
        long bytes = numpyBytes(shape, itemSize);
        if (bytes < 0) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is " + TOO_BIG);
        }
        if (bytes / itemSize != count) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + bytes / itemSize
                    + " elements, got " + count);
        }
    }

    private static void write(OutputStream out, String descr, long[] shape, byte[] data) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        String shapeText = shape.length == 1 ? dims.substring(0, dims.length() - 1)
                : shape.length == 0 ? "" : dims.substring(0, dims.length() - 2);
        String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shapeText + "), }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + String.join("", Collections.nCopies(pad, " ")) + "\n";
        if (header.length() > 0xffff) { // version 1.0 stores the header length in two bytes
            throw new IllegalArgumentException("shape of " + shape.length + " dimensions is too long for a .npy header");
        }
        out.write(MAGIC);
        out.write(1);
        out.write(0);
        int len = header.length();
        out.write(len & 0xff);
        out.write((len >>> 8) & 0xff);
        out.write(header.getBytes(StandardCharsets.ISO_8859_1));
        out.write(data);
    }
}
