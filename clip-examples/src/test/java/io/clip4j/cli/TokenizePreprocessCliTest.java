package io.clip4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizePreprocessCliTest {
    private static final Path DATA = Path.of(System.getProperty("clip4j.testdata"));
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void tokenizePrintsReferenceIds() throws IOException {
        List<String> lines = Files.readAllLines(DATA.resolve("tokenizer/cases.jsonl"), StandardCharsets.UTF_8);
        JsonNode long1 = null;
        JsonNode plain = JSON.readTree(lines.get(0));
        for (String l : lines) {
            JsonNode c = JSON.readTree(l);
            if (c.get("ids_untruncated_len").asInt() > 77) {
                long1 = c;
                break;
            }
        }
        CliRunner r = CliRunner.run("tokenize", plain.get("text").asText(), long1.get("text").asText());
        assertEquals(0, r.code, r.err);
        String[] out = r.out.strip().split("\n");
        assertEquals(2, out.length);
        JsonNode a = JSON.readTree(out[0]);
        assertEquals(plain.get("text").asText(), a.get("text").asText());
        assertEquals(plain.get("ids"), a.get("ids"));
        assertFalse(a.get("truncated").asBoolean());
        JsonNode b = JSON.readTree(out[1]);
        assertEquals(long1.get("ids"), b.get("ids"));
        assertTrue(b.get("truncated").asBoolean());
    }

    @Test
    void strictModeFailsWithOneLine() throws IOException {
        String text = "a photo ".repeat(60);
        CliRunner r = CliRunner.run("tokenize", "--strict", text);
        assertEquals(ClipCli.EXIT_INPUT, r.code);
        assertEquals(1, r.err.strip().split("\n").length, r.err);
        assertTrue(r.err.contains("122"), "names the token count: " + r.err);
        CliRunner ctx = CliRunner.run("tokenize", "--context-length", "5", "a b c d e f");
        JsonNode ids = JSON.readTree(ctx.out.strip()).get("ids");
        assertEquals(5, ids.size());
        assertEquals(49407, ids.get(4).asInt());
        // Used to print an OutOfMemoryError stack trace.
        CliRunner huge = CliRunner.run("tokenize", "hello", "--context-length", "2147483647");
        assertEquals(ClipCli.EXIT_INPUT, huge.code, huge.err);
        assertEquals(1, huge.err.strip().split("\n").length, huge.err);
        assertTrue(huge.err.contains("context_length must be in [1, 65536], got 2147483647"), huge.err);
        // Texts are tokenized one by one now; strict mode still names the text by its place and prints nothing.
        CliRunner second = CliRunner.run("tokenize", "--strict", "a cat", text);
        assertEquals(ClipCli.EXIT_INPUT, second.code);
        assertTrue(second.err.startsWith("clip: texts[1] \"a photo a photo "), second.err);
        assertEquals("", second.out);
    }

    @Test
    void manyTextsAtALongContextNeedNoBatchInMemory(@TempDir Path tmp) throws Exception {
        // 200 texts at --context-length 65536 were one batch of 100 MB of ids: an OutOfMemoryError stack trace in a
        // 64 MB heap for a command line of a few kilobytes. Each row is printed as it is made.
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin",
                "java").toString(), "-Xmx64m", "-cp", System.getProperty("java.class.path"), ClipCli.class.getName(),
                "tokenize", "--context-length", "65536"));
        for (int i = 0; i < 200; i++) {
            command.add("text " + i);
        }
        Path err = tmp.resolve("err.txt");
        Path out = tmp.resolve("out.jsonl");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean exited = p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly().waitFor();
        }
        assertTrue(exited, "still running after 120 s");
        assertEquals(0, p.exitValue(), Files.readString(err));
        try (java.util.stream.Stream<String> lines = Files.lines(out)) {
            assertEquals(200, lines.count());
        }
        try (java.io.BufferedReader in = Files.newBufferedReader(out)) {
            JsonNode first = JSON.readTree(in.readLine());
            assertEquals("text 0", first.get("text").asText());
            assertEquals(65536, first.get("ids").size());
            assertEquals(49406, first.get("ids").get(0).asInt());
        }
    }

    @Test
    void preprocessWritesReferenceArrays(@TempDir Path tmp) {
        Path out = tmp.resolve("px.npy");
        Path rgb = tmp.resolve("rgb.npy");
        CliRunner r = CliRunner.run("preprocess", "--image", DATA.resolve("preprocess/images/tiny_7x5.png").toString(),
                "--out", out.toString(), "--uint8-out", rgb.toString());
        assertEquals(0, r.code, r.err);
        Npy px = Npy.read(out);
        assertArrayEquals(new long[]{3, 224, 224}, px.shape());
        assertArrayEquals(Npy.read(DATA.resolve("preprocess/ref/tiny_7x5.pixel_values.npy")).toFloatArray(),
                px.toFloatArray(), 1e-6f);
        assertArrayEquals(Npy.read(DATA.resolve("preprocess/ref/tiny_7x5.rgb_u8.npy")).toByteArray(),
                Npy.read(rgb).toByteArray());
    }

    @Test
    void preprocessHelpKeepsTheFileExtensionWhole() {
        // The summary line was 84 columns: picocli broke it inside ".npy", printing "as ." and "npy." on two lines.
        CliRunner r = CliRunner.run("preprocess", "--help");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("\nPreprocess an image as CLIP's reference does; write float32 [3,S,S] as .npy.\n"),
                r.out);
    }

    @Test
    void blankOutputPathsAreRefusedAsTrainRefusesThem(@TempDir Path tmp) {
        // preprocess --out " " wrote a file named " " in the working directory (index --out " " an index there,
        // --model-cache " " downloaded into it), while train refused a blank --out.
        String image = DATA.resolve("preprocess/images/tiny_7x5.png").toString();
        String vit = DATA.resolve("models/tiny-vit").toString();
        for (String blank : new String[]{"", " ", "\t"}) {
            List<String[]> lines = List.of(
                    new String[]{"--out", "preprocess", "--image", image, "--out", blank},
                    new String[]{"--uint8-out", "preprocess", "--image", image, "--out",
                            tmp.resolve("px.npy").toString(), "--uint8-out", blank},
                    new String[]{"--out", "index", "--model", vit, "--images", image, "--no-progress", "--out", blank},
                    new String[]{"--model-cache", "embed", "--model", "ViT-B/32", "--offline", "--model-cache", blank,
                            "--text", "a cat"},
                    // refused with a local model too, as the README says (it was checked only before a download)
                    new String[]{"--model-cache", "embed", "--model", vit, "--model-cache", blank, "--text", "a cat"});
            for (String[] line : lines) {
                CliRunner r = CliRunner.run(java.util.Arrays.copyOfRange(line, 1, line.length));
                assertEquals(ClipCli.EXIT_INPUT, r.code, String.join(" ", line) + ": " + r.err);
                assertEquals("clip: " + line[0] + " is empty", r.err.strip(), String.join(" ", line));
            }
            assertFalse(Files.exists(Path.of(blank).toAbsolutePath().resolve("ViT-B-32.pt")));
        }
        assertFalse(Files.exists(Path.of(" ")), "nothing written in the working directory");
        assertFalse(Files.exists(Path.of("\t")), "nothing written in the working directory");
        assertFalse(Files.exists(tmp.resolve("px.npy")), "nothing written before the refusal");
    }

    @Test
    void blankInputPathsAreRefused(@TempDir Path tmp) {
        // An empty path is the working directory: index --images "$PHOTOS" with PHOTOS unset indexed every image
        // under it (exit 0), zero-shot, embed and bench likewise; the single-file inputs said "a directory".
        String image = DATA.resolve("preprocess/images/tiny_7x5.png").toString();
        String vit = DATA.resolve("models/tiny-vit").toString();
        Path index = tmp.resolve("i.npz");
        CliRunner built = CliRunner.run("index", "--model", vit, "--images", image, "--no-progress",
                "--out", index.toString());
        assertEquals(0, built.code, built.err);
        for (String blank : new String[]{"", " "}) {
            List<String[]> lines = List.of(
                    new String[]{"--images", "index", "--model", vit, "--images", blank, "--no-progress",
                            "--out", tmp.resolve("blank.npz").toString()},
                    new String[]{"--images", "index", "--model", vit, "--images", image, blank, "--no-progress",
                            "--out", tmp.resolve("blank.npz").toString()},
                    new String[]{"--image", "zero-shot", "--model", vit, "--image", blank, "--label", "cat"},
                    new String[]{"--labels-file", "zero-shot", "--model", vit, "--image", image, "--labels-file", blank},
                    new String[]{"--image", "embed", "--model", vit, "--image", blank},
                    new String[]{"--images", "bench", "--model", vit, "--images", blank},
                    new String[]{"--index", "search", "--index", blank, "--text", "a cat"},
                    new String[]{"--image", "search", "--index", index.toString(), "--image", blank},
                    new String[]{"--image", "preprocess", "--image", blank, "--out", tmp.resolve("p.npy").toString()},
                    new String[]{"--captions", "eval", "retrieval", "--model", vit, "--captions", blank},
                    new String[]{"--vocab", "tokenize", "--vocab", blank, "a cat"});
            for (String[] line : lines) {
                CliRunner r = CliRunner.run(java.util.Arrays.copyOfRange(line, 1, line.length));
                assertEquals(ClipCli.EXIT_INPUT, r.code, String.join(" ", line) + ": " + r.err);
                assertEquals("clip: " + line[0] + " is empty", r.err.strip(), String.join(" ", line));
            }
        }
        assertFalse(Files.exists(tmp.resolve("blank.npz")), "no index of the working directory");
    }

    /**
     * An argument the JVM could not decode (under a POSIX locale "é" arrives as U+FFFD U+FFFD) is refused: it was
     * tokenized, classified and searched for as replacement characters, exit 0.
     */
    @Test
    void argumentsTheLocaleCouldNotDecodeAreRefused() {
        CliRunner r = CliRunner.run("tokenize", "caf\uFFFD\uFFFD");
        assertEquals(ClipCli.EXIT_USAGE, r.code, r.out);
        assertEquals("", r.out);
        assertEquals("clip: argument 2 ('caf\uFFFD\uFFFD') holds bytes that the locale's character set ("
                + System.getProperty("sun.jnu.encoding") + ") cannot decode; run with a UTF-8 locale, e.g."
                + " LC_ALL=C.UTF-8", r.err.strip());
        CliRunner ok = CliRunner.run("tokenize", "caf\u00e9");
        assertEquals(0, ok.code, ok.err);
        assertTrue(ok.out.startsWith("{\"text\":\"caf\u00e9\",\"ids\":[49406,"), ok.out);
    }

    @Test
    void usageErrorsNameTheCommandsAndNearMisses() {
        // It said only "Missing required subcommand" and, for a typo, "Unmatched arguments from index 0".
        CliRunner none = CliRunner.run();
        assertEquals(ClipCli.EXIT_USAGE, none.code);
        assertTrue(none.err.startsWith("clip: missing subcommand: tokenize, preprocess, zero-shot,")
                && none.err.strip().endsWith(", eval or train (see 'clip --help')"), none.err);
        CliRunner eval = CliRunner.run("eval");
        assertTrue(eval.err.startsWith("clip: missing subcommand: zero-shot, linear-probe, few-shot or retrieval"),
                eval.err);
        CliRunner typo = CliRunner.run("zeroshot", "--image", "x.png");
        assertEquals(ClipCli.EXIT_USAGE, typo.code);
        assertTrue(typo.err.contains("did you mean zero-shot?"), typo.err);
        assertEquals(1, typo.err.strip().split("\n").length, typo.err);
        assertEquals("clip: unknown command 'serach'; did you mean search? (see 'clip --help')",
                CliRunner.run("serach").err.strip());
        assertEquals("clip: unknown command 'retreival'; did you mean retrieval? (see 'clip eval --help')",
                CliRunner.run("eval", "retreival").err.strip());
        // picocli's letter-pair suggestions: "frob" got "did you mean zero-shot?", "classify" "preprocess".
        assertEquals("clip: unknown command 'frob' (see 'clip --help')", CliRunner.run("frob").err.strip());
        assertEquals("clip: unknown command 'classify' (see 'clip --help')", CliRunner.run("classify").err.strip());
        // "--imag" got "--image-pipeline"; "--txt" nothing.
        CliRunner imag = CliRunner.run("embed", "--imag", "x.png");
        assertEquals(ClipCli.EXIT_USAGE, imag.code);
        assertEquals("clip: Unknown option: '--imag'; did you mean --image? (see 'clip embed --help')",
                imag.err.strip());
        assertEquals("clip: Unknown option: '--txt'; did you mean --text? (see 'clip search --help')",
                CliRunner.run("search", "--txt", "a cat", "--index", "i.npz").err.strip());
        // After a multi-value option there was no hint, and its value was called an unknown option.
        CliRunner lable = CliRunner.run("zero-shot", "--image", "x.png", "--label", "cat", "--lable", "dog");
        assertEquals(ClipCli.EXIT_USAGE, lable.code);
        assertEquals("clip: Unknown option: '--lable'; did you mean --label? (see 'clip zero-shot --help')",
                lable.err.strip());
        assertEquals("clip: Unknown option: '--top_k=3'; did you mean --top-k? (see 'clip zero-shot --help')",
                CliRunner.run("zero-shot", "--image", "x.png", "--label", "cat", "--top_k=3").err.strip());
        assertEquals("clip: Unknown option: '--frobnicate' (see 'clip zero-shot --help')",
                CliRunner.run("zero-shot", "--image", "x.png", "--label", "cat", "--frobnicate").err.strip());
        // An option of zero-shot's --label | --labels-file group given twice was "expected only one match but got
        // (--label=TEXT... [--label=TEXT...]... | --labels-file=FILE)={--labels-file=a.txt} and (...)={...}".
        // No labels at all was "Missing required argument (specify one of these): (--label=TEXT...
        // [--label=TEXT...]... | --labels-file=FILE)".
        CliRunner noLabels = CliRunner.run("zero-shot", "--image", "x.png");
        assertEquals(ClipCli.EXIT_USAGE, noLabels.code);
        assertEquals("clip: Missing required option: give --label or --labels-file (see 'clip zero-shot --help')",
                noLabels.err.strip());
        CliRunner twice = CliRunner.run("zero-shot", "--image", "x.png", "--labels-file", "a.txt", "--labels-file=b.txt");
        assertEquals(ClipCli.EXIT_USAGE, twice.code);
        assertEquals("clip: option '--labels-file' should be specified only once (see 'clip zero-shot --help')",
                twice.err.strip());
    }

    @Test
    void badInputGivesOneLineAndNonZeroExit(@TempDir Path tmp) throws IOException {
        Path junk = tmp.resolve("junk.png");
        Files.write(junk, new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9});
        CliRunner bad = CliRunner.run("preprocess", "--image", junk.toString(), "--out", tmp.resolve("o.npy").toString());
        assertEquals(ClipCli.EXIT_INPUT, bad.code);
        assertEquals(1, bad.err.strip().split("\n").length, bad.err);
        assertTrue(bad.err.startsWith("clip: "), bad.err);
        CliRunner missing = CliRunner.run("preprocess", "--image", tmp.resolve("nope.png").toString(), "--out", "x.npy");
        assertEquals(ClipCli.EXIT_INPUT, missing.code);
        assertTrue(missing.err.contains("not found"), missing.err);
        Path tiny = DATA.resolve("preprocess/images/tiny_7x5.png");
        CliRunner noDir = CliRunner.run("preprocess", "--image", tiny.toString(),
                "--out", tmp.resolve("absent/o.npy").toString());
        assertEquals(ClipCli.EXIT_INPUT, noDir.code);
        assertEquals("clip: directory not found: " + tmp.resolve("absent") + " (for " + tmp.resolve("absent/o.npy") + ")",
                noDir.err.strip());
        // --out or --uint8-out naming the image replaced it with the .npy; both naming one file kept only the last.
        Path image = Files.copy(tiny, tmp.resolve("tiny.png"));
        byte[] before = Files.readAllBytes(image);
        for (String option : new String[]{"--out", "--uint8-out"}) {
            CliRunner same = option.equals("--out")
                    ? CliRunner.run("preprocess", "--image", image.toString(), "--out", image.toString())
                    : CliRunner.run("preprocess", "--image", image.toString(), "--out", tmp.resolve("o.npy").toString(),
                            "--uint8-out", image.toString());
            assertEquals(ClipCli.EXIT_INPUT, same.code, same.err);
            assertEquals("clip: " + option + " " + image + " is an input image; writing it would replace the image"
                    + " (give another file name)", same.err.strip());
        }
        assertArrayEquals(before, Files.readAllBytes(image));
        CliRunner both = CliRunner.run("preprocess", "--image", image.toString(), "--out",
                tmp.resolve("o.npy").toString(), "--uint8-out", tmp.resolve("./o.npy").toString());
        assertEquals(ClipCli.EXIT_INPUT, both.code, both.err);
        assertEquals("clip: --out and --uint8-out name the same file: " + tmp.resolve("o.npy"), both.err.strip());
        // A --uint8-out that cannot be written: nothing is (--out was written, then the run failed).
        Path written = tmp.resolve("first.npy");
        CliRunner half = CliRunner.run("preprocess", "--image", tiny.toString(), "--out", written.toString(),
                "--uint8-out", tmp.resolve("absent/rgb.npy").toString());
        assertEquals(ClipCli.EXIT_INPUT, half.code, half.err);
        assertEquals("clip: directory not found: " + tmp.resolve("absent") + " (for " + tmp.resolve("absent/rgb.npy")
                + ")", half.err.strip());
        assertTrue(!Files.exists(written), "--out is not written when --uint8-out cannot be");
        half = CliRunner.run("preprocess", "--image", tiny.toString(), "--out", written.toString(),
                "--uint8-out", tmp.toString());
        assertEquals(ClipCli.EXIT_INPUT, half.code, half.err);
        assertEquals("clip: a directory, not a file: " + tmp, half.err.strip());
        assertTrue(!Files.exists(written), "--out is not written when --uint8-out names a folder");
        CliRunner huge = CliRunner.run("preprocess", "--image", tiny.toString(), "--size", "16385",
                "--out", tmp.resolve("huge.npy").toString());
        assertEquals(ClipCli.EXIT_INPUT, huge.code, huge.err);
        assertEquals("clip: --size must be in 1..16384, got 16385", huge.err.strip()); // the option, as typed
        CliRunner usage = CliRunner.run("preprocess", "--bogus");
        assertEquals(ClipCli.EXIT_USAGE, usage.code);
        assertEquals(1, usage.err.strip().split("\n").length, usage.err);
        CliRunner verbose = CliRunner.run("--verbose", "preprocess", "--image", junk.toString(), "--out", "o.npy");
        assertTrue(verbose.err.split("\n").length > 1, "stack trace with --verbose");
    }
}
