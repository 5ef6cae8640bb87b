package io.clip4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.ClipModel;
import io.clip4j.data.ImageCaption;
import io.clip4j.data.LabeledDataset;
import io.clip4j.eval.ZeroShotEvaluation;
import io.clip4j.eval.ZeroShotEvaluator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code clip eval ...} end to end with the tiny-vit fixture model on class folders of fixture images. */
class EvalCliTest {
    private static final Path DATA = Path.of(System.getProperty("clip4j.testdata"));
    private static final Path IMAGES = DATA.resolve("preprocess/images");
    private static final String MODEL = DATA.resolve("models/tiny-vit/model.pt").toString();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** root/cat (3 chelsea variants), root/coffee_cup (2 coffee variants), root/person (2 astronaut variants). */
    private static Path classFolders(Path root) throws IOException {
        copy(root, "cat", "chelsea.png", "gray_L.png", "jpeg_q90.jpg");
        copy(root, "coffee_cup", "coffee.png", "rgba_transparent.png");
        copy(root, "person", "astronaut.png", "exact_224x224.png");
        return root;
    }

    private static void copy(Path root, String cls, String... files) throws IOException {
        Files.createDirectories(root.resolve(cls));
        for (String f : files) {
            Files.copy(IMAGES.resolve(f), root.resolve(cls).resolve(f));
        }
    }

    @Test
    void zeroShotJsonMatchesLibrary(@TempDir Path tmp) throws IOException {
        Path test = classFolders(tmp.resolve("test"));
        CliRunner r = CliRunner.run("eval", "zero-shot", "--model", MODEL, "--test", test.toString(),
                "--template", "a photo of a {}.", "--template", "{}", "--batch", "2", "--json");
        assertEquals(0, r.code, r.err);
        JsonNode o = JSON.readTree(r.out);
        assertEquals(2, o.get("template_count").asInt());
        JsonNode acc = o.get("accuracy");
        assertEquals(7, acc.get("n").asInt());
        assertEquals(List.of("cat", "coffee cup", "person"),
                List.of(JSON.treeToValue(acc.get("class_names"), String[].class)));
        assertEquals(1.0, acc.get("top5").asDouble(), "3 classes: top-5 is always right");
        try (ClipModel model = ClipModel.load(Path.of(MODEL))) {
            ZeroShotEvaluation lib = ZeroShotEvaluator.evaluate(model,
                    EvalCommand.readDataset(test.toString(), null), List.of("a photo of a {}.", "{}"), 64);
            assertEquals(lib.accuracy().top1(), acc.get("top1").asDouble(), 1e-12);
        }
        CliRunner text = CliRunner.run("eval", "zero-shot", "--model", MODEL, "--test", test.toString(),
                "--templates", "imagenet80");
        assertEquals(0, text.code, text.err);
        assertTrue(text.out.contains("80 templates") && text.out.contains("top-1"), text.out);
        // Set names are matched like the enum options, case-insensitively; "ImageNet80" and the Java constant's
        // "IMAGENET_80" were "unknown template set".
        for (String name : new String[]{"ImageNet80", "IMAGENET_80"}) {
            CliRunner same = CliRunner.run("eval", "zero-shot", "--model", MODEL, "--test", test.toString(),
                    "--templates", name);
            assertEquals(0, same.code, same.err);
            assertEquals(text.out, same.out);
        }
        CliRunner unknown = CliRunner.run("eval", "zero-shot", "--model", MODEL, "--test", test.toString(),
                "--templates", "imagenet81");
        assertEquals("clip: unknown template set 'imagenet81' (known: imagenet80)", unknown.err.strip());
    }

