package io.clip4j.checkpoint;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A read-only view of a ZIP archive as PyTorch writes it ({@code torch.save} zip format,
 * TorchScript archives): the central directory is parsed (ZIP64 included) and each entry is returned as a
 * memory-mapped slice of the file. Only STORED (uncompressed) entries can be sliced, which is what PyTorch
 * writes for pickles and tensors; a compressed entry is reported when it is read instead of being inflated.
 * Compressed entries may be present: {@code torch.jit.save} (since PyTorch 1.8) deflates the {@code code/}
 * sources and {@code .debug_pkl} records larger than 200 bytes, which a checkpoint reader never reads. CRCs
 * are not verified (that would mean reading every tensor byte up front); truncation and out-of-range offsets
 * are detected.
 */
final class ZipArchive implements AutoCloseable {
    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int CEN_SIG = 0x02014b50;
    private static final int LOC_SIG = 0x04034b50;
    private static final int EOCD_LEN = 22;
    private static final int CEN_LEN = 46;
    private static final int LOC_LEN = 30;

    private final MappedFile file;
    private final Map<String, long[]> entries; // name -> {local header offset, size, compression method or -1}

    private ZipArchive(MappedFile file, Map<String, long[]> entries) {
        this.file = file;
        this.entries = entries;
    }

    /**
     * @param path a ZIP file
     * @return the opened archive with its directory parsed
     * @throws CheckpointException if the directory is missing, truncated or inconsistent
     */
    static ZipArchive open(Path path) {
        MappedFile f = MappedFile.open(path);
        try {
            return new ZipArchive(f, readDirectory(f));
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** @return entry names in directory order */
    Set<String> names() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    /**
     * @param name entry name
     * @return true if present
     */
    boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** @return the archive's path, for messages */
    Path path() {
        return file.path();
    }

    /** @return the archive's size in bytes */
    long size() {
        return file.size();
    }

    /**
     * @param name entry name
     * @return the entry's bytes, a read-only little-endian slice of the mapped file
     * @throws CheckpointException if the entry is missing or its local header is corrupt
     */
    ByteBuffer entry(String name) {
        long[] e = entries.get(name);
        if (e == null) {
            throw corrupt(file, "missing entry '" + name + "'");
        }
        if (e[2] >= 0) {
            throw new CheckpointException(file.path() + ": ZIP entry '" + name + "' is compressed (method " + e[2]
                    + "); torch archives store pickles and tensors uncompressed, and clip4j reads only those");
        }
        ByteBuffer loc = file.slice(e[0], LOC_LEN);
        if (loc.getInt(0) != LOC_SIG) {
            throw corrupt(file, "bad local header for entry '" + name + "'");
        }
        long dataStart = e[0] + LOC_LEN + (loc.getShort(26) & 0xffff) + (loc.getShort(28) & 0xffff);
        if (dataStart > file.size() || e[1] > file.size() - dataStart) {
            throw corrupt(file, "entry '" + name + "' extends past the end of the file (truncated)");
        }
        return file.slice(dataStart, e[1]);
    }

    @Override
    public void close() {
        file.close();
    }

    private static Map<String, long[]> readDirectory(MappedFile f) {
        long eocd = findEocd(f);
        ByteBuffer end = f.slice(eocd, EOCD_LEN);
        long count = end.getShort(10) & 0xffff;
        long cdSize = end.getInt(12) & 0xffffffffL;
        long cdOffset = end.getInt(16) & 0xffffffffL;
        if (count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
            long[] z = zip64(f, eocd);
            count = z[0];
            cdSize = z[1];
            cdOffset = z[2];
        }
        if (cdOffset > f.size() || cdSize > f.size() - cdOffset || count > cdSize / CEN_LEN) {
            throw corrupt(f, "central directory (" + count + " entries at " + cdOffset + ", " + cdSize
                    + " bytes) does not fit the file (truncated)");
        }
        ByteBuffer cd = f.slice(cdOffset, cdSize);
        Map<String, long[]> out = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p > cd.limit() - CEN_LEN || cd.getInt(p) != CEN_SIG) {
                throw corrupt(f, "central directory entry " + i + " is malformed");
            }
            int method = cd.getShort(p + 10) & 0xffff;
            long csize = cd.getInt(p + 20) & 0xffffffffL;
            long usize = cd.getInt(p + 24) & 0xffffffffL;
            int nameLen = cd.getShort(p + 28) & 0xffff;
            int extraLen = cd.getShort(p + 30) & 0xffff;
            int commentLen = cd.getShort(p + 32) & 0xffff;
            long local = cd.getInt(p + 42) & 0xffffffffL;
            int next = p + CEN_LEN + nameLen + extraLen + commentLen;
            if (next > cd.limit()) {
                throw corrupt(f, "central directory entry " + i + " runs past the directory");
            }
            byte[] nb = new byte[nameLen];
            Buffers.slice(cd, p + CEN_LEN, nameLen).get(nb); // absolute bulk get is Java 13+, absent on older Android
            String name = new String(nb, StandardCharsets.UTF_8);
            long[] sizes = {usize, csize, local};
            zip64Extra(f, name, cd, p + CEN_LEN + nameLen, extraLen, sizes);
            // Compressed entries are listed (torch.jit.save deflates its code/ files) and refused only if read.
            if (method == 0 && sizes[0] != sizes[1]) { // STORED means the bytes are the entry: sizes must agree
                throw corrupt(f, "stored entry '" + name + "' has size " + sizes[0] + " but " + sizes[1]
                        + " bytes in the archive");
            }
            boolean compressed = method != 0;
            if (sizes[2] > f.size() - LOC_LEN) {
                throw corrupt(f, "entry '" + name + "' starts past the end of the file (truncated)");
            }
            if (out.put(name, new long[]{sizes[2], sizes[0], compressed ? method : -1}) != null) {
                throw corrupt(f, "duplicate entry '" + name + "'");
            }
            p = next;
        }
        return out;
    }

