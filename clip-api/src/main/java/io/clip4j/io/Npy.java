package io.clip4j.io;

import io.clip4j.ClipException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
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

    private final String descr;
    private final long[] shape;
    private final ByteBuffer data;

    private Npy(String descr, long[] shape, ByteBuffer data) {
        this.descr = descr;
        this.shape = shape;
        this.data = data.order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Reads a whole {@code .npy} file.
     *
     * @param path the file
     * @return its dtype, shape and data
     * @throws ClipException if the file cannot be read, is not a C-order little-endian .npy, or is truncated
     */
    public static Npy read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new ClipException(path + ": cannot read .npy file: " + e.getMessage(), e);
        }
        return parse(bytes, path.toString());
    }

    /**
     * Parses an in-memory {@code .npy} file.
     *
     * @param bytes  the file's content
     * @param source name used in error messages
     * @return its dtype, shape and data
     * @throws ClipException if the content is not a supported .npy
     */
    public static Npy parse(byte[] bytes, String source) {
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new ClipException(source + ": not a .npy file (bad magic)");
        }
        int major = bytes[6];
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen;
        int headerStart;
        if (major == 1) {
            headerLen = b.getShort(8) & 0xffff;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            headerLen = b.getInt(8);
            headerStart = 12;
        } else {
            throw new ClipException(source + ": unsupported .npy version " + major);
        }
        if (headerLen < 0 || headerStart + (long) headerLen > bytes.length) {
            throw new ClipException(source + ": truncated .npy header");
        }
        String header = new String(bytes, headerStart, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher o = ORDER.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !o.find() || !s.find()) {
            throw new ClipException(source + ": malformed .npy header: " + header.trim());
        }
        if (o.group(1).equals("True")) {
            throw new ClipException(source + ": Fortran-order .npy files are not supported");
        }
        String descr = d.group(1);
        int itemSize = itemSize(descr, source);
        String[] dims = s.group(1).split(",");
        long[] shape = Arrays.stream(dims).map(String::trim).filter(t -> !t.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        long n = 1;
        for (long dim : shape) {
            n = Math.multiplyExact(n, dim);
        }
        int dataStart = headerStart + headerLen;
        long need = n * itemSize;
        if (bytes.length - dataStart < need) {
            throw new ClipException(source + ": truncated .npy data: need " + need + " bytes, have "
                    + (bytes.length - dataStart));
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, (int) need).slice();
        return new Npy(descr, shape, data);
    }

    private static int itemSize(String descr, String source) {
        switch (descr) {
            case "<f4": case "<i4": return 4;
            case "<f8": case "<i8": return 8;
            case "|u1": case "|i1": case "|b1": return 1;
            default: throw new ClipException(source + ": unsupported .npy dtype " + descr);
        }
    }

    /** @return NumPy dtype string, e.g. {@code <f4} */
    public String descr() {
        return descr;
    }

    /** @return a copy of the shape */
    public long[] shape() {
        return shape.clone();
    }

    /** @return number of elements */
    public int size() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return (int) n;
    }

    /**
     * @return the elements as float32 (from {@code <f4}, {@code <f8}, integers or {@code |u1})
     */
    public float[] toFloatArray() {
        double[] d = toDoubleArray();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /** @return the elements widened to double */
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

    /** @return the elements as int64 (from integer dtypes) */
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

    /** @return the elements as unsigned bytes (only for {@code |u1}) */
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
     * @throws IOException on write failure
     */
    public static void writeFloat32(OutputStream out, long[] shape, float[] values) throws IOException {
        checkCount(shape, values.length);
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
     * @throws IOException on write failure
     */
    public static void writeUint8(OutputStream out, long[] shape, byte[] values) throws IOException {
        checkCount(shape, values.length);
        write(out, "|u1", shape, values);
    }

    /**
     * Writes an int64 array.
     *
     * @param out    destination; not closed
     * @param shape  shape, product equal to {@code values.length}
     * @param values elements in C order
     * @throws IOException on write failure
     */
    public static void writeInt64(OutputStream out, long[] shape, long[] values) throws IOException {
        checkCount(shape, values.length);
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        write(out, "<i8", shape, b.array());
    }

    private static void checkCount(long[] shape, int count) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != count) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
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