    @Test
    void linearProbeAndFewShot(@TempDir Path tmp) throws IOException {
        Path train = classFolders(tmp.resolve("train"));
        Path test = classFolders(tmp.resolve("test"));
        CliRunner lp = CliRunner.run("eval", "linear-probe", "--model", MODEL, "--train", train.toString(),
                "--test", test.toString(), "--val-fraction", "0.4", "--json");
        assertEquals(0, lp.code, lp.err);
        JsonNode o = JSON.readTree(lp.out);
        // round(0.4 * 3) = 1 and round(0.4 * 2) = 1 held out per class
        assertEquals(3, o.get("validation_size").asInt());
        assertEquals(7, o.get("train_size").asInt());
        assertTrue(o.get("sweep").size() >= 7, lp.out);
        assertEquals(7, o.get("test").get("n").asInt());

        CliRunner fixed = CliRunner.run("eval", "linear-probe", "--model", MODEL, "--train", train.toString(),
                "--test", test.toString(), "--C", "1000");
        assertEquals(0, fixed.code, fixed.err);
        assertTrue(fixed.out.contains("C = 1000") && fixed.out.contains("top-1 = 100.00%"), fixed.out);
        // --stopping picks scikit-learn's stopping rules (default: before 1.4, the paper's), case-insensitively.
        CliRunner later = CliRunner.run("eval", "linear-probe", "--model", MODEL, "--train", train.toString(),
                "--test", test.toString(), "--C", "1000", "--stopping", "sklearn_1_4");
        assertEquals(0, later.code, later.err);
        assertTrue(later.out.contains("C = 1000"), later.out);
        assertOneLine(CliRunner.run("eval", "few-shot", "--model", MODEL, "--train", train.toString(),
                "--test", test.toString(), "--stopping", "sklearn_1_3"), ClipCli.EXIT_USAGE, "SKLEARN_BEFORE_1_4");

        CliRunner fs = CliRunner.run("eval", "few-shot", "--model", MODEL, "--train", train.toString(),
                "--test", test.toString(), "--k", "1,2", "--seeds", "2", "--json");
        assertEquals(0, fs.code, fs.err);
        JsonNode f = JSON.readTree(fs.out);
        assertEquals(2, f.get("points").size());
        assertEquals(2, f.get("points").get(1).get("k").asInt());
        assertEquals(2, f.get("points").get(0).get("top1_per_seed").size());
        assertTrue(f.get("zero_shot_top1").isNumber(), fs.out);

        CliRunner tooMany = CliRunner.run("eval", "few-shot", "--model", MODEL, "--train", train.toString(),
                "--test", test.toString(), "--k", "3");
        assertEquals(ClipCli.EXIT_INPUT, tooMany.code);
        assertEquals(1, tooMany.err.strip().split("\n").length, tooMany.err);
        assertTrue(tooMany.err.contains("coffee cup"), tooMany.err);
    }

    @Test
    void probeArgumentErrorsComeBeforeEncoding(@TempDir Path tmp) throws IOException {
        // An undecodable training image stops encoding: an argument error reported first proves it was checked
        // before the (possibly hours-long) encoding of the sets, not on their features afterwards.
        Path train = classFolders(tmp.resolve("train"));
        Files.writeString(train.resolve("cat").resolve("broken.png"), "not an image");
        Path test = classFolders(tmp.resolve("test"));
        String[][] cases = {
            {"few-shot", "--k", "0"}, {"few-shot", "--k", "5"}, {"few-shot", "--seeds", "0"},
            {"linear-probe", "--C", "-1"},
        };
        String[] expected = {"--k must be >= 1, got 0", "class 'cat' has 4 training examples, fewer than 5 shots",
            "--seeds must be >= 1, got 0",
            "--C must be positive and finite, with a finite 1/C, got -1.0"};
        for (int i = 0; i < cases.length; i++) {
            CliRunner r = CliRunner.run("eval", cases[i][0], "--model", MODEL, "--train", train.toString(),
                    "--test", test.toString(), cases[i][1], cases[i][2]);
            assertEquals(ClipCli.EXIT_INPUT, r.code, r.err);
            assertTrue(r.err.contains(expected[i]), String.join(" ", cases[i]) + ": " + r.err);
        }
    }

    @Test
    void outOfRangeOptionsAreNamedAsTyped(@TempDir Path tmp) throws IOException {
        // The library's own messages name its parameters (maxIterations, seeds, shots per class, threads ...);
        // the user typed an option, and the message should say which.
        Path train = classFolders(tmp.resolve("train"));
        Path test = classFolders(tmp.resolve("test"));
        String[][] cases = {
            {"linear-probe", "--max-iter", "0", "clip: --max-iter must be >= 1, got 0"},
            {"linear-probe", "--tol", "-1", "clip: --tol must be >= 0 and finite, got -1.0"},
            {"linear-probe", "--val-fraction", "2", "clip: --val-fraction must be in (0, 1), got 2.0"},
            {"linear-probe", "--C", "-1", "clip: --C must be positive and finite, with a finite 1/C, got -1.0"},
            {"few-shot", "--max-iter", "0", "clip: --max-iter must be >= 1, got 0"},
            {"few-shot", "--seeds", "0", "clip: --seeds must be >= 1, got 0"},
            {"few-shot", "--k", "1,0", "clip: --k must be >= 1, got 0"},
            {"linear-probe", "--threads", "-1", "clip: --threads must be in [0, "},
        };
        for (String[] c : cases) {
            CliRunner r = CliRunner.run("eval", c[0], "--model", MODEL, "--train", train.toString(),
                    "--test", test.toString(), c[1], c[2]);
            assertEquals(ClipCli.EXIT_INPUT, r.code, r.err);
            assertTrue(r.err.startsWith(c[3]), String.join(" ", c) + ": " + r.err);
        }
        CliRunner threads = CliRunner.run("eval", "zero-shot", "--model", MODEL, "--test", test.toString(),
                "--threads", String.valueOf(ClipModel.Builder.maxThreads() + 1));
        assertEquals(ClipCli.EXIT_INPUT, threads.code, threads.err);
        assertEquals("clip: --threads must be in [0, " + ClipModel.Builder.maxThreads() + "] (4 per core), got "
                + (ClipModel.Builder.maxThreads() + 1), threads.err.strip());
    }

