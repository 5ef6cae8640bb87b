package io.clip4j.cli;

import io.clip4j.checkpoint.CheckpointConfig;
import io.clip4j.checkpoint.CheckpointReader;
import io.clip4j.checkpoint.ImageTransformConfig;
import io.clip4j.image.ImageInput;
import io.clip4j.image.ImagePreprocessor;
import io.clip4j.io.Npy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code clip preprocess}: the reference image transform, written as NumPy files; with {@code --model}, the transform
 * of that checkpoint (its image_resolution, mean/std and resize mode), read from its files without loading LibTorch.
 */
@Command(name = "preprocess", mixinStandardHelpOptions = true,
        // Each line under 80 columns: picocli wraps longer ones wherever, and broke this one inside ".npy".
        description = {"Preprocess an image as CLIP's reference does; write float32 [3,S,S] as .npy.",
                "Without --model: CLIP's 224-px transform with OpenAI's mean/std (not the bundled model's 48 px);"
                        + " with --model: exactly the pixel_values that model's encodeImage sees."})
final class PreprocessCommand implements Callable<Integer> {
    /** CLIP's image_resolution, the side without --size or --model. */
    private static final int CLIP_SIZE = 224;

    @Option(names = "--image", paramLabel = "FILE", required = true, description = "Image file.")
    Path image;

    @Option(names = "--size", paramLabel = "S", description = "Output side S (image_resolution; default: 224, CLIP's). Refused with "
            + "--model, which decides it.")
    Integer size;

    @Option(names = "--model", paramLabel = "PATH|NAME|OWNER/NAME",
            description = "Preprocess as this checkpoint does: its image_resolution, normalisation mean/std and resize "
                    + "mode (open_clip_config.json's preprocess_cfg, a Hugging Face preprocessor_config.json, else "
                    + "CLIP's), read from its files without loading the model. A path, OpenAI model name or Hugging "
                    + "Face repo id, found or downloaded as the other commands' --model.")
    String model;

    @Option(names = "--model-cache", paramLabel = "DIR",
            description = "Folder of downloaded OpenAI models, as the other commands' (default: ~/.cache/clip).")
    Path modelCache;

    @Option(names = "--offline", description = "Never download --model (it must already be cached).")
    boolean offline;

    @Option(names = "--model-mirror", paramLabel = "URL",
            description = "Download OpenAI models from URL/<sha256>/<file>, as the other commands'.")
    String modelMirror;

    @Option(names = "--out", paramLabel = "OUT.npy", required = true, description = "float32 [3,S,S] pixel_values.")
    Path out;

    @Option(names = "--uint8-out", paramLabel = "RGB.npy", description = "Also write the uint8 [S,S,3] RGB image after resize and crop.")
    Path uint8Out;

    @Option(names = "--apply-exif", description = "Rotate by the EXIF orientation first (the reference does not).")
    boolean applyExif;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (size != null && model != null) { // two answers to one question: which side wins would be a guess
            throw new IllegalArgumentException("--size and --model both set the output side; --model uses the "
                    + "model's image_resolution, so give one of them");
        }
        if (size != null && (size < 1 || size > 16384)) { // ImagePreprocessor's range, named by the option here
            throw new IllegalArgumentException("--size must be in 1..16384, got " + size);
        }
        // Before the image is read: --out " " wrote a file named " " in the working directory.
        PathOptions.requireNotBlank("--out", out);
        PathOptions.requireNotBlank("--uint8-out", uint8Out);
        PathOptions.requireNotBlank("--image", image);
        ImageFiles.requireFiles(List.of(image));
        ImageFiles.requireNotAnInput("--out", out, List.of(image));
        ImageFiles.requireNotAnInput("--uint8-out", uint8Out, List.of(image));
        if (uint8Out != null && out.toAbsolutePath().normalize().equals(uint8Out.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("--out and --uint8-out name the same file: " + out);
        }
        // Both destinations before anything is written: a missing --uint8-out folder left --out written, exit 1.
        for (Path dest : uint8Out == null ? List.of(out) : List.of(out, uint8Out)) {
            Path parent = dest.toAbsolutePath().getParent();
            if (Files.isDirectory(dest)) {
                throw new FileSystemException(dest.toString()); // "a directory, not a file: ..."
            }
            if (parent != null && !Files.isDirectory(parent)) {
                throw new NoSuchFileException(dest.toString()); // "directory not found: ... (for ...)"
            }
        }
        ImagePreprocessor pre = (model == null ? ImagePreprocessor.builder().size(size == null ? CLIP_SIZE : size)
                : modelPreprocessing()).applyExifOrientation(applyExif).build();
        int side = pre.size();
        byte[] rgb = pre.resizeCropRgb(ImageInput.of(image));
        float[] values = new float[pre.valuesPerImage()];
        pre.toPixelValues(rgb, values, 0);
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out))) {
            Npy.writeFloat32(os, new long[]{3, side, side}, values);
        }
        if (uint8Out != null) {
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(uint8Out))) {
                Npy.writeUint8(os, new long[]{side, side, 3}, rgb);
            }
        }
        spec.commandLine().getOut().println("wrote " + out + (uint8Out == null ? "" : " and " + uint8Out));
        return 0;
    }

    /**
     * The model's transform as its {@code encodeImage} builds it ({@code AbstractClipModel}): the checkpoint is read
     * (memory-mapped, no LibTorch) only for its image_resolution and declared preprocessing.
     */
    private ImagePreprocessor.Builder modelPreprocessing() {
        ModelOptions source = new ModelOptions(); // the same resolution of paths, names and repo ids
        source.model = model;
        source.modelCache = modelCache;
        source.offline = offline;
        source.modelMirror = modelMirror;
        Path checkpoint = source.modelPath();
        // The activation does not change the preprocessing: null keeps the checkpoint's.
        CheckpointConfig declared = CheckpointConfig.infer(CheckpointReader.read(checkpoint), checkpoint, null);
        ImageTransformConfig t = declared.transform();
        double[] mean = t.mean();
        double[] std = t.std();
        return ImagePreprocessor.builder()
                .size(declared.model().imageResolution())
                .mean(mean[0], mean[1], mean[2])
                .std(std[0], std[1], std[2])
                .squash(t.squash());
    }
}
