package io.clip4j.cli;

import io.clip4j.Activation;
import io.clip4j.ClipConfig;
import io.clip4j.ClipModel;
import io.clip4j.checkpoint.OpenClipFixture;
import io.clip4j.checkpoint.SafetensorsWriter;
import io.clip4j.checkpoint.TensorData;
import io.clip4j.pretrained.PretrainedModels;
import io.clip4j.train.CheckpointPrecision;
import io.clip4j.train.TrainableClip;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainCommandTest {
    @Test
    void theHelpsExampleRunsAsPrintedAndTheDataFormsAreWholeLines() {
        // picocli broke the example's one long line inside the --data value: copied as printed, it ran as two
        // commands. (The data forms' lines had been wrapped the same way, leaving "(class folders) |" alone.)
        CliRunner r = CliRunner.run("train", "--help");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("Example: clip train --config vit-tiny --epochs 5 --out runs/fm \\\n"
                + "  --data idx:train-images-idx3-ubyte.gz,train-labels-idx1-ubyte.gz,fashion-mnist\n"), r.out);
        assertTrue(r.out.contains("\n      | folder:DIR (class folders; a folder needs the prefix) |\n"), r.out);
    }

    private static final Path IMAGES = Path.of(System.getProperty("clip4j.testdata")).resolve("preprocess/images");

    private static Path captions(Path dir) throws IOException {
        Path csv = dir.resolve("captions.csv");
        Files.writeString(csv, "path,caption\n"
                + IMAGES.resolve("chelsea.png") + ",\"a cat, lying down\"\n"
                + IMAGES.resolve("coffee.png") + ",a cup of coffee\n"
                + IMAGES.resolve("astronaut.png") + ",an astronaut\n"
                + IMAGES.resolve("horse.png") + ",a horse\n");
        return csv;
    }

    @Test
    void trainsWritesALoadableModelMetricsAndResumes(@TempDir Path dir) throws IOException {
        Path csv = captions(dir);
        Path out = dir.resolve("run");
        CliRunner r = CliRunner.run("train", "--config", "vit-tiny", "--data", csv.toString(), "--steps", "4",
                "--batch", "2", "--checkpoint-every", "2", "--augment", "--no-progress", "--out", out.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("done: 4 steps"), r.out);
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(4, metrics.stream().filter(l -> l.contains("\"loss\"")).count());
        try (ClipModel m = ClipModel.load(out.resolve("model.safetensors"))) {
            assertEquals(new ClipConfig(64, 32, new int[]{2}, 64, 8, 16, 49408, 64, 1, 1, 1), m.config());
        }
        // What a Ctrl-C while the model or the state's weights were written left behind: a full copy each time.
        Path staleModel = Files.write(out.resolve("model.safetensors.1f2e3d4c5b6a7980.tmp"), new byte[8]);
        Path staleState = Files.write(out.resolve("state/weights.safetensors.new.1f2e3d4c5b6a7980.tmp"), new byte[8]);
        // The same command line with --resume continues from the saved step (here: the end, nothing left) ...
        CliRunner again = CliRunner.run("train", "--config", "vit-tiny", "--data", csv.toString(), "--steps", "4",
                "--batch", "2", "--augment", "--no-progress", "--resume", out.toString(), "--out", out.toString());
        assertEquals(0, again.code, again.err);
        assertTrue(again.out.contains("resumed at step 4 of 4"), again.out);
        // It said "done: 4 steps, last loss NaN, 0.0 images/s", which read as a diverged run.
        assertTrue(again.out.contains("done: nothing left to train (the saved state had completed all 4 steps)"),
                again.out);
        assertFalse(again.out.contains("NaN"), again.out);
        assertFalse(Files.exists(staleModel), "the next export deletes it");
        assertFalse(Files.exists(staleState), "the next save deletes it");
        // ... and other options (another schedule length) are refused.
        CliRunner other = CliRunner.run("train", "--config", "vit-tiny", "--data", csv.toString(), "--steps", "6",
                "--batch", "2", "--no-progress", "--resume", out.toString(), "--out", out.toString());
        assertEquals(ClipCli.EXIT_INPUT, other.code);
        // It named the difference, not both option sets in full (ten fields each) for the reader to compare.
        assertEquals("clip: " + out.resolve("state") + ": cannot resume training state: the saved run used other"
                + " options: totalSteps 4, this run 6", other.err.strip());
    }

    @Test
    void anEmptyPathIsRefusedNotTheWorkingDirectory(@TempDir Path dir) throws IOException {
        // Found by fuzzing the CLI: --out "" (e.g. --out "$OUT" with OUT unset) is Path.of(""), the working
        // directory: the run wrote model.safetensors, run.json and state/ there and exited 0.
        Path csv = captions(dir);
        for (String opt : new String[]{"--out", "--init", "--resume"}) {
            for (String blank : new String[]{"", " "}) {
                List<String> args = new ArrayList<>(List.of("train", "--data", csv.toString(), "--steps",
                        "1", "--batch", "2", "--no-progress"));
                if (!opt.equals("--out")) {
                    args.addAll(List.of("--out", dir.resolve("run").toString()));
                }
                args.addAll(List.of(opt, blank));
                CliRunner r = CliRunner.run(args.toArray(String[]::new));
                assertEquals(ClipCli.EXIT_INPUT, r.code, opt + " '" + blank + "': " + r.err);
                assertEquals("clip: " + opt + " is empty", r.err.strip());
            }
        }
        assertFalse(Files.exists(Path.of("run.json")), "nothing written in the working directory");
        assertFalse(Files.exists(dir.resolve("run")), "nothing written");
    }

    @Test
    void aSecondRunInAnOutputFolderInUseIsRefused(@TempDir Path dir) throws IOException {
        // Two runs at once in one --out replaced each other's staged state: one failed with "cannot save training
        // state: ... NoSuchFileException", and the folder mixed one run's run.json with the other's model.
        Path csv = captions(dir);
        Path out = Files.createDirectory(dir.resolve("run"));
        String[] args = {"train", "--data", csv.toString(), "--steps", "1", "--batch", "2", "--no-progress", "--out",
            out.toString()};
        try (java.nio.channels.FileChannel running = java.nio.channels.FileChannel.open(out.resolve(".clip-train.lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock held = running.lock()) {
            CliRunner second = CliRunner.run(args);
            assertEquals(ClipCli.EXIT_INPUT, second.code, second.err);
            assertEquals("clip: --out " + out + ": another clip train is writing there; wait for it to end, or give"
                    + " another --out", second.err.strip());
            assertFalse(Files.exists(out.resolve("run.json")), "nothing written");
        }
        CliRunner after = CliRunner.run(args); // released when the run holding it ends
        assertEquals(0, after.code, after.err);
        assertEquals(0, CliRunner.run(args).code, "a run releases it when it ends");
        // A --resume of a folder whose run is still going leaves its save alone: what looks like a save stopped
        // between its moves is one in progress (it was "completed" before the lock refused the resumed run).
        Path state = out.resolve("state");
        Files.move(state.resolve("trainer.json"), state.resolve("trainer.json.new"));
        String[] resume = {"train", "--data", csv.toString(), "--steps", "1", "--batch", "2", "--no-progress",
            "--resume", out.toString(), "--out", out.toString()};
        try (java.nio.channels.FileChannel running = java.nio.channels.FileChannel.open(out.resolve(".clip-train.lock"),
                java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock held = running.lock()) {
            CliRunner busy = CliRunner.run(resume);
            assertEquals(ClipCli.EXIT_INPUT, busy.code, busy.err);
            assertEquals("clip: --resume " + out + ": another clip train is writing there; wait for it to end",
                    busy.err.strip());
            assertTrue(Files.exists(state.resolve("trainer.json.new")) && !Files.exists(state.resolve("trainer.json")),
                    "the running run's save is left as it is");
        }
        CliRunner resumed = CliRunner.run(resume);
        assertEquals(0, resumed.code, resumed.err);
        assertTrue(resumed.out.contains("completed the interrupted save of step 1"), resumed.out);
    }

    @Test
    void metricsHoldOneLinePerStepOfOneRun(@TempDir Path dir) throws IOException {
        // metrics.jsonl was appended to: a run repeated in the same --out followed the earlier run's lines (step 1
        // twice), and a resumed run listed the steps after the saved state twice.
        Path csv = captions(dir);
        Path out = dir.resolve("run");
        String[] args = {"train", "--data", csv.toString(), "--steps", "4", "--batch", "2", "--checkpoint-every", "2",
            "--no-progress", "--out", out.toString()};
        assertEquals(0, CliRunner.run(args).code);
        CliRunner repeated = CliRunner.run(args);
        assertEquals(0, repeated.code, repeated.err);
        List<String> fresh = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(List.of(1L, 2L, 2L, 3L, 4L, 4L), steps(fresh));
        assertEquals(List.of(2L, 4L), steps(fresh.stream().filter(l -> l.contains("\"checkpoint\"")).toList()));
        // As if killed after step 4's line but before its state was saved: the state says 2 steps.
        Path json = out.resolve("state/trainer.json");
        Files.writeString(json, Files.readString(json).replace("\"completed_steps\" : 4", "\"completed_steps\" : 2"));
        Files.writeString(out.resolve("metrics.jsonl"), String.join("\n", fresh.subList(0, 5)) + "\n{\"step\":5,\"lo",
                java.nio.charset.StandardCharsets.UTF_8); // a last line cut short by the kill
        List<String> resumeArgs = new java.util.ArrayList<>(List.of(args));
        resumeArgs.addAll(List.of("--resume", out.toString()));
        CliRunner resumed = CliRunner.run(resumeArgs.toArray(new String[0]));
        assertEquals(0, resumed.code, resumed.err);
        assertTrue(resumed.out.contains("resumed at step 2 of 4"), resumed.out);
        List<String> log = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(List.of(1L, 2L, 2L, 3L, 4L, 4L), steps(log));
        assertEquals(fresh.subList(0, 3), log.subList(0, 3)); // the lines up to the saved state are kept as they were
        assertEquals(4, log.stream().filter(l -> l.contains("\"loss\"")).count());
    }

    private static List<Long> steps(List<String> metricsLines) throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<Long> steps = new java.util.ArrayList<>();
        for (String line : metricsLines) {
            steps.add(json.readTree(line).get("step").asLong());
        }
        return steps;
    }

    @Test
    void aResumeWithAnotherSeedBatchOrTemplateIsRefused(@TempDir Path dir) throws IOException {
        // Only the optimiser options were compared: --seed 9 or --batch 4 resumed silently on another data order.
        Path csv = captions(dir);
        Path out = dir.resolve("run");
        CliRunner r = CliRunner.run("train", "--data", csv.toString(), "--steps", "4", "--batch", "2",
                "--checkpoint-every", "2", "--no-progress", "--out", out.toString());
        assertEquals(0, r.code, r.err);
        Path json = out.resolve("state/trainer.json");
        Files.writeString(json, Files.readString(json).replace("\"completed_steps\" : 4", "\"completed_steps\" : 2"));
        String[][] others = {{"--batch", "2", "--seed", "9"}, {"--batch", "4"}, {"--batch", "2", "--template", "a {}"},
            {"--batch", "2", "--augment"}};
        String[] keys = {"seed", "batch", "templates", "augment"};
        for (int i = 0; i < others.length; i++) {
            List<String> args = new ArrayList<>(List.of("train", "--data", csv.toString(), "--steps", "4",
                    "--no-progress", "--resume", out.toString(), "--out", out.toString()));
            args.addAll(List.of(others[i]));
            CliRunner again = CliRunner.run(args.toArray(new String[0]));
            assertEquals(ClipCli.EXIT_INPUT, again.code, again.err);
            assertTrue(again.err.contains("the saved run had " + keys[i]), again.err);
        }
        // another thread count only changes the last bits: accepted
        CliRunner threads = CliRunner.run("train", "--data", csv.toString(), "--steps", "4", "--batch", "2",
                "--threads", "2", "--no-progress", "--resume", out.toString(), "--out", out.toString());
        assertEquals(0, threads.code, threads.err);
        assertTrue(threads.out.contains("resumed at step 2 of 4"), threads.out);
    }

    @Test
    void outOfRangeOptionsAreNamed(@TempDir Path dir) throws IOException {
        // The library's checks named no option: --epochs 0 said "need warmup >= 0 and total steps > 0, got warmup 0,
        // total 0", --wd -1 "bad optimiser setting: weight decay -1.0, betas (0.9, 0.98), eps 1.0E-6, ...".
        Path csv = captions(dir);
        String[][] cases = {{"--steps", "0"}, {"--epochs", "0"}, {"--warmup", "-5"}, {"--wd", "-1"},
            {"--grad-clip", "-1"}, {"--eval-every", "-1"}, {"--checkpoint-every", "-2"}, {"--threads", "0"},
            {"--threads", "100000"}, {"--augment", "2"}, {"--batch", "1"}, {"--lr", "0"}, {"--lr", "NaN"}};
        String[] expected = {"--steps must be >= 1, got 0", "--epochs must be >= 1, got 0",
            "--warmup must be >= 0, got -5", "--wd must be >= 0 and finite, got -1.0",
            "--grad-clip must be >= 0 (0 = off), got -1.0", "--eval-every must be >= 0 (0 = at the end), got -1",
            "--checkpoint-every must be >= 0 (0 = at the end), got -2",
            "--threads must be in [1, " + io.clip4j.ClipModel.Builder.maxThreads() + "], got 0",
            "--threads must be in [1, " + io.clip4j.ClipModel.Builder.maxThreads() + "], got 100000",
            "--augment MIN_SCALE must be in (0, 1] (the smallest share of the image a crop covers), got 2.0",
            "--batch must be >= 2 (a contrastive batch needs negatives), got 1", "--lr must be > 0 and finite, got 0.0",
            "--lr must be > 0 and finite, got NaN"};
        for (int i = 0; i < cases.length; i++) {
            Path out = dir.resolve("run" + i);
            List<String> args = new ArrayList<>(List.of("train", "--data", csv.toString(), "--no-progress", "--out",
                    out.toString(), cases[i][0], cases[i][1]));
            if (!cases[i][0].equals("--batch")) {
                args.addAll(List.of("--batch", "2"));
            }
            CliRunner r = CliRunner.run(args.toArray(new String[0]));
            assertEquals(ClipCli.EXIT_INPUT, r.code, r.err);
            assertEquals("clip: " + expected[i], r.err.strip());
            assertFalse(Files.exists(out), "nothing written for " + cases[i][0]);
        }
    }

    @Test
    void evalTakesAFolderOfClassFoldersAsEvalDoes(@TempDir Path dir) throws IOException {
        // train --eval DIR was refused with "cannot tell the kind of --data 'DIR'", naming the wrong option, while
        // clip eval --test DIR takes the same folder.
        Path csv = captions(dir);
        Path classes = dir.resolve("classes");
        for (String[] c : new String[][]{{"cat", "chelsea.png"}, {"cup", "coffee.png"}}) {
            Files.createDirectories(classes.resolve(c[0]));
            Files.copy(IMAGES.resolve(c[1]), classes.resolve(c[0]).resolve(c[1]));
        }
        CliRunner r = CliRunner.run("train", "--data", csv.toString(), "--steps", "1", "--batch", "2", "--eval",
                classes.toString(), "--no-progress", "--out", dir.resolve("run").toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("zero_shot_top1/classes = "), r.out);
        CliRunner notLabelled = CliRunner.run("train", "--data", csv.toString(), "--steps", "1", "--batch", "2",
                "--eval", csv.toString(), "--no-progress", "--out", dir.resolve("run2").toString());
        assertEquals(ClipCli.EXIT_INPUT, notLabelled.code, notLabelled.err);
        assertEquals("clip: a labelled set (DIR or folder:DIR of class folders, or idx:IMAGES,LABELS,NAMES) is needed,"
                + " got '" + csv + "'", notLabelled.err.strip());
        CliRunner missing = CliRunner.run("train", "--data", csv.toString(), "--steps", "1", "--batch", "2",
                "--eval", dir.resolve("nope").toString(), "--no-progress", "--out", dir.resolve("run3").toString());
        assertEquals(ClipCli.EXIT_INPUT, missing.code, missing.err);
        assertTrue(missing.err.strip().endsWith("got '" + dir.resolve("nope") + "' (no such folder)"), missing.err);
    }

    @Test
    void anUndecodableTrainingImageNamesTheOptionThatSkipsIt(@TempDir Path dir) throws IOException {
        // The error named the file only; --skip-bad-images, which lets the run go on, was left to be found in --help.
        Path broken = Files.write(dir.resolve("broken.png"), new byte[0]);
        Path csv = dir.resolve("captions.csv");
        Files.writeString(csv, "path,caption\n" + IMAGES.resolve("chelsea.png") + ",a cat\n" + broken + ",nothing\n");
        CliRunner r = CliRunner.run("train", "--data", csv.toString(), "--steps", "1", "--batch", "2",
                "--no-progress", "--out", dir.resolve("run").toString());
        assertEquals(ClipCli.EXIT_INPUT, r.code, r.err);
        assertTrue(r.err.contains(broken + ": empty file; "), r.err);
        assertTrue(r.err.strip().endsWith("; --skip-bad-images replaces unusable training images by the next usable"
                + " example"), r.err);
        CliRunner skipping = CliRunner.run("train", "--data", csv.toString(), "--steps", "1", "--batch", "2",
                "--no-progress", "--skip-bad-images", "--out", dir.resolve("run2").toString());
        assertEquals(0, skipping.code, skipping.err);
    }

    @Test
    void anEvaluationThatFailsKeepsTheTrainedStateAndModel(@TempDir Path dir) throws IOException {
        // The final evaluation ran before the save: an unreadable image in --eval ended a finished run with neither
        // state/ nor model.safetensors, so every step was lost; a periodic one took the same step's checkpoint.
        Path csv = captions(dir);
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes.resolve("cat"));
        Files.copy(IMAGES.resolve("chelsea.png"), classes.resolve("cat/chelsea.png"));
        Files.createDirectories(classes.resolve("cup"));
        Files.write(classes.resolve("cup/broken.png"), new byte[0]);
        Path out = dir.resolve("run");
        CliRunner r = CliRunner.run("train", "--data", csv.toString(), "--steps", "2", "--batch", "2", "--eval",
                classes.toString(), "--no-progress", "--out", out.toString());
        assertEquals(ClipCli.EXIT_INPUT, r.code, r.err);
        assertTrue(r.err.contains("broken.png: empty file"), r.err);
        // --skip-bad-images replaces training images only: naming it here would send the user the wrong way.
        assertFalse(r.err.contains("--skip-bad-images"), r.err);
        assertTrue(r.err.startsWith("clip: --eval " + classes + ": "), r.err);
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
        assertTrue(Files.readString(out.resolve("state/trainer.json")).contains("\"completed_steps\" : 2"));
        Path periodic = dir.resolve("periodic");
        CliRunner p = CliRunner.run("train", "--data", csv.toString(), "--steps", "3", "--batch", "2", "--eval",
                classes.toString(), "--eval-every", "1", "--checkpoint-every", "1", "--no-progress", "--out",
                periodic.toString());
        assertEquals(ClipCli.EXIT_INPUT, p.code, p.err);
        assertTrue(Files.readString(periodic.resolve("state/trainer.json")).contains("\"completed_steps\" : 1"));
    }

    @Test
    void anFp16OverflowSaysTheStateIsSavedAndAResumeInFp32WritesTheModel(@TempDir Path dir) throws IOException {
        // The refusal said "write float32 instead (train: --precision fp32)", which read as training again.
        ClipConfig c = new ClipConfig(64, 32, new int[]{2}, 64, 8, 16, 49408, 64, 1, 1, 1);
        Map<String, TensorData> weights;
        try (TrainableClip m = TrainableClip.initialize(c, 4)) {
            weights = new LinkedHashMap<>(m.toTensorData(CheckpointPrecision.FLOAT32));
        }
        float[] proj = weights.get("text_projection").toFloatArray();
        proj[0] = 1e6f; // far beyond 65504, and a tiny learning rate keeps it there
        weights.put("text_projection", SafetensorsWriter.float32(proj, weights.get("text_projection").shape()));
        Path init = dir.resolve("big.safetensors");
        SafetensorsWriter.write(init, weights, Map.of());
        Path out = dir.resolve("run");
        List<String> args = new ArrayList<>(List.of("train", "--init", init.toString(), "--data",
                captions(dir).toString(), "--steps", "1", "--batch", "2", "--lr", "1e-9", "--no-progress", "--out",
                out.toString()));
        List<String> half = new ArrayList<>(args);
        half.addAll(List.of("--precision", "fp16"));
        CliRunner r = CliRunner.run(half.toArray(new String[0]));
        assertEquals(ClipCli.EXIT_INPUT, r.code, r.err);
        assertTrue(r.err.contains("beyond float16's range") && r.err.contains("the training state in "
                + out.resolve("state") + " is saved: resume it with float32 precision (train: --resume)"), r.err);
        assertFalse(Files.exists(out.resolve("model.safetensors")));
        args.addAll(List.of("--precision", "fp32", "--resume", out.toString()));
        CliRunner resumed = CliRunner.run(args.toArray(new String[0]));
        assertEquals(0, resumed.code, resumed.err);
        assertTrue(resumed.out.contains("nothing left to train"), resumed.out);
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
    }

    @Test
    void anInitWithAConfigIsRefused(@TempDir Path dir) throws IOException {
        // --config was ignored with --init: --config vit-small fine-tuned the checkpoint's model without a word.
        Path csv = captions(dir);
        Path base = dir.resolve("base");
        assertEquals(0, CliRunner.run("train", "--data", csv.toString(), "--steps", "1", "--batch", "2",
                "--no-progress", "--out", base.toString()).code);
        CliRunner r = CliRunner.run("train", "--init", base.resolve("model.safetensors").toString(), "--config",
                "vit-small", "--data", csv.toString(), "--steps", "1", "--batch", "2", "--no-progress", "--out",
                dir.resolve("ft").toString());
        assertEquals(ClipCli.EXIT_INPUT, r.code, r.err);
        assertEquals("clip: --init takes the model from the checkpoint; drop --config vit-small", r.err.strip());
        assertFalse(Files.exists(dir.resolve("ft")));
    }

    @Test
    void explicitSizesAndBadOptions(@TempDir Path dir) throws IOException {
        Path csv = captions(dir);
        CliRunner r = CliRunner.run("train", "--config", "rn-tiny", "--vision-width", "8", "--image-resolution", "32",
                "--text-layers", "1", "--data", csv.toString(), "--steps", "1", "--batch", "4", "--precision", "fp16",
                "--no-progress", "--out", dir.resolve("rn").toString());
        assertEquals(0, r.code, r.err);
        try (ClipModel m = ClipModel.load(dir.resolve("rn/model.safetensors"))) {
            assertEquals(new ClipConfig(64, 32, new int[]{1, 1, 1, 1}, 8, 0, 32, 49408, 64, 1, 1, 4), m.config());
        }
        CliRunner bad = CliRunner.run("train", "--text-heads", "3", "--data", csv.toString(), "--out", dir.toString());
        assertEquals(ClipCli.EXIT_INPUT, bad.code);
        assertTrue(bad.err.contains("--text-heads must be"), bad.err);
        CliRunner big = CliRunner.run("train", "--data", csv.toString(), "--batch", "8", "--out", dir.toString());
        assertEquals(ClipCli.EXIT_INPUT, big.code);
        assertTrue(big.err.contains("fewer than one batch"), big.err);
        CliRunner kind = CliRunner.run("train", "--data", "weird:x", "--out", dir.toString());
        assertTrue(kind.err.contains("unknown --data kind"), kind.err);
        // An IDX image path without a file name (the root) failed with a NullPointerException naming the set.
        String root = dir.getRoot().toString();
        CliRunner idx = CliRunner.run("train", "--data", "idx:" + root + "," + root + ",mnist", "--out",
                dir.resolve("idx").toString());
        assertEquals(ClipCli.EXIT_INPUT, idx.code, idx.err);
        assertTrue(idx.err.startsWith("clip: " + root + ": cannot read IDX file"), idx.err);
        // An --out that is a file failed with "clip: FileAlreadyExistsException: <out>".
        CliRunner file = CliRunner.run("train", "--data", csv.toString(), "--steps", "1", "--batch", "2",
                "--no-progress", "--out", csv.toString());
        assertEquals(ClipCli.EXIT_INPUT, file.code, file.err);
        assertEquals("clip: --out " + csv + ": a file, not a directory", file.err.strip());
        // A --resume folder without a saved state was reported as a missing checkpoint, <dir>/weights.safetensors.
        Path notARun = Files.createDirectories(dir.resolve("not-a-run"));
        CliRunner resume = CliRunner.run("train", "--data", csv.toString(), "--steps", "1", "--batch", "2",
                "--no-progress", "--resume", notARun.toString(), "--out", dir.resolve("r").toString());
        assertEquals(ClipCli.EXIT_INPUT, resume.code, resume.err);
        assertEquals("clip: --resume " + notARun + ": no saved training state there (expected the --out of a run,"
                + " whose state/ holds trainer.json, weights.safetensors and optimizer.pt)", resume.err.strip());
        // --config takes OpenAI's names and --model fetches them; --init said "ViT-B/32: no such checkpoint file".
        CliRunner named = CliRunner.run("train", "--init", "ViT-B/32", "--data", csv.toString(), "--steps", "1",
                "--batch", "2", "--no-progress", "--out", dir.resolve("n").toString());
        assertEquals(ClipCli.EXIT_INPUT, named.code, named.err);
        assertEquals("clip: --init ViT-B/32: no such file; --init takes a checkpoint file, not a model name:"
                + " './clip info --model ViT-B/32' downloads it to "
                + PretrainedModels.defaultCacheDir().resolve("ViT-B-32.pt") + ", then give that path", named.err.strip());
        // A mistyped paths: folder said "<dir>: cannot list images: <dir>".
        CliRunner paths = CliRunner.run("train", "--data", "paths:" + dir.resolve("nope"), "--steps", "1", "--batch",
                "2", "--no-progress", "--out", dir.resolve("p").toString());
        assertEquals(ClipCli.EXIT_INPUT, paths.code, paths.err);
        assertEquals("clip: " + dir.resolve("nope") + ": folder not found", paths.err.strip());
    }

    @Test
    void anInitWhoseHeadsOrMeanStdTheWrittenWeightsCannotRecordIsRefused(@TempDir Path dir) throws IOException {
        Path csv = captions(dir);
        Path models = Path.of(System.getProperty("clip4j.testdata")).resolve("models");
        CliRunner heads = CliRunner.run("train", "--init", OpenClipFixture.directory().toString(), "--data",
                csv.toString(), "--steps", "1", "--batch", "2", "--no-progress", "--out", dir.resolve("a").toString());
        assertEquals(ClipCli.EXIT_INPUT, heads.code, heads.err);
        assertTrue(heads.err.contains("heads (vision 8, text 4) are not the reference's width / 64"), heads.err);
        // the same model with width / 64 heads: now its mean/std are what the written weights cannot record
        Path oc = Files.createDirectory(dir.resolve("oc"));
        Files.writeString(oc.resolve("open_clip_config.json"), Files.readString(models.resolve(
                "tiny-openclip/open_clip_config.json")).replace("\"head_width\": 16", "\"head_width\": 64")
                .replace("\"heads\": 4", "\"heads\": 2"));
        Files.copy(models.resolve("tiny-vit/state_dict.pt"), oc.resolve("open_clip_pytorch_model.bin"));
        CliRunner mean = CliRunner.run("train", "--init", oc.toString(), "--data", csv.toString(), "--steps", "1",
                "--batch", "2", "--no-progress", "--out", dir.resolve("b").toString());
        assertEquals(ClipCli.EXIT_INPUT, mean.code, mean.err);
        assertTrue(mean.err.contains("open_clip_config.json: mean/std, resize mode) is not CLIP's"), mean.err);
        // a Hugging Face directory whose preprocessor_config.json normalises otherwise: the same
        Path hf = Files.createDirectory(dir.resolve("hf"));
        Files.copy(models.resolve("tiny-vit/config.json"), hf.resolve("config.json"));
        Files.copy(models.resolve("tiny-vit/model.safetensors"), hf.resolve("model.safetensors"));
        Files.writeString(hf.resolve("preprocessor_config.json"), "{\"image_mean\": [0.5, 0.5, 0.5]}");
        CliRunner hfMean = CliRunner.run("train", "--init", hf.toString(), "--data", csv.toString(), "--steps", "1",
                "--batch", "2", "--no-progress", "--out", dir.resolve("c").toString());
        assertEquals(ClipCli.EXIT_INPUT, hfMean.code, hfMean.err);
        assertTrue(hfMean.err.contains("preprocessor_config.json: mean/std, resize mode) is not CLIP's"), hfMean.err);
        // a refused preprocessor_config.json (a CheckpointException, after the weights are loaded) exits cleanly too
        Files.writeString(hf.resolve("preprocessor_config.json"), "{\"resample\": 2}");
        CliRunner refused = CliRunner.run("train", "--init", hf.toString(), "--data", csv.toString(), "--steps", "1",
                "--batch", "2", "--no-progress", "--out", dir.resolve("d").toString());
        assertEquals(ClipCli.EXIT_INPUT, refused.code, refused.err);
        assertTrue(refused.err.contains("resample"), refused.err);
        // open_clip's weights file without its config: the activation is unknown (LAION's are GELU), so refused
        Path lone = Files.createDirectory(dir.resolve("lone"));
        Files.copy(models.resolve("tiny-vit/state_dict.pt"), lone.resolve("open_clip_pytorch_model.bin"));
        CliRunner activation = CliRunner.run("train", "--init", lone.resolve("open_clip_pytorch_model.bin").toString(),
                "--data", csv.toString(), "--steps", "1", "--batch", "2", "--no-progress", "--out",
                dir.resolve("e").toString());
        assertEquals(ClipCli.EXIT_INPUT, activation.code, activation.err);
        assertTrue(activation.err.contains("their activation (GELU for LAION and DataComp models) is unknown"),
                activation.err);
    }

    @Test
    void anInitWhoseMlpsAreNotFourTimesWidthIsRefused(@TempDir Path dir) throws IOException {
        // heads width / 64 and CLIP's preprocessing, but MLPs 300 (vision 64 * 4.6875) and 200 (text 64 * 3.125) wide
        Path oc = Files.createDirectory(dir.resolve("oc"));
        ClipConfig c = new ClipConfig(32, 32, new int[]{1}, 64, 8, 16, 49408, 64, 1, 1, 1).withMlpWidths(300, 200);
        try (TrainableClip t = TrainableClip.initialize(c, 3)) {
            SafetensorsWriter.write(oc.resolve("open_clip_model.safetensors"),
                    t.toTensorData(CheckpointPrecision.FLOAT32), Map.of());
        }
        Files.writeString(oc.resolve("open_clip_config.json"), "{\"model_cfg\": {\"embed_dim\": 32,"
                + " \"quick_gelu\": true, \"vision_cfg\": {\"image_size\": 32, \"layers\": 1, \"width\": 64,"
                + " \"patch_size\": 8, \"mlp_ratio\": 4.6875}, \"text_cfg\": {\"context_length\": 16, \"width\": 64,"
                + " \"heads\": 1, \"layers\": 1, \"mlp_ratio\": 3.125}}}");
        CliRunner r = CliRunner.run("train", "--init", oc.toString(), "--data", captions(dir).toString(), "--steps",
                "1", "--batch", "2", "--no-progress", "--out", dir.resolve("out").toString());
        assertEquals(ClipCli.EXIT_INPUT, r.code, r.err);
        assertTrue(r.err.contains("are not 4 x width") && r.err.contains("vision 300 for width"), r.err);
        assertTrue(r.err.strip().endsWith("train a model of another width (a checkpoint of these sizes cannot be"
                + " fine-tuned)."), r.err); // it said "choose another width", which --init cannot
    }

    @Test
    void aGeluInitTrainsAndWritesWeightsThatReloadAndResumeAsGelu(@TempDir Path dir) throws IOException {
        // an open_clip directory without quick_gelu: GELU, heads width / 64, CLIP's preprocessing
        Path oc = Files.createDirectory(dir.resolve("oc"));
        ClipConfig c = new ClipConfig(32, 32, new int[]{1}, 64, 8, 16, 49408, 64, 1, 1, 1, Activation.GELU);
        try (TrainableClip t = TrainableClip.initialize(c, 3)) {
            SafetensorsWriter.write(oc.resolve("open_clip_model.safetensors"),
                    t.toTensorData(CheckpointPrecision.FLOAT32), Map.of());
        }
        Files.writeString(oc.resolve("open_clip_config.json"), "{\"model_cfg\": {\"embed_dim\": 32,"
                + " \"vision_cfg\": {\"image_size\": 32, \"layers\": 1, \"width\": 64, \"patch_size\": 8},"
                + " \"text_cfg\": {\"context_length\": 16, \"width\": 64, \"heads\": 1, \"layers\": 1}}}");
        Path csv = captions(dir);
        Path out = dir.resolve("run");
        String[] args = {"train", "--init", oc.toString(), "--data", csv.toString(), "--steps", "2", "--batch", "2",
            "--checkpoint-every", "1", "--no-progress", "--out", out.toString()};
        CliRunner r = CliRunner.run(args);
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("activation=GELU"), r.out);
        try (ClipModel m = ClipModel.load(out.resolve("model.safetensors"))) {
            assertEquals(c, m.config());
        }
        try (TrainableClip state = TrainableClip.load(out.resolve("state/weights.safetensors"))) {
            assertEquals(c, state.config());
        }
        String[] resume = Arrays.copyOf(args, args.length + 2);
        resume[args.length] = "--resume";
        resume[args.length + 1] = out.toString();
        CliRunner again = CliRunner.run(resume);
        assertEquals(0, again.code, again.err);
        assertTrue(again.out.contains("resumed at step 2 of 2"), again.out);
        assertTrue(again.out.contains("activation=GELU"), again.out);
        // a command line describing another model (here: the default preset instead of --init) does not resume it
        CliRunner other = CliRunner.run("train", "--data", csv.toString(), "--steps", "2", "--batch", "2",
                "--checkpoint-every", "1", "--no-progress", "--out", out.toString(), "--resume", out.toString());
        assertEquals(ClipCli.EXIT_INPUT, other.code, other.err);
        assertTrue(other.err.contains("is not the one the size options give"), other.err);
    }

    @Test
    void aVitWidthWhoseBareWeightsLoadingRefusesIsRefusedBeforeTraining(@TempDir Path dir) throws IOException {
        CliRunner r = CliRunner.run("train", "--config", "vit-tiny", "--vision-width", "1280", "--data",
                captions(dir).toString(), "--steps", "1", "--batch", "2", "--no-progress", "--out",
                dir.resolve("out").toString());
        assertEquals(ClipCli.EXIT_INPUT, r.code, r.err);
        assertTrue(r.err.contains("vision width 1280 is that of open_clip's ViT-H"), r.err);
        assertFalse(Files.exists(dir.resolve("out")), "nothing trained");
        // a context of 2 holds only the start- and end-of-text tokens: loading the weights is refused
        CliRunner ctx = CliRunner.run("train", "--config", "vit-tiny", "--context-length", "2", "--data",
                captions(dir).toString(), "--steps", "1", "--batch", "2", "--no-progress", "--out",
                dir.resolve("out").toString());
        assertEquals(ClipCli.EXIT_INPUT, ctx.code, ctx.err);
        assertTrue(ctx.err.contains("implies a context_length of 2, which leaves no room for a token"), ctx.err);
        assertFalse(Files.exists(dir.resolve("out")), "nothing trained");
    }

    @Test
    void anEvalLimitBelowOneIsRefusedBeforeTraining(@TempDir Path dir) throws IOException {
        Path folders = dir.resolve("classes");
        Files.createDirectories(folders.resolve("cat"));
        Files.createDirectories(folders.resolve("horse"));
        Files.copy(IMAGES.resolve("chelsea.png"), folders.resolve("cat/chelsea.png"));
        Files.copy(IMAGES.resolve("horse.png"), folders.resolve("horse/horse.png"));
        // 0 evaluated nothing and reported a zero_shot_top1 of 0.0; -1 failed after training with subList's message.
        for (String limit : new String[]{"0", "-1"}) {
            Path out = dir.resolve("out" + limit);
            CliRunner r = CliRunner.run("train", "--data", captions(dir).toString(), "--eval", "folder:" + folders,
                    "--eval-limit", limit, "--steps", "1", "--batch", "2", "--no-progress", "--out", out.toString());
            assertEquals(ClipCli.EXIT_INPUT, r.code, r.err);
            assertEquals("clip: --eval-limit must be >= 1, got " + limit, r.err.strip());
            assertFalse(Files.exists(out), "nothing trained");
        }
    }

    @Test
    void aBadEvalSetIsRefusedBeforeTheOutputFolderIsMade(@TempDir Path dir) throws IOException {
        // It was read after --out had been created with run.json and an empty metrics.jsonl, as if a run had begun.
        Path out = dir.resolve("out");
        CliRunner r = CliRunner.run("train", "--data", captions(dir).toString(), "--eval", "idx:a,b", "--steps", "1",
                "--batch", "2", "--no-progress", "--out", out.toString());
        assertEquals(ClipCli.EXIT_INPUT, r.code, r.err);
        assertEquals("clip: idx data needs idx:IMAGES,LABELS,NAMES, got 'idx:a,b'", r.err.strip());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void badIntervalsOrPrecisionAreRefusedBeforeTheOutputFolderIsMade(@TempDir Path dir) throws IOException {
        // Checked by TrainingRun.Settings, which was made after --out had been created with run.json in it.
        String csv = captions(dir).toString();
        String[][] cases = {{"--eval-every", "-1", "--eval-every must be >= 0 (0 = at the end), got -1"},
                {"--checkpoint-every", "-1", "--checkpoint-every must be >= 0 (0 = at the end), got -1"},
                {"--precision", "fp64", "--precision must be fp32 or fp16, got fp64"}};
        for (String[] c : cases) {
            Path out = dir.resolve("out" + c[0]);
            CliRunner r = CliRunner.run("train", "--data", csv, c[0], c[1], "--steps", "1", "--batch", "2",
                    "--no-progress", "--out", out.toString());
            assertEquals(ClipCli.EXIT_INPUT, r.code, r.err);
            assertEquals("clip: " + c[2], r.err.strip());
            assertFalse(Files.exists(out), c[0] + ": nothing written");
        }
    }

    @Test
    void anInitWithTensorsClipDoesNotHaveIsRefused(@TempDir Path dir) throws IOException {
        ClipConfig c = new ClipConfig(32, 32, new int[]{1}, 64, 8, 16, 49408, 64, 1, 1, 1);
        Path file = dir.resolve("ls.safetensors");
        try (TrainableClip t = TrainableClip.initialize(c, 3)) {
            Map<String, TensorData> w = new LinkedHashMap<>(t.toTensorData(CheckpointPrecision.FLOAT32));
            w.put("transformer.resblocks.0.ls_1.gamma", SafetensorsWriter.float32(new float[64], 64));
            SafetensorsWriter.write(file, w, Map.of());
        }
        CliRunner r = CliRunner.run("train", "--init", file.toString(), "--data", captions(dir).toString(),
                "--steps", "1", "--batch", "2", "--no-progress", "--out", dir.resolve("out").toString());
        assertEquals(ClipCli.EXIT_INPUT, r.code, r.err);
        assertTrue(r.err.contains("unexpected tensor 'transformer.resblocks.0.ls_1.gamma'"), r.err);
    }
}
