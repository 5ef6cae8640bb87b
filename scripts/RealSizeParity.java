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
import java.util.Arrays;
import java.util.List;

/**
 * clip4j's side of scripts/real-size-parity.py: loads one checkpoint with {@code ClipModel.builder(path).threads(n)},
 * preprocesses the images and tokenises the texts with the model's own pipeline, encodes them, and writes what it
 * computed as NumPy files (pixel_values, input_ids, image_features, text_features, logits_per_image, probs) plus
 * clip4j.json (the inferred configuration, logitScale() and wall times), so that the Python side can run the
 * reference on exactly the same tensors and compare. Run with the CLI's class path:
 * {@code java -cp clip-examples/target/clip-examples.jar:$(cat clip-examples/target/classpath.txt)
 * scripts/RealSizeParity.java CHECKPOINT OUT_DIR THREADS IMAGES_FILE TEXTS_FILE} (one image path, resp. one text, per
 * line, UTF-8).
 */
public final class RealSizeParity {
    public static void main(String[] args) throws IOException {
        if (args.length != 5) {
            throw new IllegalArgumentException("usage: RealSizeParity CHECKPOINT OUT_DIR THREADS IMAGES_FILE TEXTS_FILE");
        }
        Path checkpoint = Path.of(args[0]);
        Path out = Path.of(args[1]);
        int threads = Integer.parseInt(args[2]);
        List<ImageInput> images = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[3]), StandardCharsets.UTF_8)) {
            if (!line.isEmpty()) {
                images.add(ImageInput.of(Path.of(line)));
            }
        }
        List<String> texts = Files.readAllLines(Path.of(args[4]), StandardCharsets.UTF_8);
        Files.createDirectories(out);

        long t0 = System.nanoTime();
        try (ClipModel model = ClipModel.builder(checkpoint).threads(threads).build()) {
            long t1 = System.nanoTime();
            ClipConfig c = model.config();
            int n = images.size();
            int m = texts.size();
            float[] pixels = model.preprocess(images);
            long[] ids = model.tokenize(texts);
            long t2 = System.nanoTime();
            Features image = model.encodePixels(pixels, n);
            long t3 = System.nanoTime();
            Features text = model.encodeTokens(ids, m);
            long t4 = System.nanoTime();
            // Second, warm calls: the first ones include LibTorch's one-time set-up.
            Features image2 = model.encodePixels(pixels, n);
            long t5 = System.nanoTime();
            Features text2 = model.encodeTokens(ids, m);
            long t6 = System.nanoTime();
            // The file path (decode + preprocess + encode) must give the same features as the pixels above.
            Features viaFiles = model.encodeImages(images);
            float repeatDiff = Math.max(maxAbsDiff(image.toArray(), image2.toArray()),
                    maxAbsDiff(text.toArray(), text2.toArray()));
            float filesDiff = maxAbsDiff(image.toArray(), viaFiles.toArray());
            SimilarityResult s = SimilarityResult.of(image, text, model.logitScale());

            int side = c.imageResolution();
            write(out.resolve("pixel_values.npy"), new long[]{n, 3, side, side}, pixels);
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out.resolve("input_ids.npy")))) {
                Npy.writeInt64(os, new long[]{m, c.contextLength()}, ids);
            }
            write(out.resolve("image_features.npy"), new long[]{n, image.dim()}, image.toArray());
            write(out.resolve("text_features.npy"), new long[]{m, text.dim()}, text.toArray());
            write(out.resolve("logits_per_image.npy"), new long[]{n, m}, s.logitsPerImage());
            write(out.resolve("probs.npy"), new long[]{n, m}, s.probs());
            String json = "{\"embed_dim\": " + c.embedDim()
                    + ", \"image_resolution\": " + c.imageResolution()
                    + ", \"vision_layers\": " + (c.isVit() ? String.valueOf(c.visionLayers()[0])
                    : Arrays.toString(c.visionLayers()))
                    + ", \"vision_width\": " + c.visionWidth()
                    + ", \"vision_patch_size\": " + (c.isVit() ? String.valueOf(c.visionPatchSize()) : "null")
                    + ", \"vision_heads\": " + c.visionHeads()
                    + ", \"context_length\": " + c.contextLength()
                    + ", \"vocab_size\": " + c.vocabSize()
                    + ", \"transformer_width\": " + c.transformerWidth()
                    + ", \"transformer_heads\": " + c.transformerHeads()
                    + ", \"transformer_layers\": " + c.transformerLayers()
                    + ", \"activation\": \"" + c.activation() + "\""
                    + ", \"logit_scale_exp\": " + model.logitScale()
                    + ", \"load_s\": " + seconds(t0, t1)
                    + ", \"preprocess_tokenize_s\": " + seconds(t1, t2)
                    + ", \"encode_images_first_s\": " + seconds(t2, t3)
                    + ", \"encode_texts_first_s\": " + seconds(t3, t4)
                    + ", \"encode_images_second_s\": " + seconds(t4, t5)
                    + ", \"encode_texts_second_s\": " + seconds(t5, t6)
                    + ", \"repeat_max_abs_diff\": " + repeatDiff
                    + ", \"files_vs_pixels_max_abs_diff\": " + filesDiff
                    + ", \"threads\": " + threads + "}\n";
            Files.write(out.resolve("clip4j.json"), json.getBytes(StandardCharsets.UTF_8));
            System.out.print(json);
        }
    }

    private static double seconds(long from, long to) {
        return (to - from) / 1e9;
    }

    private static float maxAbsDiff(float[] a, float[] b) {
        float max = 0f;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static void write(Path file, long[] shape, float[] values) throws IOException {
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file))) {
            Npy.writeFloat32(os, shape, values);
        }
    }
}
