package io.clip4j.cli;

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

/** {@code clip preprocess}: the reference image transform, written as NumPy files. */
@Command(name = "preprocess", mixinStandardHelpOptions = true,
        description = "Preprocess an image like CLIP's reference transform; write float32 [3,S,S] as .npy.")
final class PreprocessCommand implements Callable<Integer> {
    @Option(names = "--image", paramLabel = "FILE", required = true, description = "Image file.")
    Path image;

    @Option(names = "--size", defaultValue = "224", description = "Output side S (image_resolution; default: ${DEFAULT-VALUE}).")
    int size;

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
        if (size < 1 || size > 16384) { // ImagePreprocessor's range, named by the option here
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
        ImagePreprocessor pre = ImagePreprocessor.builder().size(size).applyExifOrientation(applyExif).build();
        byte[] rgb = pre.resizeCropRgb(ImageInput.of(image));
        float[] values = new float[pre.valuesPerImage()];
        pre.toPixelValues(rgb, values, 0);
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out))) {
            Npy.writeFloat32(os, new long[]{3, size, size}, values);
        }
        if (uint8Out != null) {
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(uint8Out))) {
                Npy.writeUint8(os, new long[]{size, size, 3}, rgb);
            }
        }
        spec.commandLine().getOut().println("wrote " + out + (uint8Out == null ? "" : " and " + uint8Out));
        return 0;
    }
}
