package io.clip4j.cli;

import io.clip4j.Activation;
import io.clip4j.ClipModel;
import io.clip4j.Device;
import io.clip4j.Precision;
import io.clip4j.pretrained.HuggingFaceCache;
import io.clip4j.pretrained.HuggingFaceHub;
import io.clip4j.pretrained.ModelDownloader;
import io.clip4j.pretrained.PretrainedModel;
import io.clip4j.pretrained.PretrainedModels;
import io.clip4j.search.EmbeddingIndex;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/** The options every model-using command shares (picocli mixin). */
final class ModelOptions {
    /** System property the {@code ./clip} launcher sets to the bundled default model. */
    static final String DEFAULT_MODEL_PROPERTY = "clip4j.defaultModel";

    /** A name in the style of OpenAI's model names (RN50x5, ViT-B/33, ViT-H-14, ViT-L-14-336px.pt). */
    private static final Pattern OPENAI_LIKE =
            Pattern.compile("(?i)(rn\\d+(x\\d+)?|vit-[a-z][-/]\\d+([-@]\\d+px)?)(\\.pt)?");

    @Option(names = "--model", paramLabel = "PATH|NAME|OWNER/NAME",
            description = "Checkpoint: OpenAI .pt, torch.save state dict, .safetensors, or a Hugging Face directory; "
                    + "or an OpenAI model name (RN50, RN101, RN50x4, RN50x16, RN50x64, ViT-B/32, ViT-B/16, ViT-L/14, "
                    + "ViT-L/14@336px), downloaded into --model-cache on first use and verified by SHA-256 like "
                    + "clip.load (a name wins over a file of that name, as in clip.load); or a Hugging Face repo id "
                    + "(e.g. openai/clip-vit-base-patch32, or a repo in open_clip's format, with open_clip_config.json) "
                    + "when no such path exists, taken from the hub cache "
                    + "($HF_HUB_CACHE, $HF_HOME/hub or ~/.cache/huggingface/hub) or downloaded into it "
                    + "($HF_ENDPOINT, $HF_TOKEN) (default: the model bundled with clip4j).")
    String model;

    @Option(names = "--model-cache", paramLabel = "DIR",
            description = "Folder of downloaded OpenAI models (default: ~/.cache/clip, the reference's, so its "
                    + "downloads are reused). Hugging Face models use the hub cache instead.")
    Path modelCache;

    @Option(names = "--offline", description = "Never download: an OpenAI model name must already be in --model-cache, "
            + "a Hugging Face repo id in the hub cache.")
    boolean offline;

    @Option(names = "--model-mirror", paramLabel = "URL",
            description = "Download OpenAI models from URL/<sha256>/<file> instead of OpenAI's host (the SHA-256 is "
                    + "checked all the same). For Hugging Face models set HF_ENDPOINT.")
    String modelMirror;

    /** The file a model name was fetched to, so a command that asks twice verifies it once. */
    private Path fetched;

    @Option(names = "--device", defaultValue = "cpu", converter = DeviceConverter.class,
            description = "cpu, cuda (or gpu) or cuda:N (default: ${DEFAULT-VALUE}).")
    Device device;

