package io.clip4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.ClipConfig;
import io.clip4j.ClipException;
import io.clip4j.checkpoint.CheckpointConfig;
import io.clip4j.checkpoint.CheckpointException;
import io.clip4j.checkpoint.CheckpointReader;
import io.clip4j.checkpoint.ConfigInference;
import io.clip4j.checkpoint.ImageTransformConfig;
import io.clip4j.checkpoint.OpenClipConfig;
import io.clip4j.checkpoint.StateDict;
import io.clip4j.data.CaptionedImages;
import io.clip4j.data.ContrastiveBatches;
import io.clip4j.data.LabeledDataset;
import io.clip4j.data.RandomResizedCrop;
import io.clip4j.image.ImageDecodeException;
import io.clip4j.image.ImagePreprocessor;
import io.clip4j.pretrained.PretrainedModel;
import io.clip4j.pretrained.PretrainedModels;
import io.clip4j.text.ClipTokenizer;
import io.clip4j.train.CheckpointPrecision;
import io.clip4j.train.EvalHook;
import io.clip4j.train.MetricsLog;
import io.clip4j.train.ModelPresets;
import io.clip4j.train.TrainListener;
import io.clip4j.train.TrainOptions;
import io.clip4j.train.TrainableClip;
import io.clip4j.train.Trainer;
import io.clip4j.train.TrainingRun;
import io.clip4j.train.ZeroShotAccuracy;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code clip train}: contrastive training (CLIP paper section 2.5) from scratch or from a checkpoint, on
 * captions files, class folders, IDX files or path-captioned image trees. Writes {@code OUT/model.safetensors}
 * (OpenAI names, readable by every command's {@code --model}), {@code OUT/state/} (resumable state),
 * {@code OUT/metrics.jsonl} and {@code OUT/run.json}.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a CLIP model contrastively (from scratch, or fine-tune with --init).",
                // Each line under 80 columns: picocli wraps a longer one, leaving a stray fragment on a line.
                "Data: [captions:]FILE.csv (path,caption) | [captions:]FILE.jsonl (image,caption)",
                "      | folder:DIR (class folders; a folder needs the prefix) |",
                "      idx:IMAGES,LABELS,NAMES (NAMES = fashion-mnist | mnist | file) |",
                "      paths:DIR (captions from paths).",
                // Two lines joined by a backslash: picocli broke the one long line inside the --data value, and a
                // copy of the two printed lines ran as two commands.
                "Example: clip train --config vit-tiny --epochs 5 --out runs/fm \\",
                "  --data idx:train-images-idx3-ubyte.gz,train-labels-idx1-ubyte.gz,fashion-mnist"})
final class TrainCommand implements Callable<Integer> {
    /** Templates used to caption labelled sets for training (a varied subset of CLIP's prompt styles). */
    static final List<String> DEFAULT_TEMPLATES = List.of("a photo of a {}.", "a picture of a {}.", "a {}.",
            "a photo of the {}.", "a black and white photo of a {}.", "a low resolution photo of a {}.",
            "a drawing of a {}.", "a close-up photo of a {}.");

    @Spec
    CommandSpec spec;

    @Option(names = "--config", defaultValue = "vit-tiny", paramLabel = "NAME",
            description = "Model preset: vit-tiny, vit-small, rn-tiny or an OpenAI name (ViT-B/32, RN50, ...); "
                    + "size options below override it (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--embed-dim", description = "embed_dim.") Integer embedDim;
    @Option(names = "--image-resolution", description = "image_resolution in pixels.") Integer imageResolution;
    @Option(names = "--vision-layers", split = ",", paramLabel = "N[,N,N,N]",
            description = "ViT depth, or the four ResNet stage depths.") int[] visionLayers;
    @Option(names = "--vision-width", description = "ViT width / ResNet stem width.") Integer visionWidth;
    @Option(names = "--patch-size", description = "ViT patch_size (0 = ResNet).") Integer patchSize;
    @Option(names = "--context-length", description = "context_length in tokens.") Integer contextLength;
    @Option(names = "--text-width", description = "Text transformer width.") Integer textWidth;
    @Option(names = "--text-layers", description = "Text transformer depth.") Integer textLayers;
    @Option(names = "--text-heads", description = "Text heads; must be text width / 64 (what loading assumes).")
    Integer textHeads;

