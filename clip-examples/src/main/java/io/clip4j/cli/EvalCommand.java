package io.clip4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.clip4j.ClipModel;
import io.clip4j.data.CaptionFile;
import io.clip4j.data.ClassFolders;
import io.clip4j.data.ImageCaption;
import io.clip4j.data.LabeledDataset;
import io.clip4j.data.LabeledImage;
import io.clip4j.eval.ClassificationAccuracy;
import io.clip4j.eval.FewShotProbe;
import io.clip4j.eval.FewShotResult;
import io.clip4j.eval.LabeledFeatures;
import io.clip4j.eval.LinearProbe;
import io.clip4j.eval.LinearProbeResult;
import io.clip4j.eval.LogisticRegression;
import io.clip4j.eval.RetrievalEvaluator;
import io.clip4j.eval.ZeroShotEvaluator;
import io.clip4j.zeroshot.PromptTemplates;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code clip eval}: the CLIP paper's evaluations on frozen features (sections 3.1, 3.2, Appendix A):
 * zero-shot accuracy, linear probe, few-shot probes and image-text retrieval.
 *
 * <p>Labelled datasets are given as {@code DIR} or {@code folder:DIR} (class folders {@code DIR/<class>/<image>},
 * read by {@link io.clip4j.data.ClassFolders}: classes sorted by folder name, the class name used in prompts is the
 * folder name with {@code _} turned into spaces) or {@code idx:IMAGES,LABELS,NAMES} (MNIST-format files, read by
 * {@link io.clip4j.data.IdxDataset}; NAMES = {@code fashion-mnist}, {@code mnist} or a file with one name per line),
 * the specifications {@code clip train --eval} takes. Retrieval reads a CSV of {@code path,caption} lines.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model: zero-shot accuracy, linear probe, few-shot probes, retrieval.",
        subcommands = {EvalCommand.ZeroShot.class, EvalCommand.LinearProbeCmd.class, EvalCommand.FewShot.class,
                EvalCommand.Retrieval.class})
