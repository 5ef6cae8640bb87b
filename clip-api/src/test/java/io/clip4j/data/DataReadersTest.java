package io.clip4j.data;

import io.clip4j.ClipException;
import io.clip4j.image.DecodedImage;
import io.clip4j.image.ImagePreprocessor;
import io.clip4j.image.PixelMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataReadersTest {
    private static final Path IMAGES = Path.of(System.getProperty("clip4j.testdata")).resolve("preprocess/images");

    @Test
    void csvFollowsRfc4180(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("c.csv");
        Files.writeString(f, "\uFEFFid,caption,path\r\n1,\"a cat, sitting\",img/a.png\r\n"
                + "2,\"she said \"\"hi\"\"\nthen left\",/abs/b.png\n3,plain,c.png");
        List<ImageCaption> pairs = CaptionFile.read(f);
        assertEquals(3, pairs.size());
        assertEquals("a cat, sitting", pairs.get(0).caption());
        assertEquals(dir.resolve("img/a.png").toAbsolutePath().toString(), pairs.get(0).image().toString());
        assertEquals("she said \"hi\"\nthen left", pairs.get(1).caption());
        assertEquals("/abs/b.png", pairs.get(1).image().toString());
        assertEquals("plain", pairs.get(2).caption());

        Files.writeString(f, "path,caption\na.png,\"never closed\n");
        // Where an editor shows it: it said "at character 19", an offset in the file.
        assertEquals(f + ": record 2: quoted field opened at line 2, column 7 is never closed",
                assertThrows(ClipException.class, () -> CaptionFile.read(f)).getMessage());
        Files.writeString(f, "path,caption\r\na.png,\"a\"b\r\n");
        assertEquals(f + ": record 2: unexpected character 'b' after a closing quote at line 2, column 10",
                assertThrows(ClipException.class, () -> CaptionFile.read(f)).getMessage());
        Files.writeString(f, "file,text\na.png,x\n");
        assertTrue(assertThrows(ClipException.class, () -> CaptionFile.read(f)).getMessage().contains("'path'"));
        Files.writeString(f, "path,caption\na.png,  \n");
        assertTrue(assertThrows(ClipException.class, () -> CaptionFile.read(f)).getMessage().contains("record 2"));
    }

    @Test
    void jsonlPairsResolveAgainstTheFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("c.jsonl");
        Files.writeString(f, "{\"image\": \"x/1.png\", \"caption\": \"one\"}\n\n{\"caption\": \"two\", \"image\": \"2.png\"}\n");
        List<ImageCaption> pairs = CaptionFile.read(f);
        assertEquals(List.of("one", "two"), pairs.stream().map(ImageCaption::caption).toList());
        assertEquals(dir.resolve("x/1.png").toString(), pairs.get(0).image().toString());
        Files.writeString(f, "{\"image\": 3, \"caption\": \"x\"}\n");
        assertTrue(assertThrows(ClipException.class, () -> CaptionFile.read(f)).getMessage().contains("line 1"));
        assertThrows(ClipException.class, () -> CaptionFile.read(dir.resolve("c.txt")));
        // Other names are read by their content (train --data captions:FILE promised it; both were refused).
        Path txt = dir.resolve("captions.txt");
        Files.writeString(txt, "  {\"image\": \"a.png\", \"caption\": \"one\"}\n");
        assertEquals("one", CaptionFile.read(txt).get(0).caption());
        Files.writeString(txt, "path,caption\na.png,two\n");
        assertEquals("two", CaptionFile.read(txt).get(0).caption());
        Files.writeString(txt, "a.png two\n");
        assertTrue(assertThrows(ClipException.class, () -> CaptionFile.read(txt)).getMessage()
                .contains("first line must be a header"));
        // The root folder has no file name: it failed with a NullPointerException.
        Path root = dir.getRoot();
        ClipException e = assertThrows(ClipException.class, () -> CaptionFile.read(root));
        assertEquals(root + ": a directory, not a captions file (expected a .csv or .jsonl file)", e.getMessage());
        // A folder or an image given by mistake: a plain sentence, not "java.io.IOException: Is a directory" or
        // "java.nio.charset.MalformedInputException: Input length = 1".
        e = assertThrows(ClipException.class, () -> CaptionFile.read(dir));
        assertEquals(dir + ": a directory, not a captions file (expected a .csv or .jsonl file)", e.getMessage());
        Path png = dir.resolve("cat.csv");
        Files.copy(IMAGES.resolve("chelsea.png"), png);
        e = assertThrows(ClipException.class, () -> CaptionFile.read(png));
        assertEquals(png + ": captions file is not UTF-8 text (expected a .csv or .jsonl file)", e.getMessage());
        // Header names are matched without regard to case or blanks after the comma ("Path", " caption" were
        // refused as lacking both columns); the values keep theirs.
        Files.writeString(txt, "Path, Caption\na.png, three\n");
        assertEquals(" three", CaptionFile.read(txt).get(0).caption());
        // The header names the column it lacks (it said "lacks a 'path' and a 'caption' column" for either).
        Files.writeString(txt, "image,caption\na.png,two\n");
        e = assertThrows(ClipException.class, () -> CaptionFile.read(txt));
        assertTrue(e.getMessage().startsWith(txt + ": CSV header [image, caption] lacks a 'path' column ("),
                e.getMessage());
    }

    @Test
    void ambiguousColumnsAndKeysAreRefusedNotPickedSilently(@TempDir Path dir) throws IOException {
        // Found by adversarial caption files: the first of two caption columns, the last of two "caption" keys was
        // taken without a word, so a row's caption could be another column's text.
        Path csv = dir.resolve("c.csv");
        Files.writeString(csv, "path,Caption,caption\na.png,one,two\n");
        assertEquals(csv + ": CSV header [path, Caption, caption] has two 'caption' columns (2 and 3)",
                assertThrows(ClipException.class, () -> CaptionFile.read(csv)).getMessage());
        Files.writeString(csv, "path,caption, path\na.png,one,b.png\n");
        assertEquals(csv + ": CSV header [path, caption,  path] has two 'path' columns (1 and 3)",
                assertThrows(ClipException.class, () -> CaptionFile.read(csv)).getMessage());
        Path jsonl = dir.resolve("c.jsonl");
        Files.writeString(jsonl, "{\"image\": \"a.png\", \"caption\": \"one\"}\n"
                + "{\"image\": \"b.png\", \"caption\": \"a cat\", \"caption\": \"a dog\"}\n");
        ClipException e = assertThrows(ClipException.class, () -> CaptionFile.read(jsonl));
        assertTrue(e.getMessage().startsWith(jsonl + ": line 2 is not valid JSON: Duplicate field 'caption'"),
                e.getMessage());
        // A JSON array (a .json file as many tools write it) is named as such, without Jackson's location noise.
        Path json = dir.resolve("c.json");
        Files.writeString(json, "[\n  {\"image\": \"a.png\", \"caption\": \"one\"}\n]\n");
        assertEquals(json + ": line 1 is not valid JSON: an array that does not end on this line (JSON Lines puts"
                + " one {\"image\": ..., \"caption\": ...} object on each line)",
                assertThrows(ClipException.class, () -> CaptionFile.read(json)).getMessage());
        Files.writeString(json, "[{\"image\": \"a.png\", \"caption\": \"one\"}]\n");
        assertEquals(json + ": line 1 is a JSON array (JSON Lines puts one {\"image\": ..., \"caption\": ...} object"
                + " on each line)", assertThrows(ClipException.class, () -> CaptionFile.read(json)).getMessage());
    }

    @Test
    void captionsTheTokenizerReadsAsNothingAreBlank(@TempDir Path dir) throws IOException {
        // "&nbsp;" (alt text of web pages) and U+3000 passed the whitespace check and were trained as the empty text.
        Path csv = dir.resolve("c.csv");
        Files.writeString(csv, "path,caption\na.png,a cat\nb.png,&nbsp;\n");
        assertEquals(csv + ": record 3 has a blank caption: '&nbsp;' gives no tokens (the tokenizer unescapes HTML and"
                + " drops whitespace)", assertThrows(ClipException.class, () -> CaptionFile.read(csv)).getMessage());
        Path jsonl = dir.resolve("c.jsonl");
        Files.writeString(jsonl, "{\"image\": \"a.png\", \"caption\": \"\\u3000\\u00a0&amp;nbsp;\"}\n");
        assertTrue(assertThrows(ClipException.class, () -> CaptionFile.read(jsonl)).getMessage()
                .startsWith(jsonl + ": line 1 has a blank caption: "));
        // Letters and digits that are all inside terminal escapes, which the tokenizer's ftfy step removes.
        Files.writeString(csv, "path,caption\na.png,\u001b[1;31m\u001b[0m\n");
        // Quoted with its control characters escaped: a raw ESC [ 1;31 m in the error would turn the terminal red.
        assertEquals(csv + ": record 2 has a blank caption: '\\u001b[1;31m\\u001b[0m' gives no tokens (the tokenizer"
                + " unescapes HTML and drops whitespace)",
                assertThrows(ClipException.class, () -> CaptionFile.read(csv)).getMessage());
        Files.writeString(csv, "path,caption\na.png,\"" + "&nbsp;\n".repeat(1000) + "\"\n");
        assertEquals(csv + ": record 2 has a blank caption: '" + "&nbsp;\\n".repeat(8) + "&nbs...' gives no tokens"
                + " (the tokenizer unescapes HTML and drops whitespace)",
                assertThrows(ClipException.class, () -> CaptionFile.read(csv)).getMessage());
        // Without a letter or digit, yet tokens: kept.
        Files.writeString(csv, "path,caption\na.png,&amp; !\nb.png,\uD83D\uDE00\n");
        assertEquals(List.of("&amp; !", "\uD83D\uDE00"),
                CaptionFile.read(csv).stream().map(ImageCaption::caption).toList());
    }

    @Test
    void imagePathsClimbingAboveTheRootAreNormalisedInLinearTime(@TempDir Path dir) throws IOException {
        // Found by timing hostile caption files: Path.normalize takes time quadratic in the ".." above the root. One
        // line of "../" repeated 330,000 times (1 MB) took 14 s; 1,000,000 of them took minutes.
        Path csv = dir.resolve("c.csv");
        Files.writeString(csv, "path,caption\n" + "../".repeat(1_000_000) + "x.png,c\n");
        List<ImageCaption> pairs = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(20), () -> CaptionFile.read(csv));
        assertEquals(dir.getRoot().resolve("x.png").toString(), pairs.get(0).image().toString());
        // Otherwise the same as Path.normalize.
        SplittableRandom rnd = new SplittableRandom(5);
        String[] names = {"a", "b", ".", "..", "..", "\u00e9", "c d", "..."};
        for (int i = 0; i < 5000; i++) {
            StringBuilder sb = new StringBuilder(rnd.nextBoolean() ? "/" : "");
            for (int k = rnd.nextInt(8); k >= 0; k--) {
                sb.append(names[rnd.nextInt(names.length)]).append(rnd.nextInt(4) == 0 ? "//" : "/");
            }
            Path p = Path.of(sb.toString());
            assertEquals(p.normalize(), CaptionFile.normalize(p), sb.toString());
        }
    }

    @Test
    void imagesCanBeCheckedUpFrontAndPathsAreNormalised(@TempDir Path dir) throws IOException {
        Files.copy(IMAGES.resolve("chelsea.png"), dir.resolve("cat.png"));
        Files.createDirectory(dir.resolve("sub"));
        Path f = dir.resolve("c.jsonl");
        Files.writeString(f, "{\"image\": \"./sub/../cat.png\", \"caption\": \"a cat\"}\n");
        // Normalised, so that retrieval sees "cat.png" and "./cat.png" as one image.
        assertEquals(dir.resolve("cat.png").toAbsolutePath().toString(),
                CaptionFile.read(f, true).get(0).image().toString());
        Files.writeString(f, "{\"image\": \"cat.png\", \"caption\": \"a cat\"}\n"
                + "{\"image\": \"dog.png\", \"caption\": \"a dog\"}\n");
        assertEquals(2, CaptionFile.read(f).size()); // not checked: training may skip it when decoded
        ClipException e = assertThrows(ClipException.class, () -> CaptionFile.read(f, true));
        assertTrue(e.getMessage().startsWith(f + ": line 2: image not found: "), e.getMessage());
        Path csv = dir.resolve("c.csv");
        Files.writeString(csv, "path,caption\nsub,a folder\n");
        e = assertThrows(ClipException.class, () -> CaptionFile.read(csv, true));
        assertTrue(e.getMessage().startsWith(csv + ": record 2: not an image file: "), e.getMessage());
        e = assertThrows(ClipException.class, () -> CaptionFile.read(dir.resolve("none.csv")));
        assertEquals(dir.resolve("none.csv") + ": captions file not found", e.getMessage());
        Files.writeString(csv, "cat.png,a cat\n");
        e = assertThrows(ClipException.class, () -> CaptionFile.read(csv));
        assertTrue(e.getMessage().contains("first line must be a header"), e.getMessage());
    }

    @Test
    void captionFilesRefuseWhatTheyWouldOtherwiseMisreadNamingTheLine(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("c.csv");
        // An unquoted comma in a caption used to shift the row silently ("a cat" kept, "sitting" lost).
        Files.writeString(csv, "path,caption\na.png,one\nb.png,a cat, sitting\n");
        ClipException e = assertThrows(ClipException.class, () -> CaptionFile.read(csv));
        assertTrue(e.getMessage().contains("record 3 has 3 fields, the header 2"), e.getMessage());
        Files.writeString(csv, "path,caption\nb.png,\"a cat, sitting\"\n"); // quoted: one field, as before
        assertEquals("a cat, sitting", CaptionFile.read(csv).get(0).caption());
        Files.writeString(csv, "path,caption\na\u0000.png,x\n"); // used to escape as InvalidPathException
        e = assertThrows(ClipException.class, () -> CaptionFile.read(csv));
        assertTrue(e.getMessage().startsWith(csv + ": record 2 has an invalid image path"), e.getMessage());

        Path jsonl = dir.resolve("c.jsonl");
        Files.writeString(jsonl, "{\"image\": \"1.png\", \"caption\": \"one\"}\n"
                + "{\"image\": \"a\\u0000.png\", \"caption\": \"x\"}\n");
        e = assertThrows(ClipException.class, () -> CaptionFile.read(jsonl));
        assertTrue(e.getMessage().startsWith(jsonl + ": line 2 has an invalid image path"), e.getMessage());
        // The second object on a line used to be dropped without a word.
        Files.writeString(jsonl, "{\"image\": \"1.png\", \"caption\": \"one\"}\n\n"
                + "{\"image\": \"2.png\", \"caption\": \"two\"} {\"image\": \"3.png\", \"caption\": \"three\"}\n");
        e = assertThrows(ClipException.class, () -> CaptionFile.read(jsonl));
        assertTrue(e.getMessage().contains("line 3 holds more than one JSON value"), e.getMessage());
        Files.writeString(jsonl, "{\"image\": \"2.png\", \"caption\": \"two\"}  \r\n"); // trailing blanks are fine
        assertEquals("two", CaptionFile.read(jsonl).get(0).caption());
    }

    @Test
    void classFoldersGiveSortedClassesWithSpaces(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("tabby_cat"));
        Files.createDirectories(dir.resolve("dog"));
        Files.createDirectories(dir.resolve("empty"));
        Files.copy(IMAGES.resolve("chelsea.png"), dir.resolve("tabby_cat/1.png"));
        Files.copy(IMAGES.resolve("coffee.png"), dir.resolve("dog/b.PNG"));
        Files.copy(IMAGES.resolve("horse.png"), dir.resolve("dog/a.png"));
        try (var webp = getClass().getResourceAsStream("/io/clip4j/image/webp/lossy_q75.webp")) {
            Files.copy(webp, dir.resolve("tabby_cat/2.webp"));
        }
        Files.writeString(dir.resolve("dog/notes.txt"), "x");
        LabeledDataset ds = ClassFolders.read(dir);
        assertEquals(List.of("dog", "tabby cat"), ds.classNames());
        assertEquals(4, ds.size());
        assertEquals(List.of(0, 0, 1, 1), ds.examples().stream().map(LabeledImage::label).toList());
        assertTrue(ds.examples().get(0).image().toString().endsWith("a.png"));
        assertThrows(ClipException.class, () -> ClassFolders.read(dir.resolve("empty")));
        ClipException file = assertThrows(ClipException.class, () -> ClassFolders.read(dir.resolve("dog/a.png")));
        assertTrue(file.getMessage().endsWith("a.png: not a directory"), file.getMessage());
    }

    @Test
    void classFoldersThatGiveOneNameOrABlankOneAreNamed(@TempDir Path dir) throws IOException {
        // Both were read, and zero-shot evaluation then said "duplicate label 'a b'" or "label 1 of 2 is blank",
        // naming no folder.
        Path twice = dir.resolve("twice");
        for (String folder : new String[]{"a_b", "a b", "cat"}) {
            Files.createDirectories(twice.resolve(folder));
            Files.copy(IMAGES.resolve("chelsea.png"), twice.resolve(folder).resolve("1.png"));
        }
        ClipException dup = assertThrows(ClipException.class, () -> ClassFolders.read(twice));
        assertEquals(twice + ": class folders 'a b' and 'a_b' both give the class name 'a b' ('_' reads as a"
                + " space, and prompts ignore spaces at the ends and repeated ones); rename one", dup.getMessage());
        // "cat" and "cat " ("cat_") give the same prompts once the tokenizer has cleaned the whitespace.
        Path trailing = dir.resolve("trailing");
        for (String folder : new String[]{"cat", "cat_", "big__dog", "big_dog "}) {
            Files.createDirectories(trailing.resolve(folder));
            Files.copy(IMAGES.resolve("chelsea.png"), trailing.resolve(folder).resolve("1.png"));
        }
        assertEquals(trailing + ": class folders 'big__dog' and 'big_dog ' both give the class name 'big dog' ('_'"
                + " reads as a space, and prompts ignore spaces at the ends and repeated ones); rename one",
                assertThrows(ClipException.class, () -> ClassFolders.read(trailing)).getMessage());
        Files.delete(trailing.resolve("big_dog ").resolve("1.png"));
        Files.delete(trailing.resolve("big_dog "));
        assertEquals(trailing + ": class folders 'cat' and 'cat_' both give the class name 'cat' ('_' reads as a"
                + " space, and prompts ignore spaces at the ends and repeated ones); rename one",
                assertThrows(ClipException.class, () -> ClassFolders.read(trailing)).getMessage());
        for (String folder : new String[]{"___", " ", "_\t"}) {
            Path blank = dir.resolve("blank" + folder.length() + folder.charAt(folder.length() - 1) % 10);
            Files.createDirectories(blank.resolve("dog"));
            Files.copy(IMAGES.resolve("horse.png"), blank.resolve("dog/1.png"));
            Files.createDirectories(blank.resolve(folder));
            Files.copy(IMAGES.resolve("chelsea.png"), blank.resolve(folder).resolve("1.png"));
            ClipException e = assertThrows(ClipException.class, () -> ClassFolders.read(blank));
            assertEquals(blank + ": class folder '" + folder.replace("\t", "\\t") + "' gives a blank class name"
                    + " ('_' reads as a space); rename it", e.getMessage());
        }
    }

    static byte[] idx(int magic, int[] dims, byte[] body, boolean gzip) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + body.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(body);
        if (!gzip) {
            return b.array();
        }
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(bos)) {
            o.write(b.array());
        }
        return bos.toByteArray();
    }

    @Test
    void idxImagesBecomeGrayscaleInputsPreprocessedLikeModeL(@TempDir Path dir) throws IOException {
        byte[] px = new byte[2 * 3 * 4];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 10);
        }
        Files.write(dir.resolve("i.gz"), idx(0x803, new int[]{2, 3, 4}, px, true));
        Files.write(dir.resolve("l"), idx(0x801, new int[]{2}, new byte[]{9, 0}, false));
        LabeledDataset ds = IdxDataset.read(dir.resolve("i.gz"), dir.resolve("l"), IdxDataset.FASHION_MNIST_CLASSES, "t");
        assertEquals(2, ds.size());
        assertEquals(9, ds.examples().get(0).label());
        assertEquals("Ankle boot", ds.classNames().get(9));
        // Image 1 (rows 3, columns 4) preprocesses exactly like the same pixels given as a mode-L image.
        byte[] second = java.util.Arrays.copyOfRange(px, 12, 24);
        ImagePreprocessor pre = ImagePreprocessor.clip(8);
        assertArrayEquals(pre.preprocessPixels(second, 4, 3, PixelMode.L), pre.preprocess(ds.examples().get(1).image()));

        Files.write(dir.resolve("l"), idx(0x801, new int[]{3}, new byte[]{1, 2, 3}, false));
        assertTrue(assertThrows(ClipException.class, () -> IdxDataset.read(dir.resolve("i.gz"), dir.resolve("l"),
                IdxDataset.MNIST_CLASSES, "t")).getMessage().contains("3 labels"));
        Files.write(dir.resolve("l"), idx(0x801, new int[]{2}, new byte[]{1, 10}, false));
        assertThrows(ClipException.class, () -> IdxDataset.read(dir.resolve("i.gz"), dir.resolve("l"),
                IdxDataset.MNIST_CLASSES, "t"));
        assertThrows(ClipException.class, () -> IdxDataset.read(dir.resolve("l"), dir.resolve("l"),
                IdxDataset.MNIST_CLASSES, "t")); // wrong magic
        // Images and labels swapped, gzipped as distributed: the label file's header was read as an image header,
        // and refused as "its header declares more than the 1073741824 bytes read from an IDX file".
        Files.write(dir.resolve("l.gz"), idx(0x801, new int[]{2}, new byte[]{9, 0}, true));
        ClipException swapped = assertThrows(ClipException.class, () -> IdxDataset.read(dir.resolve("l.gz"),
                dir.resolve("i.gz"), IdxDataset.MNIST_CLASSES, "t"));
        assertEquals(dir.resolve("l.gz") + ": not an IDX image file (magic 0x801, expected 0x803); it is an IDX label"
                + " file: are the images and labels swapped?", swapped.getMessage());
        Files.write(dir.resolve("i.gz"), idx(0x803, new int[]{5, 3, 4}, px, true));
        Files.write(dir.resolve("l"), idx(0x801, new int[]{5}, new byte[]{1, 2, 3, 4, 5}, false));
        assertTrue(assertThrows(ClipException.class, () -> IdxDataset.read(dir.resolve("i.gz"), dir.resolve("l"),
                IdxDataset.MNIST_CLASSES, "t")).getMessage().contains("truncated"));
    }

    @Test
    void captionAndIdxFilesThatArePipesOrDevicesAreNotRead(@TempDir Path dir) throws Exception {
        // Found with hostile dataset folders: a captions.csv or IDX file that is a named pipe blocked the read
        // forever, one linked to /dev/zero ran out of heap.
        Path pipe = dir.resolve("captions.csv");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor() == 0, "mkfifo unavailable");
        java.time.Duration seconds10 = java.time.Duration.ofSeconds(10);
        ClipException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(seconds10,
                () -> assertThrows(ClipException.class, () -> CaptionFile.read(pipe)));
        assertEquals(pipe + ": captions file is not a regular file (a device or named pipe)", e.getMessage());
        Files.write(dir.resolve("l"), idx(0x801, new int[]{1}, new byte[]{1}, false));
        e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(seconds10, () -> assertThrows(
                ClipException.class, () -> IdxDataset.read(pipe, dir.resolve("l"), IdxDataset.MNIST_CLASSES, "t")));
        assertEquals(pipe + ": IDX file is not a regular file (a device or named pipe)", e.getMessage());
        Path zero = Files.createSymbolicLink(dir.resolve("zero.jsonl"), Path.of("/dev/zero"));
        e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(seconds10,
                () -> assertThrows(ClipException.class, () -> CaptionFile.read(zero)));
        assertEquals(zero + ": captions file is not a regular file (a device or named pipe)", e.getMessage());
    }

    @Test
    void idxHeaderWhoseSizeOverflowsIsTruncatedNotACrash(@TempDir Path dir) throws IOException {
        // Found by fuzzing: 5 images of 1651077239x1179472987 need more than 2^63 bytes; the product wrapped
        // negative, passed the length check, and the pixel array's size gave NegativeArraySizeException.
        Files.write(dir.resolve("i"), idx(0x803, new int[]{5, 0x464d545b, 0x62697077}, new byte[40], false));
        Files.write(dir.resolve("l"), idx(0x801, new int[]{5}, new byte[5], false));
        ClipException e = assertThrows(ClipException.class,
                () -> IdxDataset.read(dir.resolve("i"), dir.resolve("l"), IdxDataset.MNIST_CLASSES, "t"));
        assertTrue(e.getMessage().endsWith("i: truncated, 40 pixel bytes for 5 images of 1651077239x1179472987"),
                e.getMessage());
    }

    @Test
    void gzippedIdxIsReadOnlyAsFarAsItsHeaderDeclares(@TempDir Path dir) throws IOException {
        // Found by fuzzing: 1 MB of gzip expanding to 1 GB behind a small header was decompressed whole, which
        // ended in OutOfMemoryError with -Xmx512m. Here 64 MiB of zeros follow two 2x2 images.
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(bos)) {
            o.write(idx(0x803, new int[]{2, 2, 2}, new byte[]{1, 2, 3, 4, 5, 6, 7, 8}, false));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) {
                o.write(zeros);
            }
        }
        Files.write(dir.resolve("i.gz"), bos.toByteArray());
        Files.write(dir.resolve("l"), idx(0x801, new int[]{2}, new byte[]{1, 2}, false));
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        LabeledDataset ds = IdxDataset.read(dir.resolve("i.gz"), dir.resolve("l"), IdxDataset.MNIST_CLASSES, "t");
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(2, ds.size());
        assertTrue(allocated < 16 << 20, allocated + " bytes allocated to read two 2x2 images");
        // A header that declares more than 1 GiB is refused from its 16 bytes.
        Files.write(dir.resolve("i.gz"), idx(0x803, new int[]{1 << 20, 1 << 10, 1 << 10}, new byte[0], true));
        ClipException e = assertThrows(ClipException.class, () -> IdxDataset.read(dir.resolve("i.gz"),
                dir.resolve("l"), IdxDataset.MNIST_CLASSES, "t"));
        assertTrue(e.getMessage().endsWith("i.gz: its header declares more than the 1073741824 bytes read from an IDX file"),
                e.getMessage());
    }

    @Test
    void shufflingIsSeededAndAPermutation() {
        int[] a = Shuffle.permutation(1000, 7, 0);
        assertArrayEquals(a, Shuffle.permutation(1000, 7, 0));
        assertFalse(java.util.Arrays.equals(a, Shuffle.permutation(1000, 7, 1)));
        assertFalse(java.util.Arrays.equals(a, Shuffle.permutation(1000, 8, 0)));
        Set<Integer> seen = new HashSet<>();
        for (int v : a) {
            seen.add(v);
        }
        assertEquals(1000, seen.size());
        assertEquals(0, Shuffle.permutation(0, 7, 0).length);
        // Used to be a NegativeArraySizeException though n >= 0 is documented.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shuffle.permutation(-1, 7, 0));
        assertTrue(e.getMessage().contains("got -1"), e.getMessage());
    }

    @Test
    void templateCaptionsAreDrawnPerExampleAndEpoch() {
        LabeledDataset ds = new LabeledDataset("d", List.of("cat", "dog"), List.of(
                new LabeledImage(io.clip4j.image.ImageInput.ofPixels(new byte[1], 1, 1, PixelMode.L), 1)));
        List<String> templates = List.of("a photo of a {}.", "a {}.", "art of the {}.");
        CaptionedImages c = CaptionedImages.fromLabels(ds, templates, 3);
        Set<String> seen = new HashSet<>();
        for (int e = 0; e < 30; e++) {
            String caption = c.caption(0, e);
            assertEquals(caption, CaptionedImages.fromLabels(ds, templates, 3).caption(0, e));
            seen.add(caption);
        }
        assertEquals(Set.of("a photo of a dog.", "a dog.", "art of the dog."), seen);
    }

    @Test
    void templatesWithoutExactlyOnePlaceholderAreRefusedUpFront() {
        LabeledDataset ds = new LabeledDataset("d", List.of("cat"), List.of(
                new LabeledImage(io.clip4j.image.ImageInput.ofPixels(new byte[1], 1, 1, PixelMode.L), 0)));
        // Two {} used to pass (contains("{}")) and throw at the first caption drawn, in the middle of training.
        for (String bad : List.of("a {} and a {}.", "a photo of a {0}.", "a photo of a %s.", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CaptionedImages.fromLabels(ds, List.of("a {}.", bad), 1), bad);
            assertTrue(e.getMessage().contains("exactly one {}") && e.getMessage().contains(bad), e.getMessage());
        }
    }

    @Test
    void randomResizedCropKeepsAreaAndRatioBoundsAndIsSeeded() {
        byte[] rgb = new byte[100 * 80 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) i;
        }
        DecodedImage img = DecodedImage.ofBytes(100, 80, PixelMode.RGB, rgb, false, 1);
        RandomResizedCrop crop = new RandomResizedCrop(0.5, 0.8);
        for (int s = 0; s < 50; s++) {
            DecodedImage c = crop.apply(img, new SplittableRandom(s));
            double area = (double) c.width() * c.height() / 8000;
            assertTrue(area > 0.45 && area < 0.85, "area fraction " + area);
            double ratio = (double) c.width() / c.height();
            assertTrue(ratio > 0.7 && ratio < 1.4, "ratio " + ratio);
            assertArrayEquals(c.data(), crop.apply(img, new SplittableRandom(s)).data());
        }
        DecodedImage box = RandomResizedCrop.crop(img, 10, 20, 3, 2);
        assertArrayEquals(new byte[]{
                rgb[(20 * 100 + 10) * 3], rgb[(20 * 100 + 10) * 3 + 1]}, java.util.Arrays.copyOf(box.data(), 2));
        assertEquals(rgb[(21 * 100 + 12) * 3 + 2], box.data()[(1 * 3 + 2) * 3 + 2]);
        assertThrows(IllegalArgumentException.class, () -> new RandomResizedCrop(0, 1));
    }

    @Test
    void pathCaptionsDropAuthorSuffixes(@TempDir Path dir) throws IOException {
        byte[] png = Files.readAllBytes(IMAGES.resolve("tiny_1x1.png"));
        Files.createDirectories(dir.resolve("science/astronomy"));
        for (String n : List.of("full_moon_dan_gerhards_01", "venus_dan_gerhards_01", "saturn_dan_gerhards_01",
                "medicina_dottore_archite_01", "red_apple")) {
            Files.write(dir.resolve("science/astronomy/" + n + ".png"), png);
        }
        List<ImageCaption> pairs = PathCaptions.read(dir);
        List<String> captions = pairs.stream().map(ImageCaption::caption).toList();
        assertEquals(List.of("full moon (science, astronomy)", "medicina dottore (science, astronomy)",
                "red apple (science, astronomy)", "saturn (science, astronomy)", "venus (science, astronomy)"), captions);
        // A symbolic link to the tree is followed, as by ImageFolders.list: it used to find "no images".
        Path link = Files.createSymbolicLink(dir.resolveSibling(dir.getFileName() + "-link"), dir);
        try {
            List<ImageCaption> viaLink = PathCaptions.read(link);
            assertEquals(captions, viaLink.stream().map(ImageCaption::caption).toList());
            assertEquals(link.resolve("science/astronomy/full_moon_dan_gerhards_01.png").toString(),
                    viaLink.get(0).image().toString());
        } finally {
            Files.delete(link);
        }
    }

    @Test
    void pathCaptionsOfDashOrSpaceNamesAreNotBlank(@TempDir Path dir) throws IOException {
        // "-.png" gave the caption " " ('-' becomes a space), which ImageCaption refused with an
        // IllegalArgumentException out of PathCaptions.read; U+2003 is whitespace the word split does not cut at.
        byte[] png = Files.readAllBytes(IMAGES.resolve("tiny_1x1.png"));
        for (String n : List.of("-", "--_01", "\u2003", "a_-_b", "2024_-")) {
            Files.write(dir.resolve(n + ".png"), png);
        }
        List<String> captions = PathCaptions.read(dir).stream().map(ImageCaption::caption).toList();
        assertEquals(List.of("image", "image", "2024", "a b", "image"), captions);
    }

    @Test
    void batchesAreDeterministicAndCanSkipUnusableImages(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("bad.png"), "not an image");
        List<ImageCaption> pairs = List.of(
                new ImageCaption(io.clip4j.image.ImageInput.of(IMAGES.resolve("tiny_1x1.png")), "one"),
                new ImageCaption(io.clip4j.image.ImageInput.of(dir.resolve("bad.png")), "bad"),
                new ImageCaption(io.clip4j.image.ImageInput.of(IMAGES.resolve("tiny_7x5.png")), "two"),
                new ImageCaption(io.clip4j.image.ImageInput.of(IMAGES.resolve("exact_224x224.png")), "three"));
        ContrastiveBatches strict = new ContrastiveBatches(CaptionedImages.of(pairs), 4, 1, ImagePreprocessor.clip(16),
                io.clip4j.text.ClipTokenizer.create().withContextLength(8), null);
        assertThrows(io.clip4j.image.ImageDecodeException.class, () -> strict.batch(0));
        List<String> warnings = new java.util.ArrayList<>();
        ContrastiveBatches lenient = strict.skippingBadImages(warnings::add);
        ContrastiveBatches.Batch b = lenient.batch(0);
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("example 1"), warnings.get(0));
        assertArrayEquals(b.pixelValues(), lenient.batch(0).pixelValues());
        assertArrayEquals(b.ids(), lenient.batch(0).ids());
        assertEquals(4 * 8, b.ids().length);
        assertEquals(4 * 3 * 16 * 16, b.pixelValues().length);
    }

    @Test
    void aKnownBadImageIsNotDecodedAgain(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("bad.png"), "not an image");
        CaptionedImages pairs = CaptionedImages.of(List.of(
                new ImageCaption(io.clip4j.image.ImageInput.of(IMAGES.resolve("tiny_1x1.png")), "one"),
                new ImageCaption(io.clip4j.image.ImageInput.of(dir.resolve("bad.png")), "bad"),
                new ImageCaption(io.clip4j.image.ImageInput.of(IMAGES.resolve("tiny_7x5.png")), "two")));
        int[] badReads = new int[1];
        CaptionedImages counting = new CaptionedImages() {
            @Override
            public int size() {
                return pairs.size();
            }

            @Override
            public io.clip4j.image.ImageInput image(int index) {
                badReads[0] += index == 1 ? 1 : 0;
                return pairs.image(index);
            }

            @Override
            public String caption(int index, long epoch) {
                return pairs.caption(index, epoch);
            }
        };
        ContrastiveBatches batches = new ContrastiveBatches(counting, 3, 1, ImagePreprocessor.clip(16),
                io.clip4j.text.ClipTokenizer.create().withContextLength(8), null).skippingBadImages(m -> { });
        float[] first = batches.batch(0).pixelValues();
        assertEquals(2, badReads[0]); // the failed batch, then the replacement search
        // Every later epoch used to decode it again, fail, and assemble the whole batch a second time.
        for (int step = 1; step < 5; step++) {
            batches.batch(step);
        }
        assertEquals(2, badReads[0]);
        assertArrayEquals(first, batches.batch(0).pixelValues()); // the same replacement as before
    }

    @Test
    void skippingBadImagesAlsoSkipsOnesThatDecodeButCannotBeResized() {
        // 1 x 10,000,000 decodes (under the pixel limit) but is too elongated to resize to 224 on its short side: the
        // replacement search only decoded, kept it, and the batch failed again despite skippingBadImages.
        List<ImageCaption> pairs = new java.util.ArrayList<>();
        pairs.add(new ImageCaption(io.clip4j.image.ImageInput.ofPixels(new byte[3 * 10_000_000], 1, 10_000_000,
                PixelMode.RGB), "a very tall image"));
        for (int i = 0; i < 3; i++) {
            pairs.add(new ImageCaption(io.clip4j.image.ImageInput.ofPixels(new byte[3 * 16], 4, 4, PixelMode.RGB),
                    "small " + i));
        }
        List<String> warnings = new java.util.ArrayList<>();
        ContrastiveBatches batches = new ContrastiveBatches(CaptionedImages.of(pairs), 4, 1, ImagePreprocessor.clip(224),
                io.clip4j.text.ClipTokenizer.create().withContextLength(8), null).skippingBadImages(warnings::add);
        assertEquals(4 * 3 * 224 * 224, batches.batch(0).pixelValues().length);
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).startsWith("skipping example 0: ") && warnings.get(0).contains("too elongated"),
                warnings.get(0));
    }
}