    @Option(names = "--init", paramLabel = "CHECKPOINT", description = "Fine-tune this checkpoint (any format).")
    Path init;

    @Option(names = "--data", required = true, paramLabel = "SPEC", description = "Training data (repeatable).")
    List<String> data;

    @Option(names = "--template", paramLabel = "T",
            description = "Caption template for labelled data, one {} (repeatable; default: 8 photo-style templates).")
    List<String> templates = new ArrayList<>();

    @Option(names = "--eval", paramLabel = "SPEC", description = "Labelled set (DIR or folder:DIR of class folders, "
            + "or idx:) for zero-shot accuracy during training.")
    String eval;

    @Option(names = "--eval-limit", defaultValue = "1000", description = "Evaluate on at most N images "
            + "(default: ${DEFAULT-VALUE}).")
    int evalLimit;

    @Option(names = "--eval-every", defaultValue = "0", description = "Evaluate every N steps (0 = at the end).")
    long evalEvery;

    @Option(names = "--epochs", defaultValue = "1", description = "Epochs (ignored with --steps; default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--steps", description = "Total optimisation steps.") Long steps;
    @Option(names = "--batch", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--lr", defaultValue = "5e-4", description = "Peak learning rate (default: ${DEFAULT-VALUE}).") double lr;
    @Option(names = "--wd", defaultValue = "0.2", description = "Weight decay (default: ${DEFAULT-VALUE}).") double wd;
    @Option(names = "--warmup", defaultValue = "0", description = "Warm-up steps (default: ${DEFAULT-VALUE}).") long warmup;
    @Option(names = "--grad-clip", defaultValue = "0", description = "Clip the gradient norm (0 = off).") double gradClip;
    @Option(names = "--seed", defaultValue = "0", description = "Seed of initialisation, order, captions, crops.") long seed;
    @Option(names = "--freeze-image", description = "Lock the image tower (LiT).") boolean freezeImage;
    @Option(names = "--freeze-text", description = "Lock the text tower.") boolean freezeText;
    @Option(names = "--resume", paramLabel = "DIR", description = "Continue from a saved state (OUT or OUT/state); "
            + "give the same options as the original run.") Path resume;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.") Path out;
    @Option(names = "--checkpoint-every", defaultValue = "0", description = "Save the state every N steps (0 = at the end).")
    long checkpointEvery;
    @Option(names = "--threads", defaultValue = "1", description = "CPU threads of LibTorch and of OpenBLAS, which "
            + "runs its matrix products (default: ${DEFAULT-VALUE}; 1 is fastest for small models).") int threads;
    @Option(names = "--augment", arity = "0..1", fallbackValue = "0.9", paramLabel = "MIN_SCALE",
            description = "Random crops covering MIN_SCALE..1 of the image (default when given: 0.9).") Double augment;
    @Option(names = "--precision", defaultValue = "fp32", description = "Exported weights: fp32 or fp16 "
            + "(the reference's mix).") String precision;
    @Option(names = "--no-progress", description = "No progress bar (none either when the console is not"
            + " interactive).") boolean noProgress;
    @Option(names = "--skip-bad-images", description = "Replace examples whose image cannot be used (corrupt, too "
            + "large) by the next usable one, with a warning, instead of stopping.") boolean skipBadImages;

    @Override
    public Integer call() throws Exception {
        PrintWriter pw = spec.commandLine().getOut();
        PathOptions.requireNotBlank("--out", out);
        PathOptions.requireNotBlank("--init", init);
        PathOptions.requireNotBlank("--resume", resume);
        if (evalLimit < 1) { // checked before training: 0 would report the accuracy of no images as 0
            throw new IllegalArgumentException("--eval-limit must be >= 1, got " + evalLimit);
        }
        checkOptionRanges();
        // LibTorch's threads and OpenBLAS's (the matrix products), which Trainer.setThreads leaves at one per core:
        // --threads 1 ran them on two busy threads, about twice as slow on a loaded 2-core machine.
        io.clip4j.torch.NativeLibraries.setCpuThreads(threads);
        List<String> tpl = templates.isEmpty() ? DEFAULT_TEMPLATES : templates;
        if (Files.exists(out) && !Files.isDirectory(out)) { // createDirectories said "FileAlreadyExistsException: OUT"
            throw new IllegalArgumentException("--out " + out + ": a file, not a directory");
        }
        Path stateDir = resume == null ? null
                : Files.isDirectory(resume.resolve(TrainingRun.STATE_DIR)) ? resume.resolve(TrainingRun.STATE_DIR) : resume;
        if (stateDir != null && Files.isDirectory(stateDir)) {
            // A run stopped (Ctrl-C) while a save moved its files into place: openModel reads the weights first.
            // Under the lock of the run folder, if it has one: a run still writing there is mid-save, not stopped.
            Path runDir = stateDir.equals(resume) ? stateDir.toAbsolutePath().getParent() : resume;
            boolean locked = runDir != null && Files.isRegularFile(runDir.resolve(OutputLock.FILE));
            try (OutputLock busy = locked ? OutputLock.take(runDir, "--resume") : null) {
                long completed = Trainer.completeInterruptedSave(stateDir);
                if (completed >= 0) {
                    pw.printf("completed the interrupted save of step %d in %s%n", completed, stateDir);
                }
            }
        }
        if (stateDir != null && !Files.isRegularFile(stateDir.resolve("trainer.json"))) {
            // Without this, the first missing file was reported as a missing checkpoint: ".../weights.safetensors".
            throw new IllegalArgumentException("--resume " + resume + ": no saved training state there (expected"
                    + " the --out of a run, whose state/ holds trainer.json, weights.safetensors and optimizer.pt)");
        }
        try (TrainableClip model = openModel(stateDir)) {
            ClipConfig c = model.config();
            List<CaptionedImages> parts = new ArrayList<>();
            for (String d : data) {
                parts.add(TrainData.captioned(d, tpl, seed));
            }
            CaptionedImages all = CaptionedImages.concat(parts);
            RandomResizedCrop crop = augment == null ? null : new RandomResizedCrop(augment, 1.0);
            ContrastiveBatches batches = new ContrastiveBatches(all, batch, seed, ImagePreprocessor.clip(c.imageResolution()),
                    ClipTokenizer.create().withContextLength(c.contextLength()), crop);
            if (skipBadImages) {
                PrintWriter err = spec.commandLine().getErr();
                batches = batches.skippingBadImages(m -> {
                    err.println("clip: warning: " + m);
                    err.flush();
                });
            }
            long total = steps != null ? steps : (long) epochs * batches.batchesPerEpoch();
            TrainOptions options = TrainOptions.builder().totalSteps(total).learningRate(lr).weightDecay(wd)
                    .warmupSteps(warmup).gradClipNorm(gradClip).freeze(freezeImage, freezeText).build();
            List<EvalHook> hooks = new ArrayList<>();
            if (eval != null) { // read before anything is written: a bad --eval must not leave a half-made --out
                LabeledDataset ds = TrainData.labeled(eval);
                LabeledDataset limited = new LabeledDataset(ds.name(), ds.classNames(),
                        ds.examples().subList(0, Math.min(evalLimit, ds.size())));
                hooks.add(evalImagesNamed(new ZeroShotAccuracy(limited, List.of("a photo of a {}."))));
            }
            Map<String, Object> meta = runDescription(c, all.size(), total);
            // Checks --eval-every, --checkpoint-every and --precision before --out is made.
            TrainingRun.Settings settings = new TrainingRun.Settings(evalEvery, checkpointEvery, out, precision(), meta);
            Files.createDirectories(out);
            try (OutputLock lock = OutputLock.take(out); Trainer trainer = new Trainer(model, options)) {
                if (stateDir != null) {
                    requireSameRun(stateDir, trainer.loadState(stateDir), meta);
                    pw.printf("resumed at step %d of %d from %s%n", trainer.completedSteps(), total, stateDir);
                }
                // One run per log: a new run replaces an earlier run's log in --out (it followed it), a resumed
                // one drops the lines of the steps after the saved state (they were listed twice).
                try (MetricsLog log = MetricsLog.forRun(out.resolve("metrics.jsonl"), trainer.completedSteps());
                     Progress progress = new Progress(!ConsoleProgress.shown(noProgress), total)) {
                    new ObjectMapper().writerWithDefaultPrettyPrinter()
                            .writeValue(out.resolve("run.json").toFile(), meta);
                    pw.printf("training %s on %d examples: %d steps of %d (%d per epoch)%n", c, all.size(), total,
                            batch, batches.batchesPerEpoch());
                    pw.flush();
                    long from = trainer.completedSteps();
                    progress.start(from);
                    TrainingRun.Summary s = runNamingSkipOption(trainer, batches, hooks, settings,
                            listeners(log, progress, pw));
                    progress.close();
                    if (from == total) { // resuming a finished run: "last loss NaN, 0.0 images/s" read as a failure
                        pw.printf("done: nothing left to train (the saved state had completed all %d steps)%n", total);
                    } else {
                        pw.printf("done: %d steps, last loss %.4f, %.1f images/s, %.0f s%n", s.steps(), s.lastLoss(),
                                s.imagesPerSecond(), s.seconds());
                    }
                    s.metrics().forEach((k, v) -> pw.printf("%s = %.4f%n", k, v));
                    pw.printf("model: %s%n", out.resolve(TrainingRun.MODEL_FILE));
                }
            }
        }
        return 0;
    }

    /**
     * Runs the training. A training image that cannot be used ends the run naming its file; the message also names
     * {@code --skip-bad-images}, which replaces such images and lets the run go on. The eval hooks' images fail as
     * {@link #evalImagesNamed} rethrows them, so every {@link ImageDecodeException} here comes from a training batch.
     */
    private TrainingRun.Summary runNamingSkipOption(Trainer trainer, ContrastiveBatches batches, List<EvalHook> hooks,
                                                    TrainingRun.Settings settings, TrainListener listener) {
        try {
            return TrainingRun.run(trainer, batches, hooks, settings, listener);
        } catch (ImageDecodeException e) {
            if (skipBadImages) { // not expected (the batches replace such images), but not to be advised again
                throw e;
            }
            throw new ImageDecodeException(e.getMessage() + "; --skip-bad-images replaces unusable training images"
                    + " by the next usable example", e);
        }
    }

    /**
     * The --eval hook, whose undecodable image is reported as a --eval image: {@code --skip-bad-images} does not
     * apply to it (an evaluation that skipped images would measure another set).
     */
    private EvalHook evalImagesNamed(EvalHook hook) {
        return (model, step) -> {
            try {
                return hook.evaluate(model, step);
            } catch (ImageDecodeException e) {
                throw new ClipException("--eval " + eval + ": " + e.getMessage(), e);
            }
        };
    }

    /**
     * Refuses out-of-range options by their names. The library's checks said e.g. "need warmup >= 0 and total steps
     * > 0, got warmup 0, total 0" for --epochs 0, or "bad optimiser setting: weight decay -1.0, betas (0.9, 0.98),
     * eps 1.0E-6, gradient clip 0.0" for --wd -1, naming no option (or one the command line does not have).
     */
    private void checkOptionRanges() {
        if (steps != null && steps < 1) {
            throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
        }
        if (steps == null && epochs < 1) {
            throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
        }
        if (batch < 2) {
            throw new IllegalArgumentException("--batch must be >= 2 (a contrastive batch needs negatives), got "
                    + batch);
        }
        if (!(lr > 0 && lr < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("--lr must be > 0 and finite, got " + lr);
        }
        if (warmup < 0) {
            throw new IllegalArgumentException("--warmup must be >= 0, got " + warmup);
        }
        if (!(wd >= 0 && wd < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("--wd must be >= 0 and finite, got " + wd);
        }
        if (!(gradClip >= 0)) {
            throw new IllegalArgumentException("--grad-clip must be >= 0 (0 = off), got " + gradClip);
        }
        if (evalEvery < 0) {
            throw new IllegalArgumentException("--eval-every must be >= 0 (0 = at the end), got " + evalEvery);
        }
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException("--checkpoint-every must be >= 0 (0 = at the end), got "
                    + checkpointEvery);
        }
        int maxThreads = io.clip4j.ClipModel.Builder.maxThreads(); // the other commands' bound
        if (threads < 1 || threads > maxThreads) { // --threads 100000 went to LibTorch and OpenBLAS as it was
            throw new IllegalArgumentException("--threads must be in [1, " + maxThreads + "], got " + threads);
        }
        if (augment != null && !(augment > 0 && augment <= 1)) {
            throw new IllegalArgumentException("--augment MIN_SCALE must be in (0, 1] (the smallest share of the"
                    + " image a crop covers), got " + augment);
        }
    }

    private TrainableClip openModel(Path stateDir) {
        if (init != null && !Files.exists(init)) {
            // --config takes OpenAI's names, and --model everywhere else fetches them; --init reads a file only.
            Optional<PretrainedModel> named = PretrainedModels.find(init.toString());
            if (named.isPresent()) {
                throw new IllegalArgumentException("--init " + init + ": no such file; --init takes a checkpoint file,"
                        + " not a model name: './clip info --model " + named.get().name() + "' downloads it to "
                        + PretrainedModels.defaultCacheDir().resolve(named.get().fileName()) + ", then give that path");
            }
        }
        if (init != null && (embedDim != null || imageResolution != null || visionLayers != null || visionWidth != null
                || patchSize != null || contextLength != null || textWidth != null || textLayers != null)) {
            throw new IllegalArgumentException("--init takes the sizes from the checkpoint; drop the size options");
        }
        if (init != null && spec.commandLine().getParseResult().hasMatchedOption("--config")) {
            // It was ignored: --init --config vit-small fine-tuned the checkpoint's model without a word.
            throw new IllegalArgumentException("--init takes the model from the checkpoint; drop --config " + preset);
        }
        if (stateDir != null) {
            // The saved weights carry the configuration (their activation in the metadata); loadState later restores
            // them with the optimiser. They must be the model the command line describes.
            TrainableClip m = TrainableClip.load(stateDir.resolve("weights.safetensors"));
            try {
                ClipConfig described = init != null ? ConfigInference.infer(CheckpointReader.read(init), init) : config();
                if (!described.equals(m.config())) {
                    throw new IllegalArgumentException("--resume " + stateDir + ": the saved model " + m.config()
                            + " is not the one " + (init != null ? "--init " + init + " gives" : "the size options give")
                            + ", " + described + "; give the same options as the original run");
                }
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
            return m;
        }
        if (init != null) {
            requireRecordedActivation(init);
            StateDict sd = CheckpointReader.read(init);
            CheckpointConfig declared = CheckpointConfig.infer(sd, init, null); // its config files parsed once
            TrainableClip m = TrainableClip.fromStateDict(sd, declared.model());
            try {
                requireReloadable(init, m.config(), declared);
            } catch (RuntimeException e) { // a refused preprocessor_config.json is a CheckpointException
                m.close();
                throw e;
            }
            return m;
        }
        return TrainableClip.initialize(config(), seed);
    }

    /**
     * open_clip's hub weights file without the {@code open_clip_config.json} that gives its activation: open_clip's
     * LAION and DataComp models are GELU, the reference rules say QuickGELU, and train has no option to choose, so
     * fine-tuning would silently train (and record in the weights) the wrong activation.
     */
    private static void requireRecordedActivation(Path init) {
        Path name = init.getFileName();
        boolean openClipName = name != null && (name.toString().equals(OpenClipConfig.PYTORCH_FILE)
                || name.toString().equals(OpenClipConfig.SAFETENSORS_FILE));
        if (openClipName && OpenClipConfig.find(init).isEmpty()
                && !CheckpointReader.read(init).metadata().containsKey(ConfigInference.ACTIVATION_METADATA)) {
            throw new IllegalArgumentException("--init " + init + ": open_clip's weights without their "
                    + OpenClipConfig.CONFIG_FILE + ", so their activation (GELU for LAION and DataComp models) is"
                    + " unknown; put the model's " + OpenClipConfig.CONFIG_FILE + " beside the file");
        }
    }

    /**
     * The weights train writes record neither heads nor preprocessing: loading them assumes heads = width / 64 and
     * CLIP's mean/std and resize. A checkpoint with others (an open_clip directory's head_width or preprocess_cfg, a
     * Hugging Face directory's preprocessor_config.json) would train and then load wrong, so it is refused; so is one
     * whose MLPs are not 4 x width, since a bare state dict with such MLPs is refused on loading (its heads cannot be
     * trusted to be width / 64), and so is a ViT of open_clip's widths 1280, 1408, 1664, 1792. The activation is
     * recorded in the weights' metadata.
     */
    private static void requireReloadable(Path init, ClipConfig c, CheckpointConfig declared) {
        bareReloadable("--init " + init, c); // heads width / 64, MLPs 4 x width, no ViT-H/g/bigG/e width
        ImageTransformConfig transform = declared.transform();
        if (!transform.isClip()) {
            throw new IllegalArgumentException("--init " + init + ": its preprocessing (" + transform.source()
                    .map(Path::toString).orElse("?") + ": mean/std, resize mode) is not CLIP's, which training and"
                    + " the weights it writes use; fine-tuning it is not supported");
        }
    }

    /** @return the preset with the explicit sizes applied; heads follow the reference rule */
    ClipConfig config() {
        ClipConfig p = ModelPresets.get(preset);
        int patch = patchSize != null ? patchSize : p.visionPatchSize();
        int vw = visionWidth != null ? visionWidth : p.visionWidth();
        int tw = textWidth != null ? textWidth : p.transformerWidth();
        int[] layers = visionLayers != null ? visionLayers : p.visionLayers();
        if (patch > 0 && layers.length != 1 || patch == 0 && layers.length != 4) {
            throw new IllegalArgumentException("a ViT (--patch-size > 0) takes one --vision-layers value, a ResNet "
                    + "(--patch-size 0) four; got " + layers.length);
        }
        if (tw % 64 != 0 || (patch > 0 && vw % 64 != 0) || (patch == 0 && (vw * 32) % 64 != 0)) {
            throw new IllegalArgumentException("widths must be multiples of 64 (ResNet: even), since heads = width / 64"
                    + " is what loading a checkpoint assumes; got vision " + vw + ", text " + tw);
        }
        if (textHeads != null && textHeads != tw / 64) {
            throw new IllegalArgumentException("--text-heads must be text width / 64 = " + tw / 64
                    + " (ClipModel.load infers heads that way)");
        }
        return bareReloadable("the model", new ClipConfig(embedDim != null ? embedDim : p.embedDim(),
                imageResolution != null ? imageResolution : p.imageResolution(), layers, vw, patch,
                contextLength != null ? contextLength : p.contextLength(), p.vocabSize(), tw, tw / 64,
                textLayers != null ? textLayers : p.transformerLayers(), patch > 0 ? vw / 64 : vw * 32 / 64));
    }

    /** {@code c}, if the bare weights train writes load back as it (e.g. no ViT of open_clip's width 1280). */
    private static ClipConfig bareReloadable(String what, ClipConfig c) {
        try {
            return ConfigInference.requireBuildableFromBareWeights(what, c);
        } catch (CheckpointException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private CheckpointPrecision precision() {
        switch (precision) {
            case "fp32": return CheckpointPrecision.FLOAT32;
            case "fp16": return CheckpointPrecision.FLOAT16;
            default: throw new IllegalArgumentException("--precision must be fp32 or fp16, got " + precision);
        }
    }

    private Map<String, Object> runDescription(ClipConfig c, int examples, long total) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("config", c.toString());
        m.put("init", init == null ? null : init.toString());
        m.put("data", data);
        m.put("examples", examples);
        m.put("total_steps", total);
        m.put("batch", batch);
        m.put("seed", seed);
        m.put("augment", augment);
        m.put("templates", templates.isEmpty() ? null : templates);
        m.put("skip_bad_images", skipBadImages);
        m.put("threads", threads);
        return m;
    }

    /**
     * The options outside {@link TrainOptions} that fix which examples, captions and crops step s sees (seed, batch,
     * data, templates, augmentation; recorded with the state) must be the saved run's too, or the resumed steps
     * would silently train on another data order. The thread count may differ (it changes only the last bits); a
     * field the saved state does not record (an older state) is not compared.
     */
    private static void requireSameRun(Path stateDir, com.fasterxml.jackson.databind.JsonNode saved,
                                       Map<String, Object> meta) {
        ObjectMapper json = new ObjectMapper();
        // Through text, as the saved side was read: valueToTree makes a long a LongNode, reading it an IntNode.
        com.fasterxml.jackson.databind.JsonNode now;
        try {
            now = json.readTree(json.writeValueAsString(meta));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (String key : meta.keySet()) {
            if (!key.equals("threads") && saved.has(key) && !saved.get(key).equals(now.get(key))) {
                throw new IllegalArgumentException("--resume " + stateDir + ": the saved run had " + key + " "
                        + saved.get(key) + ", this one " + now.get(key) + "; give the same options as the original"
                        + " run");
            }
        }
    }

    private static TrainListener listeners(MetricsLog log, Progress progress, PrintWriter pw) {
        return new TrainListener() {
            @Override
            public void onStep(Trainer.StepResult r, long epoch, double imagesPerSecond) {
                log.onStep(r, epoch, imagesPerSecond);
                progress.step(r, imagesPerSecond);
            }

            @Override
            public void onEvaluation(long step, Map<String, Double> metrics) {
                log.onEvaluation(step, metrics);
                progress.message(step + ": " + metrics);
            }

            @Override
            public void onCheckpoint(long step, java.nio.file.Path dir) {
                log.onCheckpoint(step, dir);
            }
        };
    }

    /** The progress bar (me.tongfei:progressbar on stderr), or nothing. */
    private static final class Progress implements AutoCloseable {
        private final boolean off;
        private final long total;
        private ProgressBar bar;
        private double smoothed;

        Progress(boolean off, long total) {
            this.off = off;
            this.total = total;
        }

        void start(long from) {
            if (!off) {
                bar = ConsoleProgress.builder("train").setInitialMax(total).build();
                bar.stepTo(from);
            }
        }

        void step(Trainer.StepResult r, double imagesPerSecond) {
            smoothed = smoothed == 0 ? imagesPerSecond : 0.9 * smoothed + 0.1 * imagesPerSecond;
            if (bar != null) {
                bar.stepTo(r.step() + 1);
                bar.setExtraMessage(String.format(" loss %.4f lr %.2e %.0f img/s", r.loss(), r.learningRate(), smoothed));
            }
        }

        void message(String m) {
            if (bar != null) {
                bar.setExtraMessage(" " + m);
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}