    /** Scans back over a possible archive comment (at most 65535 bytes) for the end record. */
    private static long findEocd(MappedFile f) {
        long size = f.size();
        if (size < EOCD_LEN) {
            throw corrupt(f, "file of " + size + " bytes is too short for a ZIP archive");
        }
        long from = Math.max(0, size - EOCD_LEN - 0xffff);
        ByteBuffer tail = f.slice(from, size - from);
        for (int p = tail.limit() - EOCD_LEN; p >= 0; p--) {
            if (tail.getInt(p) == EOCD_SIG && p + EOCD_LEN + (tail.getShort(p + 20) & 0xffff) == tail.limit()) {
                return from + p;
            }
        }
        throw corrupt(f, "no end-of-central-directory record (truncated or not a ZIP archive)");
    }

    /** @return {entry count, directory size, directory offset} from the ZIP64 end record */
    private static long[] zip64(MappedFile f, long eocd) {
        if (eocd < 20) {
            throw corrupt(f, "missing ZIP64 locator");
        }
        ByteBuffer loc = f.slice(eocd - 20, 20);
        if (loc.getInt(0) != ZIP64_LOCATOR_SIG) {
            throw corrupt(f, "missing ZIP64 locator");
        }
        long at = loc.getLong(8);
        if (at < 0 || at > f.size() - 56) {
            throw corrupt(f, "ZIP64 end record offset " + at + " lies outside the file");
        }
        ByteBuffer z = f.slice(at, 56);
        if (z.getInt(0) != ZIP64_EOCD_SIG) {
            throw corrupt(f, "bad ZIP64 end record");
        }
        long[] r = {z.getLong(32), z.getLong(40), z.getLong(48)};
        if (r[0] < 0 || r[1] < 0 || r[2] < 0) {
            throw corrupt(f, "ZIP64 end record holds negative sizes");
        }
        return r;
    }

    /** Replaces 0xffffffff placeholders in {usize, csize, local offset} by the ZIP64 extra field's values. */
    private static void zip64Extra(MappedFile f, String name, ByteBuffer cd, int start, int len, long[] sizes) {
        int p = start;
        while (p + 4 <= start + len) {
            int id = cd.getShort(p) & 0xffff;
            int size = cd.getShort(p + 2) & 0xffff;
            if (p + 4 + size > start + len) {
                break;
            }
            if (id == 0x0001) {
                int q = p + 4;
                for (int i = 0; i < 3; i++) {
                    if (sizes[i] == 0xffffffffL) {
                        if (q + 8 > p + 4 + size) {
                            throw corrupt(f, "entry '" + name + "' has a short ZIP64 extra field");
                        }
                        sizes[i] = cd.getLong(q);
                        q += 8;
                        if (sizes[i] < 0) {
                            throw corrupt(f, "entry '" + name + "' has a negative ZIP64 size");
                        }
                    }
                }
            }
            p += 4 + size;
        }
        for (long s : sizes) {
            if (s == 0xffffffffL) {
                throw corrupt(f, "entry '" + name + "' lacks its ZIP64 extra field");
            }
        }
    }

    private static CheckpointException corrupt(MappedFile f, String problem) {
        return new CheckpointException(f.path() + ": corrupt ZIP archive: " + problem);
    }
}
