package io.clip4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.clip4j.ClipException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random text through the CLI's own readers: label files ({@code --labels-file}, an idx NAMES file) written
 * with hostile labels, line ends, blank lines, blanks and a BOM read back label for label, damaged ones give labels
 * or an {@link IllegalArgumentException} naming the file; {@code --data} / {@code --eval} specifications made of
 * prefixes, colons, commas and paths give a data set or a {@link ClipException} / {@link IllegalArgumentException}
 * (the CLI's one-line user errors), never anything else. No escape was found in the few thousand cases run while
 * writing this test; it keeps a fixed sample, as a guard.
 */
class TextOptionsFuzzTest {
    private static final String[] LABEL = {"cat", "a", "T-shirt/top", "\u00e9t\u00e9", "\u4e2d", "\uD83D\uDC68\u200D"
        + "\uD83D\uDC69", " ", "\t", "#", "{}", "{0}", "%s", "\u2028", "\u0085", "\u00a0", ",", "\"", "\u200B",
        "\u202E", "\u0301", "&amp;", "\u0000", "\\"};
    private static final String[] EOL = {"\n", "\r\n", "\r"};
    private static final String[] SPEC = {"captions:", "paths:", "folder:", "idx:", "Captions:", "C:", ":", ",",
        "/", "x", ".csv", ".jsonl", ".json", " ", "\u00e9", "fashion-mnist", "mnist", "a:b", "", "#"};

    @Test
    void labelFilesReadBackTheirLabels(@TempDir Path dir) throws IOException {
        Random rnd = new Random(20261208L);
        Path f = dir.resolve("labels.txt");
        for (int c = 0; c < 500; c++) {
            List<String> labels = new ArrayList<>();
            StringBuilder text = new StringBuilder(rnd.nextInt(5) == 0 ? "\uFEFF" : "");
            for (int i = 1 + rnd.nextInt(6); i > 0; i--) {
                String label;
                do {
                    label = pieces(LABEL, rnd, 4);
                } while (label.isBlank());
                labels.add(label.strip());
                text.append(rnd.nextInt(6) == 0 ? " \t" + EOL[rnd.nextInt(EOL.length)] : "") // a blank line
                        .append(label).append(EOL[rnd.nextInt(EOL.length)]);
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            Files.write(f, bytes);
            assertEquals(labels, LabelFiles.read(f, "--labels-file"), "case " + c + ": " + text);
            // The same file damaged: labels or a one-line error naming the file.
            for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                bytes[rnd.nextInt(bytes.length)] = (byte) (rnd.nextBoolean() ? rnd.nextInt(256) : '\n');
            }
            Files.write(f, bytes);
            try {
                LabelFiles.read(f, "--labels-file").forEach(l -> assertTrue(!l.isBlank() && l.equals(l.strip()), l));
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().startsWith("--labels-file " + f + ": "), e.getMessage());
            }
        }
    }

    @Test
    void dataSpecificationsGiveADataSetOrAUserError(@TempDir Path dir) throws IOException {
        Path csv = Files.writeString(dir.resolve("c.csv"), "path,caption\na.png,a cat\n");
        Path colon = Files.createDirectories(dir.resolve("a:b"));
        Files.writeString(colon.resolve("c.jsonl"), "{\"image\": \"a.png\", \"caption\": \"a cat\"}\n");
        Files.createDirectories(colon.resolve("cat"));
        Files.write(colon.resolve("cat").resolve("1.png"), new byte[1]);
        Path names = Files.writeString(dir.resolve("names.txt"), "cat\ndog\n");
        String[] paths = {csv.toString(), colon.toString(), colon.resolve("c.jsonl").toString(), names.toString(),
            dir.toString(), dir.resolve("none").toString()};
        Random rnd = new Random(20261209L);
        int read = 0;
        for (int c = 0; c < 500; c++) {
            StringBuilder spec = new StringBuilder(rnd.nextBoolean() ? SPEC[rnd.nextInt(4)] : "");
            for (int k = rnd.nextInt(4); k > 0; k--) {
                spec.append(rnd.nextBoolean() ? paths[rnd.nextInt(paths.length)] : SPEC[rnd.nextInt(SPEC.length)]);
            }
            String s = spec.toString();
            try {
                read += TrainData.captioned(s, List.of("a photo of a {}."), 1).size() > 0 ? 1 : 0;
            } catch (ClipException | IllegalArgumentException e) {
                assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), s);
            } catch (RuntimeException | Error e) {
                fail("captioned(\"" + s + "\") threw " + e, e);
            }
            try {
                TrainData.labeled(s);
                read++;
            } catch (ClipException | IllegalArgumentException e) {
                assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), s);
            } catch (RuntimeException | Error e) {
                fail("labeled(\"" + s + "\") threw " + e, e);
            }
        }
        assertTrue(read > 20, read + " read");
    }

    private static String pieces(String[] from, Random rnd, int max) {
        StringBuilder sb = new StringBuilder();
        for (int k = 1 + rnd.nextInt(max); k > 0; k--) {
            sb.append(from[rnd.nextInt(from.length)]);
        }
        return sb.toString();
    }
}
