package io.clip4j.pretrained;

import io.clip4j.checkpoint.CheckpointException;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * OpenAI's released CLIP checkpoints by the names of the reference's {@code clip.available_models()}, with the
 * URLs of its {@code _MODELS} table. The files are TorchScript archives in float16, which {@code ClipModel.load}
 * reads like any checkpoint.
 *
 * <pre>{@code
 * try (ClipModel model = ClipModel.load(PretrainedModels.fetch("ViT-B/32"))) { ... }
 * }</pre>
 */
public final class PretrainedModels {
    private static final String BASE = "https://openaipublic.azureedge.net/clip/models/";

    /** OpenAI's models, in the order of {@code clip.available_models()}. */
    public static final List<PretrainedModel> OPENAI = List.of(
            new PretrainedModel("RN50", BASE + "afeb0e10f9e5a86da6080e35cf09123aca3b358a0c3e3b6c78a7b63bc04b6762/RN50.pt"),
            new PretrainedModel("RN101", BASE + "8fa8567bab74a42d41c5915025a8e4538c3bdbe8804a470a72f30b0d94fab599/RN101.pt"),
            new PretrainedModel("RN50x4", BASE + "7e526bd135e493cef0776de27d5f42653e6b4c8bf9e0f653bb11773263205fdd/RN50x4.pt"),
            new PretrainedModel("RN50x16",
                    BASE + "52378b407f34354e150460fe41077663dd5b39c54cd0bfd2b27167a4a06ec9aa/RN50x16.pt"),
            new PretrainedModel("RN50x64",
                    BASE + "be1cfb55d75a9666199fb2206c106743da0f6468c9d327f3e0d0a543a9919d9c/RN50x64.pt"),
            new PretrainedModel("ViT-B/32",
                    BASE + "40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af/ViT-B-32.pt"),
            new PretrainedModel("ViT-B/16",
                    BASE + "5806e77cd80f8b59890b7e101eabd078d9fb84e6937f9e85e4ecb61988df416f/ViT-B-16.pt"),
            new PretrainedModel("ViT-L/14",
                    BASE + "b8cca3fd41ae0c99ba7e8951adf17d267cdb84cd88be6f7c2e0eca1737a03836/ViT-L-14.pt"),
            new PretrainedModel("ViT-L/14@336px",
                    BASE + "3035c92b350959924f9f00213499208652fc7ea050643e8b385c2dac08641f02/ViT-L-14-336px.pt"));

    private PretrainedModels() {
    }

    /**
     * Looks up one of OpenAI's published models by name (the {@code clip._MODELS} table).
     *
     * @param name a model name, exactly as {@code clip.available_models()} spells it (e.g. {@code ViT-B/32})
     * @return the model, or empty if no OpenAI model has that name
     */
    public static Optional<PretrainedModel> find(String name) {
        return OPENAI.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /**
     * Returns one of OpenAI's published models by name.
     *
     * @param name a model name
     * @return the model
     * @throws CheckpointException if no OpenAI model has that name; the message lists the names
     */
    public static PretrainedModel get(String name) {
        return find(name).orElseThrow(() -> new CheckpointException("no pretrained model named '" + name
                + "'; available: " + OPENAI.stream().map(PretrainedModel::name).collect(Collectors.joining(", "))));
    }

    /**
     * The reference's default download root, {@code ~/.cache/clip}: files a Python {@code clip.load} downloaded
     * there are found and reused. {@code ~} is {@code $HOME} when set, as for Python's {@code expanduser}, else the
     * {@code user.home} property. Android apps have no such home: give {@link ModelDownloader} a folder of the app's
     * own (e.g. {@code context.getCacheDir()}).
     *
     * @return {@code <home>/.cache/clip}
     */
    public static Path defaultCacheDir() {
        String home = System.getenv("HOME");
        if (home == null || home.isEmpty()) {
            home = System.getProperty("user.home");
        }
        return Paths.get(home, ".cache", "clip"); // Path.of is not on Android
    }

    /**
     * The file of a model in {@link #defaultCacheDir()}, downloaded first if it is missing or damaged
     * ({@link ModelDownloader#fetch}).
     *
     * @param name a model name, e.g. {@code ViT-B/32}
     * @return the verified checkpoint file
     * @throws CheckpointException if the name is unknown, or the download fails (see {@link ModelDownloader#fetch})
     *                             or does not match its SHA-256
     */
    public static Path fetch(String name) {
        return new ModelDownloader(defaultCacheDir()).fetch(get(name));
    }
}
