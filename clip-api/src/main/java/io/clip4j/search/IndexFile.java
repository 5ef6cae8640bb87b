package io.clip4j.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.ClipException;
import io.clip4j.io.Npy;
import io.clip4j.io.Streams;
import io.clip4j.io.TempNames;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The on-disk form of an {@link EmbeddingIndex}: a NumPy {@code .npz} (zip) archive with
 * {@code features.npy} (float32 {@code [size, embed_dim]}, unit rows), optionally {@code fingerprint.npy}
 * (float32, 1-D) and {@code index.json} ({@code format}, {@code version}, {@code embed_dim}, {@code model},
 * {@code activation} when known, {@code ids}). The entry names and keys live here only.
 */
final class IndexFile {
    static final String FORMAT = "clip4j-embedding-index";
    static final int VERSION = 1;
    static final String META = "index.json";
    static final String FEATURES = "features.npy";
    static final String FINGERPRINT = "fingerprint.npy";
    /** The JSON part may hold millions of ids, but a file claiming more than this is not an index. */
    private static final int MAX_META_BYTES = 1 << 30;
    /** Room for a .npy header; NumPy pads it to 64 bytes, clip4j writes fewer than 128. */
    private static final int MAX_NPY_HEADER = 1 << 16;
    /** features.npy must fit one Java byte array when read back. */
    private static final long MAX_FEATURE_BYTES = Integer.MAX_VALUE - MAX_NPY_HEADER;
    /** Deflate expands at most 1032:1, so no entry of an archive is larger than that multiple of the whole file. */
    private static final long MAX_DEFLATE_RATIO = 1032;
    /** A unit row read back may differ from norm 1 by float32 rounding only. */
    private static final double NORM_TOLERANCE = 1e-3;

    /** Linux's limit on links followed to resolve one path (ELOOP). */
    private static final int MAX_LINK_HOPS = 40;

    private IndexFile() {
    }

