package io.clip4j.search;

import io.clip4j.Features;
import io.clip4j.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The .npz form of an index: exact round trip, and a clear IndexException for every damaged file. */
class IndexFileTest {
    private static final Path VIT = Path.of(System.getProperty("clip4j.testdata"), "models", "tiny-vit");

    @TempDir
    Path dir;

    private static EmbeddingIndex fixtureIndex() {
        Npy npy = Npy.read(VIT.resolve("image_features.npy"));
        Features f = new Features(npy.toFloatArray(), (int) npy.shape()[0], (int) npy.shape()[1]);
        float[] fingerprint = new float[2 * f.dim()];
        fingerprint[0] = 0.6f;
        fingerprint[1] = 0.8f;
        fingerprint[f.dim() + 5] = 1f;
        EmbeddingIndex.Builder b = EmbeddingIndex.builder(f.dim()).model("tiny-vit/model.pt").activation("GELU")
                .fingerprint(fingerprint);
        String[] names = {"clip_diagram.png", "astronaut.png", "chelsea é.png", "dir/\"quoted\"\n.png"};
        for (int i = 0; i < f.rows(); i++) {
            b.add(names[i], f.row(i));
        }
        return b.build();
    }

    @Test
    void roundTripIsExact() throws IOException {
        EmbeddingIndex index = fixtureIndex();
        Path file = dir.resolve("photos.npz");
        index.save(file);
        EmbeddingIndex back = EmbeddingIndex.load(file);
        assertEquals(index.ids(), back.ids());
        assertEquals(index.model(), back.model());
        assertEquals("GELU", back.activation());
        assertEquals(index.embedDim(), back.embedDim());
        assertArrayEquals(index.fingerprint(), back.fingerprint());
        assertArrayEquals(index.features().toArray(), back.features().toArray());
        index.save(file); // replacing an existing file
        assertEquals(index.ids(), EmbeddingIndex.load(file).ids());
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
    }

