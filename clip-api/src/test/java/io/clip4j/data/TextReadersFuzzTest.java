package io.clip4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.ClipException;
import io.clip4j.text.ClipTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random user text through the data readers, checked against what was meant rather than only for the
 * exceptions {@link DataReadersFuzzTest} looks for: captions files written correctly (RFC 4180 CSV with quotes,
 * commas, line breaks, a BOM, columns in any order and extra ones; JSON Lines with escapes, extra keys, blank lines)
 * but holding hostile paths and captions must read back pair for pair, nothing dropped, merged or changed; trees of
 * images with hostile file and folder names (blanks, dashes, underscores, digits, controls, RTL marks, emoji) give
 * one non-blank caption per image ({@link PathCaptions}) and one class per folder with images
 * ({@link ClassFolders}). Some 60,000 caption files and 2,000 trees were run while writing this test without a
 * difference (hand-made hostile files found a second caption column or key taken silently and a path normalisation
 * quadratic in its {@code ..}); it keeps a fixed sample, as a guard.
 */
class TextReadersFuzzTest {
    private static final String[] TEXT = {"a", "b.png", "cat", " ", ",", "\"", "\"\"", "\n", "\r\n", "\r", "\t",
        "\u00e9", "\u4e2d", "\uD83D\uDE00", "\u2028", "\u0085", "\uFEFF", "{", "}", "[", "]", ":", "\\", "\\u0041",
        "'", "#", "path", "caption", "image", "//", "..", "./", "sub/", "\u00a0", "\u200B", "-", "\u202E", "&amp;",
        "\u0301", "\u0000"};
    private static final String[] NAME = {"a", "cat", "_", "-", "__", " ", "\u2003", "\u00a0", "\t", "\n", "1", "01",
        "_01", "_1", "\u00e9", "\u4e2d", "\uD83D\uDE00", ".", "x_y_z", "dan_gerhards", "\u0301", "\u200B", "#", "'",
        "\"", "\\", "\u202E", "\u0001"};
    private static final String[] EXTENSIONS = {".png", ".PNG", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tiff"};
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ClipTokenizer TOKENIZER = ClipTokenizer.create();

    @Test
    void wellFormedCaptionFilesReadBackPairForPair(@TempDir Path dir) throws IOException {
        Random rnd = new Random(20261208L);
        for (int c = 0; c < 1000; c++) {
            List<String[]> pairs = new ArrayList<>();
            for (int i = rnd.nextInt(6); i > 0; i--) {
                String path;
                String caption;
                do {
                    path = text(rnd, 4);
                } while (path.chars().allMatch(Character::isWhitespace) || path.indexOf(0) >= 0);
                do {
                    caption = text(rnd, 6);
                } while (TOKENIZER.encode(caption).length == 0); // blank, refused
                pairs.add(new String[]{path, caption});
            }
            boolean csv = rnd.nextBoolean();
            String name = pairs.isEmpty() ? (csv ? "c.csv" : "c.jsonl")
                    : new String[]{csv ? "c.csv" : "c.jsonl", csv ? "c.csv" : "c.json", "c.txt"}[rnd.nextInt(3)];
            String text = (rnd.nextInt(5) == 0 ? "\uFEFF" : "") + (csv ? csv(pairs, rnd) : jsonl(pairs, rnd));
            Path f = Files.write(dir.resolve(name), text.getBytes(StandardCharsets.UTF_8));
            List<ImageCaption> read;
            try {
                read = CaptionFile.read(f);
            } catch (ClipException e) {
                throw new AssertionError("case " + c + " refused: " + e.getMessage() + "\n" + text, e);
            }
            assertEquals(pairs.size(), read.size(), "case " + c + ":\n" + text);
            for (int i = 0; i < pairs.size(); i++) {
                assertEquals(pairs.get(i)[1], read.get(i).caption(), "case " + c);
                assertEquals(dir.toAbsolutePath().resolve(pairs.get(i)[0]).normalize().toString(),
                        read.get(i).image().toString(), "case " + c);
            }
        }
    }

    @Test
    void hostileFileAndFolderNamesGiveCaptionsAndClasses(@TempDir Path dir) throws IOException {
        Random rnd = new Random(20261209L);
        for (int c = 0; c < 60; c++) {
            Path root = Files.createDirectory(dir.resolve("t" + c));
            for (int i = 1 + rnd.nextInt(10); i > 0; i--) {
                Path folder = root;
                for (int k = rnd.nextInt(3); k > 0; k--) {
                    folder = folder.resolve(name(rnd, 3));
                }
                Files.createDirectories(folder);
                Files.write(folder.resolve(name(rnd, 5) + EXTENSIONS[rnd.nextInt(EXTENSIONS.length)]), new byte[1]);
            }
            List<Path> images;
            try (Stream<Path> s = Files.walk(root)) {
                images = s.filter(Files::isRegularFile).sorted().toList();
            }
            try {
                List<ImageCaption> pairs = PathCaptions.read(root);
                assertEquals(images.size(), pairs.size(), "tree " + c);
                for (ImageCaption p : pairs) {
                    assertFalse(p.caption().chars().allMatch(Character::isWhitespace), p.toString());
                }
                assertEquals(pairs.toString(), PathCaptions.read(root).toString(), "tree " + c);
                checkClassFolders(root, images);
            } catch (RuntimeException | Error e) {
                fail("tree " + c + " " + images + " threw " + e, e);
            }
        }
    }

    private static void checkClassFolders(Path root, List<Path> images) {
        List<Path> inClassFolders = images.stream().filter(p -> p.getParent().getParent().equals(root)).toList();
        if (inClassFolders.isEmpty()) {
            try {
                ClassFolders.read(root);
                fail("no class folder with images, yet read");
            } catch (ClipException e) {
                assertTrue(e.getMessage().startsWith(root + ": no class folder with images"), e.getMessage());
            }
            return;
        }
        List<String> folders = inClassFolders.stream().map(Path::getParent).distinct().sorted()
                .map(p -> p.getFileName().toString()).toList();
        List<String> names = folders.stream().map(f -> f.replace('_', ' ')).toList();
        // As prompts read a class name: runs of whitespace one space, none at the ends.
        long promptNames = names.stream()
                .map(n -> n.replaceAll("\\p{javaWhitespace}+", " ").replaceAll("^ | $", "")).distinct().count();
        if (names.stream().anyMatch(String::isBlank) || promptNames < names.size()) {
            // Two folders that give one class name (as prompts read it), or a blank one, are refused naming them.
            ClipException e = assertThrows(ClipException.class, () -> ClassFolders.read(root));
            assertTrue(e.getMessage().startsWith(root + ": class folder"), e.getMessage());
            return;
        }
        LabeledDataset ds = ClassFolders.read(root);
        assertEquals(inClassFolders.size(), ds.size());
        assertEquals(folders.stream().map(f -> f.replace('_', ' ')).toList(), ds.classNames());
        for (LabeledImage e : ds.examples()) {
            assertEquals(folders.get(e.label()), Path.of(e.image().toString()).getParent().getFileName().toString());
        }
    }

    private static String csv(List<String[]> pairs, Random rnd) {
        String eol = rnd.nextBoolean() ? "\n" : "\r\n";
        boolean swap = rnd.nextBoolean();
        int extra = rnd.nextInt(3);
        List<String> header = new ArrayList<>(List.of(rnd.nextBoolean() ? "path" : " Path ",
                rnd.nextBoolean() ? "caption" : "CAPTION"));
        if (swap) {
            Collections.reverse(header);
        }
        for (int e = 0; e < extra; e++) {
            header.add("x" + e);
        }
        StringBuilder sb = new StringBuilder(String.join(",", header.stream().map(h -> field(h, rnd)).toList()));
        for (String[] p : pairs) {
            sb.append(eol);
            List<String> fields = new ArrayList<>(List.of(field(p[0], rnd), field(p[1], rnd)));
            if (swap) {
                Collections.reverse(fields);
            }
            for (int e = rnd.nextInt(extra + 1); e > 0; e--) {
                fields.add(field(text(rnd, 3), rnd));
            }
            sb.append(String.join(",", fields));
            if (rnd.nextInt(10) == 0) {
                sb.append(eol); // a blank line
            }
        }
        return rnd.nextBoolean() ? sb.append(eol).toString() : sb.toString();
    }

    /** Quoted where RFC 4180 requires it, and sometimes where it does not. */
    private static String field(String s, Random rnd) {
        boolean needed = s.contains(",") || s.contains("\"") || s.contains("\r") || s.contains("\n");
        return needed || rnd.nextInt(4) == 0 ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static String jsonl(List<String[]> pairs, Random rnd) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String[] p : pairs) {
            ObjectNode o = JSON.createObjectNode();
            if (rnd.nextBoolean()) {
                o.put("image", p[0]).put("caption", p[1]);
            } else {
                o.put("caption", p[1]).put("image", p[0]);
            }
            if (rnd.nextInt(3) == 0) {
                o.putArray("extra").add(text(rnd, 3)).addObject().put("image", "other.png");
            }
            sb.append(rnd.nextInt(5) == 0 ? " \t" : "").append(JSON.writeValueAsString(o))
                    .append(rnd.nextBoolean() ? "\n" : "\r\n").append(rnd.nextInt(10) == 0 ? "  \n" : "");
        }
        return sb.toString();
    }

    private static String text(Random rnd, int max) {
        StringBuilder sb = new StringBuilder();
        for (int k = 1 + rnd.nextInt(max); k > 0; k--) {
            sb.append(TEXT[rnd.nextInt(TEXT.length)]);
        }
        return sb.toString();
    }

    private static String name(Random rnd, int max) {
        StringBuilder sb = new StringBuilder();
        for (int k = 1 + rnd.nextInt(max); k > 0; k--) {
            sb.append(NAME[rnd.nextInt(NAME.length)]);
        }
        return sb.toString().replace(".", "").isEmpty() ? "dots" : sb.toString(); // not "." or ".." 
    }
}