    /** Parses --device while picocli parses the command line, so a bad value is a usage error (exit 2). */
    static final class DeviceConverter implements picocli.CommandLine.ITypeConverter<Device> {
        @Override
        public Device convert(String value) {
            try {
                return Device.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage()); // shown as it is
            }
        }
    }

    @Option(names = "--precision", defaultValue = "FLOAT32",
            description = "FLOAT32, FLOAT16 or BFLOAT16 (the last two on CUDA only; default: ${DEFAULT-VALUE}).")
    Precision precision;

    @Option(names = "--threads", defaultValue = "0",
            description = "CPU threads for the towers, LibTorch's and OpenBLAS's (0 = all cores; at most 4 per core).")
    int threads;

    @Option(names = "--activation", paramLabel = "QUICK_GELU|GELU",
            description = "Transformer MLP activation, for checkpoints that do not record it: QUICK_GELU (OpenAI, "
                    + "open_clip -quickgelu) or GELU (open_clip's LAION/DataComp models). Default: the checkpoint's "
                    + "(a Hugging Face config.json or open_clip_config.json says), else QUICK_GELU.")
    Activation activation;

    /**
     * @return the model chosen on the command line (a named model's cached file, downloaded first if needed), or the
     *         bundled default
     * @throws IllegalArgumentException if no model was given and no default is known, or the path is not valid
     * @throws io.clip4j.checkpoint.CheckpointException if a named model cannot be downloaded or verified
     */
    Path modelPath() {
        // Checked whatever the model: blank is the working directory, refused like every blank path option.
        PathOptions.requireNotBlank("--model-cache", modelCache);
        if (model != null) {
            if (fetched == null) {
                Optional<PretrainedModel> named = PretrainedModels.find(model);
                fetched = named.isPresent() ? download(named.get()) : localOrHub(model);
            }
            return fetched;
        }
        String dflt = System.getProperty(DEFAULT_MODEL_PROPERTY);
        if (dflt == null || !Files.exists(Path.of(dflt))) {
            throw new IllegalArgumentException("no --model given and no bundled default model found"
                    + (dflt == null ? "" : " at " + dflt));
        }
        return Path.of(dflt);
    }

    /** A path that exists, else a Hugging Face repo id (from the hub cache, downloaded if needed), else the path. */
    private Path localOrHub(String p) {
        if (p.isBlank()) {
            throw new IllegalArgumentException("--model is empty");
        }
        Path path = path(p);
        if (Files.exists(path)) {
            return path;
        }
        // vit-b/32, ViT-B-32, ViT-B-32.pt (the cached file's name, as in the README's Java examples): clip.load's
        // names are exact.
        for (PretrainedModel m : PretrainedModels.OPENAI) {
            if (m.name().equalsIgnoreCase(p) || m.name().replace('/', '-').equalsIgnoreCase(p)
                    || m.fileName().equalsIgnoreCase(p)) {
                throw new IllegalArgumentException("--model " + p + ": no such file; did you mean the OpenAI model '"
                        + m.name() + "'?");
            }
        }
        // ViT-B/33, RN50x5, ViT-H-14: named like OpenAI's models but none of them. "ViT-B/33" would otherwise be
        // looked up as a Hugging Face repo id, and the error would say nothing of the names that do load.
        if (OPENAI_LIKE.matcher(p).matches()) {
            StringBuilder names = new StringBuilder();
            for (PretrainedModel m : PretrainedModels.OPENAI) {
                names.append(names.length() == 0 ? "" : ", ").append(m.name());
            }
            throw new IllegalArgumentException("--model " + p + ": no such file, and not one of OpenAI's models ("
                    + names + ")");
        }
        if (!HuggingFaceCache.isRepoId(p)) {
            return path;
        }
        HuggingFaceHub hub = new HuggingFaceHub(HuggingFaceCache.defaultDir()); // offline if HF_HUB_OFFLINE says so
        if (offline) {
            hub.offline(true);
        }
        return withProgress(p, listener -> hub.onProgress(listener).fetch(p));
    }

    private static Path path(String p) {
        try {
            return Path.of(p);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("--model: not a valid path or model name: " + p);
        }
    }

    /**
     * Without {@code --model}, an index's model is the one that built it (when its checkpoint is still there), with
     * the activation it ran with unless {@code --activation} is given: searching or extending an index with another
     * model is refused anyway. When it is not there, the default model is used and {@code err} says so, since a
     * refusal would otherwise blame a model the user never named.
     *
     * @param index an index about to be searched or extended
     * @param err   where the note goes
     */
    void defaultToModelOf(EmbeddingIndex index, PrintWriter err) {
        if (model != null || index.model().isEmpty()) {
            return;
        }
        try {
            Path built = Path.of(index.model());
            if (Files.exists(built)) {
                model = built.toString();
                if (activation == null && !index.activation().isEmpty()) {
                    // a checkpoint that does not record its activation loads as QUICK_GELU, whatever built the index
                    activation = Activation.valueOf(index.activation());
                }
                return;
            }
        } catch (InvalidPathException notAPath) {
            // a free-form description from the API, not a checkpoint path
        }
        err.println("clip: the index's model (" + index.model() + ") is not a file here; using the default model"
                + " (--model chooses another)");
        err.flush();
    }

    private Path download(PretrainedModel named) {
        ModelDownloader downloader = new ModelDownloader(modelCache != null ? modelCache
                : PretrainedModels.defaultCacheDir()).offline(offline).mirror(modelMirror);
        return withProgress(named.name(), listener -> downloader.onProgress(listener).fetch(named));
    }

    /** Runs a fetch with a progress bar on a console, drawn only once bytes arrive (a cache hit shows none). */
    private Path withProgress(String name, Function<ModelDownloader.Progress, Path> fetch) {
        if (offline || System.console() == null) {
            return fetch.apply((done, total) -> { }); // no bar frames in logs and pipes
        }
        ProgressBar[] bar = {null};
        try {
            return fetch.apply((done, total) -> {
                if (bar[0] == null) {
                    bar[0] = ConsoleProgress.builder(name).setUnit("MiB", 1 << 20).build();
                }
                if (done < bar[0].getCurrent()) { // the next file of a model
                    bar[0].reset();
                }
                bar[0].maxHint(total);
                bar[0].stepTo(done);
            });
        } finally {
            if (bar[0] != null) {
                bar[0].close();
            }
        }
    }

    /** @return the loaded model, for a command that encodes no images (the builder's image defaults) */
    ClipModel open() {
        return open(new ImageOptions());
    }

    /**
     * @param images how the command's images are preprocessed
     * @return the loaded model
     */
    ClipModel open(ImageOptions images) {
        // Checked here, by the option's name, before the process-wide thread counts below are set with it.
        if (threads < 0 || threads > ClipModel.Builder.maxThreads()) {
            throw new IllegalArgumentException("--threads must be in [0, " + ClipModel.Builder.maxThreads()
                    + "] (4 per core), got " + threads);
        }
        if (threads > 0) {
            // OpenBLAS too, which runs the float32 matrix products on one thread per core whatever LibTorch's count:
            // the library leaves that process-wide setting alone (other models may be encoding), a command has one
            // model. --threads 1 evaluated 1,500 images in 7.4 s instead of 12.3 s on a loaded 2-core machine.
            io.clip4j.torch.NativeLibraries.setCpuThreads(threads);
        }
        ClipModel.Builder b = ClipModel.builder(modelPath())
                .device(device)
                .precision(precision)
                .threads(threads)
                .applyExifOrientation(images.applyExif)
                .imagePipeline(images.imagePipeline);
        if (activation != null) {
            b.activation(activation);
        }
        return b.build();
    }
}