    /** Six 8x8 gray images in MNIST format, labels 0,1,2,0,1,2, classes from a names file. */
    private static String idxSpec(Path dir) throws IOException {
        int n = 6;
        java.nio.ByteBuffer img = java.nio.ByteBuffer.allocate(16 + n * 64);
        img.putInt(0x803).putInt(n).putInt(8).putInt(8);
        java.nio.ByteBuffer lab = java.nio.ByteBuffer.allocate(8 + n);
        lab.putInt(0x801).putInt(n);
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 64; p++) {
                img.put((byte) ((p * (i + 1) * 7) & 0xff));
            }
            lab.put((byte) (i % 3));
        }
        Files.write(dir.resolve("images.idx"), img.array());
        Files.write(dir.resolve("labels.idx"), lab.array());
        Files.writeString(dir.resolve("names.txt"), "cat\ncoffee cup\nperson\n");
        return "idx:" + dir.resolve("images.idx") + "," + dir.resolve("labels.idx") + "," + dir.resolve("names.txt");
    }

    @Test
    void idxDatasetsAndTrainLimit(@TempDir Path tmp) throws IOException {
        String idx = idxSpec(tmp);
        CliRunner zs = CliRunner.run("eval", "zero-shot", "--model", MODEL, "--test", idx, "--json");
        assertEquals(0, zs.code, zs.err);
        JsonNode acc = JSON.readTree(zs.out).get("accuracy");
        assertEquals(6, acc.get("n").asInt());
        assertEquals(List.of("cat", "coffee cup", "person"),
                List.of(JSON.treeToValue(acc.get("class_names"), String[].class)));

        // the class-folder test set has the same three classes, so labels agree
        Path test = classFolders(tmp.resolve("test"));
        CliRunner lp = CliRunner.run("eval", "linear-probe", "--model", MODEL, "--train", idx, "--train-limit", "4",
                "--test", test.toString(), "--C", "1", "--json");
        assertEquals(0, lp.code, lp.err);
        JsonNode o = JSON.readTree(lp.out);
        assertEquals(4, o.get("train_size").asInt());
        assertEquals(7, o.get("test_size").asInt());

        assertOneLine(CliRunner.run("eval", "zero-shot", "--model", MODEL, "--test", "idx:" + tmp.resolve("images.idx")),
                ClipCli.EXIT_INPUT, "IMAGES,LABELS,NAMES");
        // NAMES: a set's name in Python's spelling too, and a missing file says what else NAMES may be.
        String images = "idx:" + tmp.resolve("images.idx") + "," + tmp.resolve("labels.idx") + ",";
        CliRunner underscore = CliRunner.run("eval", "zero-shot", "--model", MODEL, "--test", images + "fashion_mnist",
                "--json");
        assertEquals(0, underscore.code, underscore.err);
        assertEquals("T-shirt/top", JSON.readTree(underscore.out).get("accuracy").get("class_names").get(0).asText());
        CliRunner typo = CliRunner.run("eval", "zero-shot", "--model", MODEL, "--test", images + "fasion-mnist");
        assertEquals("clip: class names file fasion-mnist: file not found (NAMES is fashion-mnist, mnist or a file"
                + " with one class name per line)", typo.err.strip());
        assertOneLine(CliRunner.run("eval", "few-shot", "--model", MODEL, "--train", idx, "--train-limit", "0",
                "--test", test.toString()), ClipCli.EXIT_INPUT, "--train-limit");
    }

    @Test
    void testLimitKeepsTheFirstTestExamples(@TempDir Path tmp) throws IOException {
        String idx = idxSpec(tmp);
        CliRunner zs = CliRunner.run("eval", "zero-shot", "--model", MODEL, "--test", idx, "--test-limit", "4",
                "--json");
        assertEquals(0, zs.code, zs.err);
        JsonNode acc = JSON.readTree(zs.out).get("accuracy");
        assertEquals(4, acc.get("n").asInt());
        try (ClipModel model = ClipModel.load(Path.of(MODEL))) {
            LabeledDataset all = EvalCommand.readDataset(idx, null);
            LabeledDataset first = new LabeledDataset(all.name(), all.classNames(), all.examples().subList(0, 4));
            ZeroShotEvaluation lib = ZeroShotEvaluator.evaluate(model, first, List.of("a photo of a {}."), 64);
            assertEquals(lib.accuracy().top1(), acc.get("top1").asDouble(), 1e-12);
        }
        Path train = classFolders(tmp.resolve("train"));
        CliRunner lp = CliRunner.run("eval", "linear-probe", "--model", MODEL, "--train", train.toString(),
                "--test", idx, "--test-limit", "5", "--C", "1", "--json");
        assertEquals(0, lp.code, lp.err);
        assertEquals(7, JSON.readTree(lp.out).get("train_size").asInt());
        assertEquals(5, JSON.readTree(lp.out).get("test_size").asInt());
        CliRunner fs = CliRunner.run("eval", "few-shot", "--model", MODEL, "--train", train.toString(),
                "--test", idx, "--test-limit", "2", "--k", "1", "--seeds", "1", "--json");
        assertEquals(0, fs.code, fs.err);
        assertEquals(2, JSON.readTree(fs.out).get("test_size").asInt(), fs.out);
        // a limit above the set's size keeps it all
        CliRunner big = CliRunner.run("eval", "zero-shot", "--model", MODEL, "--test", idx, "--test-limit", "100",
                "--json");
        assertEquals(6, JSON.readTree(big.out).get("accuracy").get("n").asInt(), big.err);
        for (String cmd : new String[]{"zero-shot", "linear-probe", "few-shot"}) {
            CliRunner bad = CliRunner.run("eval", cmd, "--model", MODEL, "--train", idx, "--test", idx,
                    "--test-limit", "0");
            if (cmd.equals("zero-shot")) {
                bad = CliRunner.run("eval", cmd, "--model", MODEL, "--test", idx, "--test-limit", "0");
            }
            assertEquals(ClipCli.EXIT_INPUT, bad.code, cmd + ": " + bad.err);
            assertEquals("clip: --test-limit must be >= 1, got 0", bad.err.strip(), cmd);
        }
    }

    @Test
    void retrievalFromCaptionsCsv(@TempDir Path tmp) throws IOException {
        Path csv = tmp.resolve("captions.csv");
        Files.copy(IMAGES.resolve("chelsea.png"), tmp.resolve("cat.png"));
        Files.copy(IMAGES.resolve("coffee.png"), tmp.resolve("coffee.png"));
        Files.writeString(csv, "path,caption\ncat.png,a cat\ncoffee.png,\"a cup, with coffee\"\ncat.png,a tabby\n",
                StandardCharsets.UTF_8);
        CliRunner r = CliRunner.run("eval", "retrieval", "--model", MODEL, "--captions", csv.toString(), "--json");
        assertEquals(0, r.code, r.err);
        JsonNode o = JSON.readTree(r.out);
        assertEquals(2, o.get("images").asInt());
        assertEquals(3, o.get("texts").asInt());
        assertEquals(1.0, o.get("image_to_text").get("r5").asDouble());
        CliRunner text = CliRunner.run("eval", "retrieval", "--model", MODEL, "--captions", csv.toString());
        assertTrue(text.out.contains("image->text"), text.out);
        // A byte-order mark (as spreadsheet programs write) before the header: it was read as a line whose image,
        // "\uFEFFpath", was not found.
        Files.writeString(csv, "\uFEFFpath,caption\ncat.png,a cat\ncoffee.png,a cup\n", StandardCharsets.UTF_8);
        List<ImageCaption> pairs = EvalCommand.readCaptions(csv);
        assertEquals(List.of("a cat", "a cup"), pairs.stream().map(ImageCaption::caption).toList());
    }

    @Test
    void retrievalReadsTheCaptionFormatsOfTraining(@TempDir Path tmp) throws IOException {
        Files.copy(IMAGES.resolve("chelsea.png"), tmp.resolve("cat.png"));
        Files.copy(IMAGES.resolve("coffee.png"), tmp.resolve("coffee.png"));
        // JSONL, as train --data reads; "./cat.png" and "cat.png" are one image with two captions.
        Path jsonl = tmp.resolve("captions.jsonl");
        Files.writeString(jsonl, "{\"image\": \"cat.png\", \"caption\": \"a cat\"}\n"
                + "{\"image\": \"coffee.png\", \"caption\": \"a cup\"}\n"
                + "{\"image\": \"./cat.png\", \"caption\": \"a tabby\"}\n", StandardCharsets.UTF_8);
        CliRunner r = CliRunner.run("eval", "retrieval", "--model", MODEL, "--captions", jsonl.toString(), "--json");
        assertEquals(0, r.code, r.err);
        JsonNode o = JSON.readTree(r.out);
        assertEquals(2, o.get("images").asInt());
        assertEquals(3, o.get("texts").asInt());
        // Extra columns, in any order, as in training CSVs; a quoted caption spanning two lines.
        Path csv = tmp.resolve("captions.csv");
        Files.writeString(csv, "id,caption,path\n1,\"a cat\non a rug\",cat.png\n2,a cup,coffee.png\n",
                StandardCharsets.UTF_8);
        List<ImageCaption> pairs = EvalCommand.readCaptions(csv);
        assertEquals(List.of("a cat\non a rug", "a cup"), pairs.stream().map(ImageCaption::caption).toList());
        assertEquals(tmp.resolve("coffee.png").toAbsolutePath().toString(), pairs.get(1).image().toString());
    }

    @Test
    void badInputGivesOneLine(@TempDir Path tmp) throws IOException {
        Path train = classFolders(tmp.resolve("train"));
        Path other = tmp.resolve("other");
        copy(other, "dog", "horse.png");
        assertOneLine(CliRunner.run("eval", "linear-probe", "--model", MODEL, "--train", train.toString(),
                "--test", other.toString()), ClipCli.EXIT_INPUT, "differ");
        assertOneLine(CliRunner.run("eval", "zero-shot", "--model", MODEL, "--test", tmp.resolve("nope").toString()),
                ClipCli.EXIT_INPUT, "not found");
        assertOneLine(CliRunner.run("eval", "zero-shot", "--model", MODEL, "--test", train.toString(),
                "--templates", "bogus"), ClipCli.EXIT_INPUT, "bogus");
        assertOneLine(CliRunner.run("eval", "zero-shot", "--model", MODEL, "--test", train.toString(),
                "--template", "no placeholder"), ClipCli.EXIT_INPUT, "placeholder");
        Path csv = tmp.resolve("c.csv");
        Files.writeString(csv, "path,caption\nmissing.png,a caption\n");
        assertOneLine(CliRunner.run("eval", "retrieval", "--model", MODEL, "--captions", csv.toString()),
                ClipCli.EXIT_INPUT, "c.csv: record 2: image not found");
        Files.writeString(csv, "missing.png,a caption\n"); // the header is required, as for train --data
        assertOneLine(CliRunner.run("eval", "retrieval", "--model", MODEL, "--captions", csv.toString()),
                ClipCli.EXIT_INPUT, "first line must be a header");
        Files.writeString(csv, "path,caption\n");
        assertOneLine(CliRunner.run("eval", "retrieval", "--model", MODEL, "--captions", csv.toString()),
                ClipCli.EXIT_INPUT, "no image-caption pairs");
        assertOneLine(CliRunner.run("eval", "retrieval", "--model", MODEL, "--captions",
                tmp.resolve("none.csv").toString()), ClipCli.EXIT_INPUT, "captions file not found");
        // The first missing file written, not the class names file read first.
        assertOneLine(CliRunner.run("eval", "zero-shot", "--model", MODEL, "--test", "idx:" + tmp.resolve("a") + ","
                + tmp.resolve("b") + "," + tmp.resolve("c")), ClipCli.EXIT_INPUT, "images file not found: "
                + tmp.resolve("a"));
        assertOneLine(CliRunner.run("eval", "zero-shot", "--model", MODEL, "--test", "folder:"),
                ClipCli.EXIT_INPUT, "names no file or folder");
        assertOneLine(CliRunner.run("eval", "zero-shot", "--model", MODEL, "--test", csv.toString()),
                ClipCli.EXIT_INPUT, "dataset is not a folder of class folders: " + csv);
        assertOneLine(CliRunner.run("eval"), ClipCli.EXIT_USAGE, "subcommand");
        assertOneLine(CliRunner.run("eval", "few-shot", "--bogus"), ClipCli.EXIT_USAGE, "clip eval few-shot --help");
    }

    private static void assertOneLine(CliRunner r, int code, String needle) {
        assertEquals(code, r.code, r.err);
        assertEquals(1, r.err.strip().split("\n").length, r.err);
        assertTrue(r.err.startsWith("clip: ") && r.err.contains(needle), r.err);
    }
}