    static void write(EmbeddingIndex index, Path file) {
        if ((long) index.size() * index.embedDim() * Float.BYTES > MAX_FEATURE_BYTES) {
            throw new IndexException(file + ": " + index.size() + " x " + index.embedDim() + " features exceed the "
                    + MAX_FEATURE_BYTES + " bytes one index file holds; split the collection");
        }
        requireWritable(file);
        Path tmp = null;
        try {
            Path target = destination(file);
            Path dir = target.toAbsolutePath().getParent();
            // Not Files.createTempFile: its owner-only mode would replace the index's; CREATE_NEW honours the umask.
            tmp = dir.resolve("." + TempNames.stem(target.getFileName().toString()) + "." + Long.toHexString(System.nanoTime())
                    + ".tmp");
            try (OutputStream os = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 ZipOutputStream zip = new ZipOutputStream(os)) {
                zip.setLevel(Deflater.BEST_SPEED); // the ids (paths) compress well
                zip.putNextEntry(new ZipEntry(META));
                zip.write(new ObjectMapper().writeValueAsBytes(meta(index)));
                zip.closeEntry();
                zip.setLevel(Deflater.NO_COMPRESSION); // features: 7% smaller deflated, but twice as slow to load
                zip.putNextEntry(new ZipEntry(FEATURES));
                Npy.writeFloat32(zip, new long[]{index.size(), index.embedDim()}, index.vectors());
                zip.closeEntry();
                float[] fingerprint = index.fingerprint();
                if (fingerprint.length > 0) {
                    zip.putNextEntry(new ZipEntry(FINGERPRINT));
                    Npy.writeFloat32(zip, new long[]{fingerprint.length}, fingerprint);
                    zip.closeEntry();
                }
            }
            TempNames.moveOver(tmp, target); // a kill at any moment leaves the old index or the new one
            tmp = null;
        } catch (IOException | RuntimeException e) {
            throw new IndexException(file + ": cannot write the index: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the temporary file is left behind; the destination is untouched
                }
            }
        }
    }

    /**
     * Checks a destination before anything is encoded or written: its folder exists, it is not a folder itself, and
     * if it exists it is a regular file (an index is written beside it and moved in place, which would replace a
     * device such as {@code /dev/null}, a pipe or a socket with a regular file).
     *
     * @param file where an index is to be written
     * @throws IndexException naming what is wrong
     */
    static void requireWritable(Path file) {
        Path dir = destination(file).toAbsolutePath().getParent();
        if (Files.isDirectory(file)) {
            throw new IndexException(file + ": is a directory; give the index file's name (e.g. " + file.resolve(
                    "index.npz") + ")");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new IndexException(file + ": exists and is not a regular file (a device, pipe or socket); not"
                    + " replacing it with an index");
        }
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IndexException(file + ": cannot write the index: folder " + dir + " does not exist");
        }
    }

    /**
     * The file a write to {@code file} replaces: through a symbolic link (a chain of them, or one whose file does
     * not exist yet, as a shell's {@code >} would create it), the file the link names. Moving the new index onto the
     * link itself would replace the link with a copy and leave the index it pointed to stale.
     */
    private static Path destination(Path file) {
        Path p = file.toAbsolutePath();
        for (int hops = 0; Files.isSymbolicLink(p); hops++) {
            if (hops == MAX_LINK_HOPS) {
                throw new IndexException(file + ": too many levels of symbolic links");
            }
            try {
                p = p.getParent().resolve(Files.readSymbolicLink(p)); // a relative link is relative to its folder
            } catch (IOException e) {
                throw new IndexException(file + ": cannot read the symbolic link: " + e.getMessage(), e);
            }
        }
        return p;
    }

    /**
     * Refuses entries other than the three an index holds: the CRC-32 check covers entry data, not names, and a
     * damaged "fingerprint.npy" name would load the index without its model check.
     */
    private static void requireKnownEntries(ZipFile zip, Path file) {
        for (java.util.Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
            String name = e.nextElement().getName();
            if (!name.equals(META) && !name.equals(FEATURES) && !name.equals(FINGERPRINT)) {
                throw new IndexException(file + ": not a clip4j index: unexpected entry '" + name
                        + "' (a damaged file?)");
            }
        }
    }

    private static ObjectNode meta(EmbeddingIndex index) {
        ObjectNode m = new ObjectMapper().createObjectNode();
        m.put("format", FORMAT);
        m.put("version", VERSION);
        m.put("embed_dim", index.embedDim());
        m.put("model", index.model());
        if (!index.activation().isEmpty()) {
            m.put("activation", index.activation());
        }
        ArrayNode ids = m.putArray("ids");
        index.ids().forEach(ids::add);
        return m;
    }

    static EmbeddingIndex read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IndexException(file + (Files.isDirectory(file) ? ": no such index file (a directory)"
                    : Files.exists(file) ? ": not an index file (not a regular file: a device, pipe or socket)"
                    : ": no such index file"));
        }
        try (ZipFile zip = open(file)) {
            requireKnownEntries(zip, file);
            JsonNode meta = new ObjectMapper().readTree(entry(zip, META, MAX_META_BYTES, file));
            if (!FORMAT.equals(meta.path("format").asText()) || !meta.path("version").isInt()
                    || meta.path("version").intValue() != VERSION) {
                throw new IndexException(file + ": not a clip4j index (format " + meta.path("format") + ", version "
                        + meta.path("version") + "; expected " + FORMAT + " version " + VERSION + ")");
            }
            int dim = meta.path("embed_dim").isInt() ? meta.path("embed_dim").intValue() : 0; // "512" is not 512
            JsonNode ids = meta.path("ids");
            if (dim < 1 || !ids.isArray() || !meta.path("model").isTextual()) {
                throw new IndexException(file + ": index.json lacks embed_dim, model or ids");
            }
            if ((long) ids.size() * dim * Float.BYTES > MAX_FEATURE_BYTES) {
                throw new IndexException(file + ": " + ids.size() + " x " + dim + " features exceed the "
                        + MAX_FEATURE_BYTES + " bytes one index file holds");
            }
            List<String> idList = new ArrayList<>(ids.size());
            for (int r = 0; r < ids.size(); r++) {
                if (!ids.get(r).isTextual()) {
                    throw new IndexException(file + ": id " + r + " is not a string: " + ids.get(r));
                }
                idList.add(ids.get(r).asText());
            }
            float[] features = floats(zip, FEATURES, new long[]{ids.size(), dim}, file);
            for (int r = 0; r < idList.size(); r++) {
                requireUnitRow(features, r, dim, file, FEATURES);
            }
            float[] fingerprint = zip.getEntry(FINGERPRINT) == null ? new float[0]
                    : fingerprint(floats(zip, FINGERPRINT, new long[]{2L * dim}, file), dim, file);
            // One float[] for the whole matrix, checked in place: no per-row copies of a large index.
            JsonNode activation = meta.path("activation");
            if (!activation.isMissingNode() && !(activation.isTextual()
                    && EmbeddingIndex.isActivationName(activation.asText()))) {
                throw new IndexException(file + ": index.json's activation is not QUICK_GELU or GELU: " + activation);
            }
            return EmbeddingIndex.ofUnitRows(idList, features, dim, meta.path("model").asText(), activation.asText(""),
                    fingerprint);
        } catch (IndexException e) {
            throw e;
        } catch (IOException | ClipException | IllegalArgumentException e) {
            throw new IndexException(file + ": not a readable clip4j index: " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            // A deflated entry may expand 1032-fold (a 1.5 MB file to 1.6 GB of features), and the load holds the
            // bytes and their float copy at once. The buffers are this load's own, garbage once we leave.
            throw new IndexException(file + ": not enough Java heap to load the index (" + e.getMessage() + "; max heap "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB); raise -Xmx", e);
        }
    }

    private static ZipFile open(Path file) throws IOException {
        try {
            return new ZipFile(file.toFile());
        } catch (ZipException e) { // named in the user's terms, not as java.util.zip's "zip END header not found"
            if (startsLikeAZip(file)) { // a copy cut short, a disk that filled up: the index is there, but damaged
                throw new IndexException(file + ": a truncated or damaged .npz archive (" + e.getMessage()
                        + "); delete it and build the index again", e);
            }
            throw new IndexException(file + ": not a clip4j index (not a .npz archive; ./clip index or"
                    + " EmbeddingIndex.save writes one)", e);
        }
    }

    /** Whether a file begins with a zip local file header ({@code PK\3\4}), as every .npz does. */
    private static boolean startsLikeAZip(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = Streams.readUpTo(in, 4);
            return head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] entry(ZipFile zip, String name, int max, Path file) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new IndexException(file + ": not a clip4j index (no " + name + ")");
        }
        try (InputStream in = zip.getInputStream(e)) {
            long declared = e.getSize();
            if (declared > max) {
                throw new IndexException(file + ": " + name + " is larger than an index's " + max + " bytes");
            }
            // The declared size is the directory's claim, and sizes the buffer below: a forged one in a file of a
            // few hundred bytes would allocate a gigabyte (or fail with OutOfMemoryError) before the data runs out.
            long fileSize = Files.size(file);
            if (declared > MAX_DEFLATE_RATIO * fileSize) {
                throw new IndexException(file + ": " + name + " declares " + declared + " bytes, more than a file of "
                        + fileSize + " bytes can hold (corrupt archive)");
            }
            // The central directory's size, when there is one, sizes the buffer at once (no growing copies); the
            // read still stops at max in case the entry holds more than it declares.
            byte[] bytes = declared >= 0 ? readDeclared(in, (int) declared) : Streams.readUpTo(in, max);
            if (in.read() >= 0) {
                throw new IndexException(file + ": " + name + " holds more than " + bytes.length + " bytes");
            }
            // java.util.zip.ZipFile does not check the CRC-32: a damaged byte in features.npy (a sign bit, a
            // low mantissa byte) keeps every row a unit vector and would rank the images silently wrong.
            CRC32 crc = new CRC32();
            crc.update(bytes);
            if (e.getCrc() != -1 && crc.getValue() != e.getCrc()) {
                throw new IndexException(file + ": " + name + " is damaged (CRC-32 " + Long.toHexString(crc.getValue())
                        + ", the archive records " + Long.toHexString(e.getCrc()) + ")");
            }
            return bytes;
        }
    }

    private static byte[] readDeclared(InputStream in, int size) throws IOException {
        byte[] bytes = new byte[size];
        int n = 0;
        for (int r; n < size && (r = in.read(bytes, n, size - n)) >= 0; n += r) {
            // fill
        }
        return n == size ? bytes : Arrays.copyOf(bytes, n); // a short entry fails later, in Npy.parse
    }

    /**
     * @param shape the expected shape, whose values (at most {@link #MAX_FEATURE_BYTES}) bound the bytes read; a
     *              fingerprint's {@code 2 * embed_dim} follows embed_dim, so no fixed cap may refuse what save wrote
     */
    private static float[] floats(ZipFile zip, String name, long[] shape, Path file) throws IOException {
        long values = 1;
        for (long d : shape) {
            values *= d;
        }
        int max = (int) Math.min(values * Float.BYTES + MAX_NPY_HEADER, Integer.MAX_VALUE);
        Npy npy = Npy.parse(entry(zip, name, max, file), file + "!" + name);
        long[] actual = npy.shape();
        if (!"<f4".equals(npy.descr()) || !Arrays.equals(actual, shape)) {
            throw new IndexException(file + ": " + name + " is " + npy.descr() + " " + Arrays.toString(actual)
                    + ", expected float32 " + Arrays.toString(shape));
        }
        return npy.toFloatArray();
    }

    /** A fingerprint is two unit vectors of embed_dim (see {@link ModelFingerprint}); its length was checked. */
    private static float[] fingerprint(float[] values, int dim, Path file) {
        requireUnitRow(values, 0, dim, file, FINGERPRINT);
        requireUnitRow(values, 1, dim, file, FINGERPRINT);
        return values;
    }

    private static void requireUnitRow(float[] features, int r, int dim, Path file, String entry) {
        double ss = 0;
        for (int i = r * dim; i < (r + 1) * dim; i++) {
            ss += (double) features[i] * features[i];
        }
        if (!(Math.abs(Math.sqrt(ss) - 1) <= NORM_TOLERANCE)) { // also catches NaN and infinities
            throw new IndexException(file + ": row " + r + " of " + entry + " is not a unit vector (norm "
                    + Math.sqrt(ss) + ")");
        }
    }
}
