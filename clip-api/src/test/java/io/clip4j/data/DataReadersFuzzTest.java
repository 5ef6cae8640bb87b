package io.clip4j.data;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.clip4j.ClipException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random damage to IDX files (plain and gzipped; truncation, byte changes, header fields set to random or
 * extreme values) and to CSV/JSONL caption files (byte changes, quotes, line breaks, NUL, a stray UTF-8 lead
 * byte): every read gives a dataset or a {@link ClipException} naming the file, never anything else. Some 80,000
 * such cases were run while writing this test (they found header sizes whose product passed 2^63); it keeps a
 * fixed sample of them.
 */
class DataReadersFuzzTest {
    private static final int CASES = 2000;
    private static final int[] EXTREMES = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x10000, 28};

    @Test
    void damagedIdxFilesReadOrRaiseClipException(@TempDir Path dir) throws IOException {
        byte[] px = new byte[5 * 4 * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 7);
        }
        byte[] images = DataReadersTest.idx(0x803, new int[]{5, 4, 3}, px, false);
        byte[] labels = DataReadersTest.idx(0x801, new int[]{5}, new byte[]{0, 3, 6, 9, 2}, false);
        Path fi = dir.resolve("images-idx3-ubyte");
        Path fl = dir.resolve("labels-idx1-ubyte");
        Random rnd = new Random(20261207L);
        int read = 0;
        for (int i = 0; i < CASES; i++) {
            boolean both = rnd.nextInt(3) == 0;
            boolean imagesDamaged = both || rnd.nextBoolean();
            byte[] mi = imagesDamaged ? damageIdx(images, 16, rnd) : images;
            byte[] ml = both || !imagesDamaged ? damageIdx(labels, 8, rnd) : labels;
            if (rnd.nextInt(4) == 0) {
                mi = gzip(mi);
            }
            Files.write(fi, mi);
            Files.write(fl, ml);
            try {
                IdxDataset.read(fi, fl, IdxDataset.FASHION_MNIST_CLASSES, "fuzz");
                read++;
            } catch (ClipException e) {
                assertTrue(e.getMessage().contains("-idx"), e.getMessage());
            } catch (RuntimeException | Error e) {
                fail("case " + i + " threw " + e, e);
            }
        }
        assertTrue(read > 50, read + " read");
    }

    @Test
    void damagedCaptionFilesReadOrRaiseClipException(@TempDir Path dir) throws IOException {
        String csv = "\uFEFFpath,caption,extra\na.png,one\n\"b c.png\",\"a cat, \"\"quoted\"\"\nline\",x\r\n"
                + "sub/d.jpg,  two  \n/abs/e.png,\u00e9t\u00e9 \u4e2d\n";
        String jsonl = "{\"image\": \"a.png\", \"caption\": \"one\"}\n\n{\"image\": \"sub/b.png\", \"caption\": "
                + "\"two \\\"q\\\" \\u00e9\", \"x\": [1, {}]}\r\n{\"caption\": \"c\", \"image\": \"/abs/c.png\"}\n";
        String[] inserts = {"\"", ",", "\n", "\r", "\u0000", "{", "}", "[", ":", "\\", "\\u", "\t", "path", ""};
        Random rnd = new Random(20261208L);
        int read = 0;
        for (int i = 0; i < CASES; i++) {
            boolean isCsv = rnd.nextBoolean();
            String text = isCsv ? csv : jsonl;
            for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                int p = rnd.nextInt(text.length() + 1);
                int cut = Math.min(rnd.nextInt(3), text.length() - p);
                text = text.substring(0, p) + inserts[rnd.nextInt(inserts.length)] + text.substring(p + cut);
            }
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            if (rnd.nextInt(6) == 0) {
                bytes[rnd.nextInt(bytes.length)] = (byte) 0xC3; // a lead byte without its continuation
            }
            Path f = dir.resolve(isCsv ? "captions.csv" : "captions.jsonl");
            Files.write(f, bytes);
            try {
                List<ImageCaption> pairs = CaptionFile.read(f);
                pairs.forEach(p -> assertTrue(!p.caption().isBlank(), "blank caption accepted"));
                read++;
            } catch (ClipException e) {
                assertTrue(e.getMessage().contains("captions."), e.getMessage());
            } catch (RuntimeException | Error e) {
                fail("case " + i + " threw " + e, e);
            }
        }
        assertTrue(read > 50, read + " read");
    }

    private static byte[] damageIdx(byte[] seed, int header, Random rnd) {
        switch (rnd.nextInt(4)) {
            case 0:
                return Arrays.copyOf(seed, rnd.nextInt(seed.length));
            case 1: { // one or two header fields set to extreme or random values
                byte[] c = seed.clone();
                for (int k = 1 + rnd.nextInt(2); k > 0; k--) {
                    int field = 4 * (1 + rnd.nextInt(header / 4 - 1));
                    ByteBuffer.wrap(c).putInt(field, rnd.nextBoolean() ? EXTREMES[rnd.nextInt(EXTREMES.length)]
                            : rnd.nextInt() & Integer.MAX_VALUE);
                }
                return c;
            }
            default: {
                byte[] c = seed.clone();
                for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                    int pos = rnd.nextInt(rnd.nextBoolean() ? header : c.length);
                    c[pos] = (byte) rnd.nextInt(256);
                }
                return c;
            }
        }
    }

    private static byte[] gzip(byte[] b) throws IOException {
        java.io.ByteArrayOutputStream bos = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream o = new java.util.zip.GZIPOutputStream(bos)) {
            o.write(b);
        }
        return bos.toByteArray();
    }
}