final class EvalCommand implements Runnable {
    // snake_case like every other --json output and the field's terms (top1_accuracy, image_to_text)
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), UsageHints.missingSubcommand(spec.commandLine()));
    }

    /** Options every evaluation shares. */
    static final class Common {
        @Mixin
        ModelOptions model;

        @Mixin
        ImageOptions images;

        @Option(names = "--batch", defaultValue = "64",
                description = "Images decoded and encoded per step (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--json", description = "Print the result as one JSON object.")
        boolean json;

        void print(PrintWriter out, Object result, String summary) throws IOException {
            out.print(json ? JSON.writeValueAsString(result) + System.lineSeparator() : summary);
        }
    }

    /** How every logistic-regression fit of linear-probe and few-shot runs: L-BFGS limits and stopping rules. */
    static final class FitOptions {
        @Option(names = "--max-iter", defaultValue = "1000", description = "L-BFGS iterations (default: ${DEFAULT-VALUE}).")
        int maxIter;
        @Option(names = "--tol", defaultValue = "1e-4",
                description = "L-BFGS gradient tolerance, scikit-learn's 'tol' (default: ${DEFAULT-VALUE}): with the "
                        + "default --stopping it bounds the gradient of the summed loss, n times the mean (scikit-learn "
                        + "before 1.4), with SKLEARN_1_4 that of the mean loss.")
        double tol;
        @Option(names = "--stopping", paramLabel = "RULES", defaultValue = "SKLEARN_BEFORE_1_4",
                description = "Stopping rules of scikit-learn's lbfgs solver: SKLEARN_BEFORE_1_4 (default: the CLIP "
                        + "paper's era; gradient of the summed loss <= tol, relative decrease of it <= 2.2e-9) or "
                        + "SKLEARN_1_4 (gradient of the mean loss <= tol, relative decrease <= 64 machine epsilons).")
        LogisticRegression.Stopping stopping;

        /** The fit with C; refuses a bad C, iteration limit or tolerance, naming the option. */
        LogisticRegression regression(double c) {
            check();
            // The same test as LogisticRegression's, so that the message names the option the user typed.
            if (!(c > 0) || !Double.isFinite(c) || !Double.isFinite(1 / c)) {
                throw new IllegalArgumentException("--C must be positive and finite, with a finite 1/C, got " + c);
            }
            return new LogisticRegression(c, maxIter, tol, stopping);
        }

        /**
         * Refuses --max-iter and --tol by their option names (LogisticRegression's own messages name its
         * parameters, maxIterations and tolerance, which the user never typed).
         */
        void check() {
            if (maxIter < 1) {
                throw new IllegalArgumentException("--max-iter must be >= 1, got " + maxIter);
            }
            if (!(tol >= 0) || tol == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("--tol must be >= 0 and finite, got " + tol);
            }
        }
    }

    /** Prompt template options (zero-shot and few-shot). */
    static final class Templates {
        @Option(names = "--template", paramLabel = "T",
                description = "Prompt template with one {} (repeatable; added to --templates; default: \"a photo of a {}.\").")
        List<String> templates = new ArrayList<>();

        @Option(names = "--templates", paramLabel = "SET",
                description = "Named template set: imagenet80 (any --template is used too).")
        String set;

        List<String> resolve() {
            List<String> out = new ArrayList<>(templates);
            if (set != null) {
                out.addAll(ZeroShotCommand.templateSet(set));
            }
            if (out.isEmpty()) {
                out.add(PromptTemplates.PHOTO_OF_A);
            }
            for (String t : out) {
                PromptTemplates.fill(t, "x");
            }
            return out;
        }
    }

    @Command(name = "zero-shot", mixinStandardHelpOptions = true,
            description = "Zero-shot top-1/top-5 accuracy on a labelled dataset: class folders or MNIST-format IDX"
                    + " files (paper section 3.1).")
    static final class ZeroShot implements Callable<Integer> {
        @Mixin
        Common common;
        @Mixin
        Templates templates;
        @Option(names = "--test", paramLabel = "SPEC", required = true,
                description = "Dataset to classify: DIR | folder:DIR | idx:IMAGES,LABELS,NAMES.")
        String test;
        @Option(names = "--test-limit", paramLabel = "N",
                description = "Use only the first N test examples (default: all).")
        Integer testLimit;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            List<String> tpl = templates.resolve();
            checkLimit("--test-limit", testLimit);
            LabeledDataset ds = limit(readDataset(test, null), testLimit, "--test-limit");
            checkBatch(common.batch);
            try (ClipModel model = common.model.open(common.images)) {
                var r = ZeroShotEvaluator.evaluate(model, ds, tpl, common.batch);
                common.print(spec.commandLine().getOut(), r, r.summary());
            }
            return 0;
        }
    }

    @Command(name = "linear-probe", mixinStandardHelpOptions = true,
            description = "Logistic regression on frozen image features, C swept on a validation split "
                    + "(paper Appendix A.3).")
    static final class LinearProbeCmd implements Callable<Integer> {
        @Mixin
        Common common;
        @Option(names = "--train", paramLabel = "SPEC", required = true,
                description = "Training set: DIR | folder:DIR | idx:IMAGES,LABELS,NAMES.")
        String train;
        @Option(names = "--train-limit", paramLabel = "N",
                description = "Use only the first N training examples (default: all).")
        Integer trainLimit;
        @Option(names = "--test", paramLabel = "SPEC", required = true, description = "Test set (same forms).")
        String test;
        @Option(names = "--test-limit", paramLabel = "N",
                description = "Use only the first N test examples (default: all).")
        Integer testLimit;
        @Option(names = "--val", paramLabel = "SPEC",
                description = "Validation set for the C sweep (default: hold out --val-fraction of train).")
        String val;
        @Option(names = "--val-fraction", defaultValue = "0.2",
                description = "Share of each training class held out for the C sweep (default: ${DEFAULT-VALUE}).")
        double valFraction;
        @Option(names = "--seed", defaultValue = "0", description = "Seed of the validation split.")
        long seed;
        @Option(names = "--C", paramLabel = "C", description = "Use this C, no sweep (e.g. 0.316).")
        Double c;
        @Mixin
        FitOptions fit;
        @Option(names = "--normalize", description = "L2-normalise features first (default: raw, as the paper).")
        boolean normalize;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            fit.check();
            checkLimit("--train-limit", trainLimit); // before any dataset is read
            checkLimit("--test-limit", testLimit);
            if (!(valFraction > 0 && valFraction < 1)) {
                throw new IllegalArgumentException("--val-fraction must be in (0, 1), got " + valFraction);
            }
            LinearProbe.Options o = new LinearProbe.Options(valFraction, seed, fit.maxIter, fit.tol, normalize,
                    fit.stopping);
            if (c != null) {
                fit.regression(c); // refuses a bad --C now, not after encoding the sets
            }
            LabeledDataset tr = limit(readDataset(train, null), trainLimit, "--train-limit");
            LabeledDataset te = limit(readDataset(test, tr.classNames()), testLimit, "--test-limit");
            LabeledDataset va = val == null ? null : readDataset(val, tr.classNames());
            checkBatch(common.batch);
            try (ClipModel model = common.model.open(common.images)) {
                LabeledFeatures ftr = LabeledFeatures.encode(model, tr, common.batch);
                LabeledFeatures fte = LabeledFeatures.encode(model, te, common.batch);
                LinearProbeResult r;
                if (c != null) {
                    r = LinearProbe.evaluateFixedC(ftr, fte, c, o);
                } else if (va != null) {
                    r = LinearProbe.evaluate(ftr, LabeledFeatures.encode(model, va, common.batch), fte, o);
                } else {
                    r = LinearProbe.evaluate(ftr, fte, o);
                }
                common.print(spec.commandLine().getOut(), r, r.summary());
            }
            return 0;
        }
    }

    @Command(name = "few-shot", mixinStandardHelpOptions = true,
            description = "k-shot linear probes averaged over seeds, next to zero-shot accuracy (paper Figures 6-7).")
    static final class FewShot implements Callable<Integer> {
        @Mixin
        Common common;
        @Mixin
        Templates templates;
        @Option(names = "--train", paramLabel = "SPEC", required = true,
                description = "Set to draw shots from: DIR | folder:DIR | idx:IMAGES,LABELS,NAMES.")
        String train;
        @Option(names = "--train-limit", paramLabel = "N",
                description = "Draw shots from the first N training examples only (default: all).")
        Integer trainLimit;
        @Option(names = "--test", paramLabel = "SPEC", required = true, description = "Test set (same forms).")
        String test;
        @Option(names = "--test-limit", paramLabel = "N",
                description = "Use only the first N test examples (default: all).")
        Integer testLimit;
        @Option(names = "--k", split = ",", paramLabel = "K",
                description = "Shots per class, comma-separated (default: 1,2,4,8,16).")
        List<Integer> shots = new ArrayList<>(FewShotProbe.PAPER_SHOTS);
        @Option(names = "--seeds", defaultValue = "3", description = "Draws per k (default: ${DEFAULT-VALUE}).")
        int seeds;
        @Option(names = "--C", paramLabel = "C", defaultValue = "0.316",
                description = "Regularisation of every fit (default: ${DEFAULT-VALUE}, the CLIP README's value).")
        double c;
        @Mixin
        FitOptions fit;
        @Option(names = "--normalize", description = "L2-normalise features first.")
        boolean normalize;
        @Option(names = "--no-zero-shot", description = "Skip the zero-shot comparison.")
        boolean noZeroShot;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            List<String> tpl = templates.resolve();
            LogisticRegression lr = fit.regression(c);
            checkLimit("--train-limit", trainLimit); // before any dataset is read
            checkLimit("--test-limit", testLimit);
            if (seeds < 1) {
                throw new IllegalArgumentException("--seeds must be >= 1, got " + seeds);
            }
            for (Integer k : shots) {
                if (k != null && k < 1) {
                    throw new IllegalArgumentException("--k must be >= 1, got " + k);
                }
            }
            LabeledDataset tr = limit(readDataset(train, null), trainLimit, "--train-limit");
            LabeledDataset te = limit(readDataset(test, tr.classNames()), testLimit, "--test-limit");
            FewShotProbe.check(tr.classNames(), tr.examples().stream().mapToInt(LabeledImage::label).toArray(),
                    shots, seeds); // before encoding, which may take hours
            checkBatch(common.batch);
            try (ClipModel model = common.model.open(common.images)) {
                LabeledFeatures ftr = LabeledFeatures.encode(model, tr, common.batch);
                LabeledFeatures fte = LabeledFeatures.encode(model, te, common.batch);
                Double zs = null;
                if (!noZeroShot) {
                    ClassificationAccuracy a = ZeroShotEvaluator.evaluate(model.classifier(te.classNames(), tpl), fte);
                    zs = a.top1();
                }
                FewShotResult r = FewShotProbe.evaluate(ftr, fte, shots, seeds, lr, normalize, zs);
                common.print(spec.commandLine().getOut(), r, r.summary());
            }
            return 0;
        }
    }

    @Command(name = "retrieval", mixinStandardHelpOptions = true,
            description = "Image-text retrieval recall@1/5/10 both ways (paper Table 13).")
    static final class Retrieval implements Callable<Integer> {
        @Mixin
        Common common;
        @Option(names = "--captions", paramLabel = "FILE", required = true,
                description = "Image-caption pairs, the format of train --data: FILE.csv with a header naming "
                        + "'path' and 'caption' (RFC 4180 quoting) or FILE.jsonl ({\"image\": ..., \"caption\": ...} "
                        + "per line); paths relative to the file's folder; an image may have several captions.")
        Path captions;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PathOptions.requireNotBlank("--captions", captions);
            List<ImageCaption> pairs = readCaptions(captions);
            checkBatch(common.batch);
            try (ClipModel model = common.model.open(common.images)) {
                var r = RetrievalEvaluator.evaluate(model, pairs, common.batch);
                common.print(spec.commandLine().getOut(), r, r.summary());
            }
            return 0;
        }
    }

    private static void checkBatch(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        }
    }

    /**
     * Reads a labelled set: {@code DIR} or {@code folder:DIR} (class folders) or {@code idx:IMAGES,LABELS,NAMES}.
     * When {@code expected} is given, the class names must be exactly those, so train and test labels agree.
     *
     * @throws IllegalArgumentException for a missing folder, a malformed specification or other classes
     */
    static LabeledDataset readDataset(String spec, List<String> expected) {
        LabeledDataset ds;
        if (spec.startsWith("idx:") || spec.startsWith("folder:")) {
            ds = TrainData.labeled(spec);
        } else {
            if (spec.isEmpty()) {
                throw new IllegalArgumentException("empty dataset path");
            }
            Path root = Path.of(spec);
            if (!Files.isDirectory(root)) {
                throw new IllegalArgumentException((Files.exists(root) ? "dataset is not a folder of class folders: "
                        : "dataset folder not found: ") + root);
            }
            ds = ClassFolders.read(root);
        }
        if (expected != null && !expected.equals(ds.classNames())) {
            throw new IllegalArgumentException(spec + ": classes " + ds.classNames()
                    + " differ from the training classes " + expected);
        }
        return ds;
    }

    /** Refuses a limit below 1 by its option's name (null: no limit). */
    static void checkLimit(String option, Integer limit) {
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException(option + " must be >= 1, got " + limit);
        }
    }

    /** @return the first {@code limit} examples of {@code ds}, or {@code ds} itself when limit is null */
    static LabeledDataset limit(LabeledDataset ds, Integer limit, String option) {
        if (limit == null) {
            return ds;
        }
        checkLimit(option, limit);
        return new LabeledDataset(ds.name(), ds.classNames(), ds.examples().subList(0, Math.min(limit, ds.size())));
    }

    /**
     * Reads a captions file as {@code train --data} does ({@link CaptionFile}: CSV with a {@code path,caption}
     * header, or JSONL), checking up front that every image exists: retrieval recall over a partly missing set
     * would be wrong.
     */
    static List<ImageCaption> readCaptions(Path file) {
        List<ImageCaption> pairs = CaptionFile.read(file, true);
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException(file + ": no image-caption pairs");
        }
        return pairs;
    }
}
