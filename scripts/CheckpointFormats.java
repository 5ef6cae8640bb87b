import io.clip4j.Activation;
import io.clip4j.ClipConfig;
import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.SimilarityResult;
import io.clip4j.image.ImageInput;
import io.clip4j.io.Npy;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * clip4j's side of scripts/checkpoint-formats.py: loads each checkpoint of a list with
 * {@code ClipModel.builder(path)} (and the activation the list asks for), preprocesses three testdata images and
 * tokenises five texts with the model's own pipeline, encodes them and writes what it computed as NumPy files
 * (pixel_values, input_ids, image_features, image_features_files from the file path, text_features,
 * logits_per_image) plus clip4j.json (heads, activation, logitScale()); a checkpoint that fails to load leaves
 * error.txt (exception class and message) instead. Run with the CLI's class path:
 * {@code java -cp clip-examples/target/clip-examples.jar:$(cat clip-examples/target/classpath.txt)
 * scripts/CheckpointFormats.java CASES_TSV OUT_DIR IMAGES_DIR}, CASES_TSV holding one
 * {@code name TAB path TAB activation-or-minus} per line.
 */
public final class CheckpointFormats {
    private static final String[] IMAGES = {"chelsea.png", "coffee.png", "astronaut.png"};
    /** Rows 0, 1, 2, 3 and 6 of testdata/models/tiny-vit/texts.json, whose reference ids input_ids.npy holds. */
    private static final List<String> TEXTS = List.of("a diagram", "a dog", "a cat", "a photo of a cat",
            "hello <|endoftext|> world");

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: CheckpointFormats CASES_TSV OUT_DIR IMAGES_DIR");
        }
        Path out = Path.of(args[1]);
        for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            Path dir = out.resolve(f[0]);
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve("error.txt"));
            try {
                ClipModel.Builder b = ClipModel.builder(Path.of(f[1])).threads(2);
                if (!f[2].equals("-")) {
                    b.activation(Activation.valueOf(f[2]));
                }
                try (ClipModel model = b.build()) {
                    encode(model, Path.of(args[2]), dir);
                }
                System.out.println("loaded " + f[0]);
            } catch (RuntimeException e) {
                Files.writeString(dir.resolve("error.txt"), e.getClass().getName() + ": " + e.getMessage());
                System.out.println("failed " + f[0] + ": " + e);
            }
        }
    }

    private static void encode(ClipModel model, Path imagesDir, Path dir) throws IOException {
        ClipConfig c = model.config();
        List<ImageInput> images = new ArrayList<>();
        for (String im : IMAGES) {
            images.add(ImageInput.of(imagesDir.resolve(im)));
        }
        int n = images.size();
        int m = TEXTS.size();
        float[] pixels = model.preprocess(images);
        long[] ids = model.tokenize(TEXTS);
        Features image = model.encodePixels(pixels, n);
        Features text = model.encodeTokens(ids, m);
        SimilarityResult s = SimilarityResult.of(image, text, model.logitScale());
        int side = c.imageResolution();
        write(dir.resolve("pixel_values.npy"), new long[]{n, 3, side, side}, pixels);
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(dir.resolve("input_ids.npy")))) {
            Npy.writeInt64(os, new long[]{m, c.contextLength()}, ids);
        }
        write(dir.resolve("image_features.npy"), new long[]{n, image.dim()}, image.toArray());
        write(dir.resolve("image_features_files.npy"), new long[]{n, image.dim()},
                model.encodeImages(images).toArray());
        write(dir.resolve("text_features.npy"), new long[]{m, text.dim()}, text.toArray());
        write(dir.resolve("logits_per_image.npy"), new long[]{n, m}, s.logitsPerImage());
        Files.writeString(dir.resolve("clip4j.json"), "{\"vision_heads\": " + c.visionHeads()
                + ", \"transformer_heads\": " + c.transformerHeads() + ", \"activation\": \"" + c.activation()
                + "\", \"logit_scale\": " + model.logitScale() + "}\n");
    }

    private static void write(Path file, long[] shape, float[] values) throws IOException {
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file))) {
            Npy.writeFloat32(os, shape, values);
        }
    }
}