    /** What NumPy's np.load sees: features.npy is the unit-row float32 matrix. */
    @Test
    void featuresEntryIsAPlainNpyArray() throws IOException {
        EmbeddingIndex index = fixtureIndex();
        Path file = dir.resolve("i.npz");
        index.save(file);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Npy npy = Npy.parse(zip.getInputStream(zip.getEntry("features.npy")).readAllBytes(), "features");
            assertEquals("<f4", npy.descr());
            assertArrayEquals(new long[]{4, index.embedDim()}, npy.shape());
            float[] v = npy.toFloatArray();
            for (int r = 0; r < 4; r++) {
                double ss = 0;
                for (int c = 0; c < index.embedDim(); c++) {
                    ss += (double) v[r * index.embedDim() + c] * v[r * index.embedDim() + c];
                }
                assertEquals(1.0, ss, 1e-5);
            }
        }
    }

    @Test
    void fileProblemsAreIndexExceptions() throws IOException {
        assertThrows(IndexException.class, () -> EmbeddingIndex.load(dir.resolve("missing.npz")));
        assertThrows(IndexException.class, () -> EmbeddingIndex.load(dir));
        Path text = Files.writeString(dir.resolve("notes.npz"), "not a zip");
        IndexException notZip = assertThrows(IndexException.class, () -> EmbeddingIndex.load(text));
        // what the file is, in the user's terms, rather than java.util.zip's "zip END header not found"
        assertEquals(text + ": not a clip4j index (not a .npz archive; ./clip index or EmbeddingIndex.save writes one)",
                notZip.getMessage());
        IndexException e = assertThrows(IndexException.class,
                () -> EmbeddingIndex.builder(2).build().save(dir.resolve("no-such-dir").resolve("x.npz")));
        assertTrue(e.getMessage().endsWith("x.npz: cannot write the index: folder " + dir.resolve("no-such-dir")
                + " does not exist"), e.getMessage());
        Path emptyFolder = Files.createDirectory(dir.resolve("empty-folder"));
        e = assertThrows(IndexException.class, () -> EmbeddingIndex.builder(2).build().save(emptyFolder));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
        assertTrue(Files.isDirectory(emptyFolder), "a folder is never replaced by an index file");
        assertThrows(IndexException.class, () -> EmbeddingIndex.checkDestination(emptyFolder));
    }

    /**
     * An index cut short (an interrupted copy, a full disk) is named as a damaged index, not as "not a .npz
     * archive": it was one, and the fix is to build it again.
     */
    @Test
    void aTruncatedIndexIsNamedAsOne() throws IOException {
        Path good = dir.resolve("good.npz");
        fixtureIndex().save(good);
        byte[] bytes = Files.readAllBytes(good);
        Path cut = Files.write(dir.resolve("cut.npz"), Arrays.copyOf(bytes, bytes.length / 2));
        IndexException e = assertThrows(IndexException.class, () -> EmbeddingIndex.load(cut));
        assertEquals(cut + ": a truncated or damaged .npz archive (zip END header not found); delete it and build"
                + " the index again", e.getMessage());
        Path pk = Files.write(dir.resolve("pk.npz"), new byte[]{'P', 'K'}); // too short to be a zip's local header
        e = assertThrows(IndexException.class, () -> EmbeddingIndex.load(pk));
        assertTrue(e.getMessage().contains("not a .npz archive"), e.getMessage());
    }

    /** The file gets the mode any new file gets (the umask's), not a temporary file's owner-only mode. */
    @Test
    void savedFilesAreNotPrivate() throws IOException {
        java.util.Set<java.nio.file.attribute.PosixFilePermission> made;
        try {
            made = Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain-new-file")));
        } catch (UnsupportedOperationException notPosix) {
            return; // nothing to compare on a non-POSIX file system
        }
        Path file = dir.resolve("shared.npz");
        fixtureIndex().save(file);
        assertEquals(made, Files.getPosixFilePermissions(file));
    }

    /**
     * Through a symbolic link whose index does not exist yet, the index is written where the link points (as a
     * shell's {@code >} would); the link was replaced by a regular file before.
     */
    @Test
    void aDanglingLinkGetsItsIndexWritten() throws IOException {
        Path link = dir.resolve("current.npz");
        try {
            Files.createSymbolicLink(link, Path.of("runs", "first.npz"));
            Files.createSymbolicLink(dir.resolve("chain.npz"), link.getFileName());
        } catch (UnsupportedOperationException | IOException noLinks) {
            return; // a file system without symbolic links has nothing to check here
        }
        IndexException missingFolder = assertThrows(IndexException.class,
                () -> EmbeddingIndex.checkDestination(dir.resolve("chain.npz")));
        assertTrue(missingFolder.getMessage().contains("does not exist"), missingFolder.getMessage());
        Files.createDirectory(dir.resolve("runs"));
        fixtureIndex().save(dir.resolve("chain.npz"));
        assertTrue(Files.isSymbolicLink(link) && Files.isSymbolicLink(dir.resolve("chain.npz")), "the links are kept");
        assertEquals(fixtureIndex().ids(), EmbeddingIndex.load(dir.resolve("runs/first.npz")).ids());

        Path loop = Files.createSymbolicLink(dir.resolve("loop.npz"), Path.of("loop.npz"));
        IndexException e = assertThrows(IndexException.class, () -> fixtureIndex().save(loop));
        assertTrue(e.getMessage().contains("too many levels of symbolic links"), e.getMessage());
    }

    /** A name near the 255-byte limit: the temporary file beside it failed with "File name too long". */
    @Test
    void aLongFileNameIsSaved() {
        Path file = dir.resolve("p".repeat(240) + ".npz");
        fixtureIndex().save(file);
        assertEquals(fixtureIndex().size(), EmbeddingIndex.load(file).size());
        Path wide = dir.resolve("\u7167".repeat(80) + ".npz"); // 3 bytes of UTF-8 each: 244 bytes in all
        fixtureIndex().save(wide);
        assertEquals(fixtureIndex().ids(), EmbeddingIndex.load(wide).ids());
    }

    /** An index passed where a checkpoint belongs is named as what it is. */
    @Test
    void anIndexIsNotMistakenForACheckpoint() {
        Path file = dir.resolve("photos.npz");
        fixtureIndex().save(file);
        io.clip4j.checkpoint.CheckpointException e = assertThrows(io.clip4j.checkpoint.CheckpointException.class,
                () -> io.clip4j.checkpoint.CheckpointReader.read(file));
        assertTrue(e.getMessage().contains("looks like a clip4j search index"), e.getMessage());
    }

    @Test
    void fingerprintsOfTheWrongShapeAreRefused() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> EmbeddingIndex.builder(2).fingerprint(new float[3]));
        for (float[] bad : new float[][]{new float[7], new float[4], {1, 0, 0, 0, 0, 0, 0, 0}}) {
            Path file = zip(meta("[\"a\",\"b\"]"), npy(new long[]{2, 2}, new float[]{1, 0, 0, 1}));
            try (java.nio.file.FileSystem fs = java.nio.file.FileSystems.newFileSystem(file, (ClassLoader) null)) {
                Files.write(fs.getPath("fingerprint.npy"), npy(new long[]{bad.length}, bad));
            }
            assertThrows(IndexException.class, () -> EmbeddingIndex.load(file), Arrays.toString(bad));
        }
    }

    /** The fingerprint's bound follows embed_dim: a fixed 256 KiB cap refused what save wrote for embed_dim 40000. */
    @Test
    void aWideIndexWithItsFingerprintRoundTrips() {
        int dim = 40_000;
        float[] fingerprint = new float[2 * dim];
        fingerprint[0] = 1;
        fingerprint[dim + 1] = 1;
        float[] row = new float[dim];
        row[3] = 2;
        EmbeddingIndex index = EmbeddingIndex.builder(dim).fingerprint(fingerprint).add("a", row).build();
        Path file = dir.resolve("wide.npz");
        index.save(file);
        EmbeddingIndex back = EmbeddingIndex.load(file);
        assertArrayEquals(fingerprint, back.fingerprint());
        assertEquals(1f, back.features().get(0, 3));
    }

    private Path zip(String meta, byte[] features) throws IOException {
        Path file = dir.resolve("crafted-" + System.nanoTime() + ".npz");
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream z = new ZipOutputStream(os)) {
            if (meta != null) {
                z.putNextEntry(new ZipEntry("index.json"));
                z.write(meta.getBytes(StandardCharsets.UTF_8));
            }
            if (features != null) {
                z.putNextEntry(new ZipEntry("features.npy"));
                z.write(features);
            }
        }
        return file;
    }

    private static byte[] npy(long[] shape, float[] values) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.writeFloat32(out, shape, values);
        return out.toByteArray();
    }

    private static String meta(String ids) {
        return "{\"format\":\"clip4j-embedding-index\",\"version\":1,\"embed_dim\":2,\"model\":\"m\",\"ids\":" + ids + "}";
    }

    @Test
    void inconsistentPartsAreIndexExceptions() throws IOException {
        byte[] two = npy(new long[]{2, 2}, new float[]{1, 0, 0, 1});
        assertEquals(2, EmbeddingIndex.load(zip(meta("[\"a\",\"b\"]"), two)).size(), "the crafted form is valid");
        assertEquals("", EmbeddingIndex.load(zip(meta("[\"a\",\"b\"]"), two)).activation(), "an older index");
        String[] badMeta = {
            null, "{", "[]", meta("[\"a\"]"), meta("[\"a\",\"a\"]"), meta("[\"a\",7]"), meta("\"ab\""),
            meta("[\"a\",\"b\"]").replace("\"version\":1", "\"version\":2"),
            meta("[\"a\",\"b\"]").replace("\"version\":1", "\"version\":\"1\""),
            meta("[\"a\",\"b\"]").replace("\"embed_dim\":2", "\"embed_dim\":\"2\""),
            meta("[\"a\",\"b\"]").replace("\"embed_dim\":2", "\"embed_dim\":2.5"),
            meta("[\"a\",\"b\"]").replace("clip4j-embedding-index", "other"),
            meta("[\"a\",\"b\"]").replace("\"embed_dim\":2", "\"embed_dim\":-2"),
            meta("[\"a\",\"b\"]").replace("\"embed_dim\":2", "\"embed_dim\":2000000000"),
            meta("[\"a\",\"b\"]").replace("\"model\":\"m\"", "\"model\":\"m\",\"activation\":\"gelu\""),
            meta("[\"a\",\"b\"]").replace("\"model\":\"m\"", "\"model\":\"m\",\"activation\":7"),
        };
        for (String m : badMeta) {
            assertThrows(IndexException.class, () -> EmbeddingIndex.load(zip(m, two)), String.valueOf(m));
        }
        byte[][] badFeatures = {
            null, new byte[0], Arrays.copyOf(two, two.length - 1),
            npy(new long[]{2, 2}, new float[]{2, 0, 0, 1}), // not unit
            npy(new long[]{2, 2}, new float[]{Float.NaN, 0, 0, 1}),
            npy(new long[]{2, 2}, new float[]{0, 0, 0, 1}),
            npy(new long[]{4}, new float[]{1, 0, 0, 1}),
            npy(new long[]{2, 1, 2}, new float[]{1, 0, 0, 1}),
        };
        for (byte[] f : badFeatures) {
            assertThrows(IndexException.class, () -> EmbeddingIndex.load(zip(meta("[\"a\",\"b\"]"), f)),
                    f == null ? "null" : f.length + " bytes");
        }
    }

    /**
     * A directory entry claiming a gigabyte in a file of a few hundred bytes (found by fuzzing): refused from the
     * claim. It used to size the read buffer: this file loaded after allocating 1 GB (7 s), and on a smaller heap
     * the load failed with OutOfMemoryError.
     */
    @Test
    void forgedEntrySizeIsRefusedBeforeAllocating() throws IOException {
        Path file = zip(meta("[\"a\",\"b\"]"), npy(new long[]{2, 2}, new float[]{1, 0, 0, 1}));
        byte[] b = Files.readAllBytes(file);
        byte[] cen = {'P', 'K', 1, 2};
        int at = -1;
        for (int p = 0; p + 46 < b.length && at < 0; p++) {
            if (b[p] == cen[0] && b[p + 1] == cen[1] && b[p + 2] == cen[2] && b[p + 3] == cen[3]
                    && new String(b, p + 46, 10, StandardCharsets.UTF_8).equals("index.json")) {
                at = p;
            }
        }
        assertTrue(at > 0, "central directory entry of index.json");
        int forged = 1_000_000_000; // uncompressed size, little-endian at offset 24
        for (int i = 0; i < 4; i++) {
            b[at + 24 + i] = (byte) (forged >>> (8 * i));
        }
        Files.write(file, b);
        IndexException e = assertThrows(IndexException.class, () -> EmbeddingIndex.load(file));
        assertTrue(e.getMessage().contains("declares 1000000000 bytes"), e.getMessage());
    }

    /**
     * Row 0 of features.npy negated in the file: still a unit vector, so only the archive's CRC-32 tells. It loaded,
     * and every search ranked that image last instead of first, since ZipFile does not check CRCs.
     */
    @Test
    void aFlippedSignInTheFeaturesIsRefused() throws IOException {
        EmbeddingIndex index = fixtureIndex();
        Path file = dir.resolve("photos.npz");
        index.save(file);
        byte[] entry;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            entry = zip.getInputStream(zip.getEntry("features.npy")).readAllBytes();
        }
        int dim = index.embedDim();
        int header = entry.length - index.size() * dim * Float.BYTES;
        byte[] row0 = Arrays.copyOfRange(entry, header, header + dim * Float.BYTES);
        byte[] b = Files.readAllBytes(file);
        int at = indexOf(b, row0); // features.npy is stored without compression
        assertTrue(at > 0, "row 0 found in the file");
        for (int c = 0; c < dim; c++) {
            b[at + c * Float.BYTES + 3] ^= (byte) 0x80; // little-endian: the sign bit is in the last byte
        }
        Path bad = Files.write(dir.resolve("flipped.npz"), b);
        IndexException e = assertThrows(IndexException.class, () -> EmbeddingIndex.load(bad));
        assertTrue(e.getMessage().startsWith(bad + ": features.npy is damaged (CRC-32 "), e.getMessage());
    }

    /** The CRC-32 covers entry data, not names: a damaged fingerprint name loaded the index without its model check. */
    @Test
    void aDamagedEntryNameIsRefused() throws IOException {
        Path file = dir.resolve("photos.npz");
        fixtureIndex().save(file);
        byte[] b = Files.readAllBytes(file);
        byte[] name = "fingerprint.npy".getBytes(StandardCharsets.US_ASCII);
        int renamed = 0;
        for (int at = indexOf(b, name); at >= 0; at = indexOf(b, name)) { // the local and the central header
            b[at + 10] = 'u';
            renamed++;
        }
        assertEquals(2, renamed);
        Path bad = Files.write(dir.resolve("renamed.npz"), b);
        IndexException e = assertThrows(IndexException.class, () -> EmbeddingIndex.load(bad));
        assertTrue(e.getMessage().contains("unexpected entry 'fingerprinu.npy'"), e.getMessage());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * Truncations and byte flips of a saved index: it fails cleanly, or loads exactly what was saved (a flip in a
     * part of the archive that holds no data, e.g. a local header's date, may survive; one in the data never does).
     */
    @Test
    void damagedFilesNeverEscapeAsOtherExceptions() throws IOException {
        Path good = dir.resolve("good.npz");
        EmbeddingIndex original = fixtureIndex();
        original.save(good);
        byte[] bytes = Files.readAllBytes(good);
        Random rnd = new Random(11);
        Path bad = dir.resolve("bad.npz");
        for (int trial = 0; trial < 300; trial++) {
            byte[] b = trial < 100 ? Arrays.copyOf(bytes, rnd.nextInt(bytes.length)) : bytes.clone();
            if (trial >= 100) {
                for (int flips = 1 + rnd.nextInt(4); flips > 0; flips--) {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
                }
            }
            Files.write(bad, b);
            try {
                EmbeddingIndex index = EmbeddingIndex.load(bad);
                assertEquals(original.ids(), index.ids(), "trial " + trial);
                assertEquals(original.model(), index.model(), "trial " + trial);
                assertArrayEquals(original.features().toArray(), index.features().toArray(), "trial " + trial);
                // A flip in the directory's name of fingerprint.npy hides that entry: the index then loads
                // without a fingerprint (as an index saved without one), never with another one.
                if (index.fingerprint().length > 0) {
                    assertArrayEquals(original.fingerprint(), index.fingerprint(), "trial " + trial);
                }
            } catch (IndexException expected) {
                assertTrue(expected.getMessage().contains("bad.npz"), expected.getMessage());
            }
        }
    }
}
