import io.clip4j.ClipConfig;
import io.clip4j.ClipModel;
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
 * clip4j's side of scripts/tower-speed.py: loads one checkpoint with {@code ClipModel.builder(path).threads(N)},
 * preprocesses the images and tokenises the texts once (timed apart), then times the towers alone,
 * {@code encodePixels} on the preprocessed batch and {@code encodeTokens} on the token ids, after warm-up calls, and
 * writes the medians (and every run) to OUT_DIR/clip4j-speed.json, with pixel_values.npy and input_ids.npy so that
 * PyTorch times exactly the same tensors. Run with the CLI's class path:
 * {@code java -cp clip-examples/target/clip-examples.jar:$(cat clip-examples/target/classpath.txt)
 * scripts/TowerSpeed.java CHECKPOINT OUT_DIR THREADS IMAGES_FILE TEXTS_FILE WARMUP RUNS} (one image path, resp. one
 * text, per line, UTF-8).
 */
public final class TowerSpeed {
    public static void main(String[] args) throws IOException {
        if (args.length != 7) {
            throw new IllegalArgumentException(
                    "usage: TowerSpeed CHECKPOINT OUT_DIR THREADS IMAGES_FILE TEXTS_FILE WARMUP RUNS");
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
        List<String> texts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[4]), StandardCharsets.UTF_8)) {
            if (!line.isEmpty()) {
                texts.add(line);
            }
        }
        int warmup = Integer.parseInt(args[5]);
        int runs = Integer.parseInt(args[6]);
        Files.createDirectories(out);
        try (ClipModel model = ClipModel.builder(checkpoint).threads(threads).build()) {
            ClipConfig c = model.config();
            int n = images.size();
            int m = texts.size();
            double[] preprocess = new double[runs];
            float[] pixels = null;
            for (int i = 0; i < warmup + runs; i++) {
                long t = System.nanoTime();
                pixels = model.preprocess(images);
                if (i >= warmup) {
                    preprocess[i - warmup] = (System.nanoTime() - t) / 1e9;
                }
            }
            long[] ids = model.tokenize(texts);
            double[] image = new double[runs];
            double[] text = new double[runs];
            for (int i = 0; i < warmup + runs; i++) {
                long t0 = System.nanoTime();
                model.encodePixels(pixels, n);
                long t1 = System.nanoTime();
                model.encodeTokens(ids, m);
                long t2 = System.nanoTime();
                if (i >= warmup) {
                    image[i - warmup] = (t1 - t0) / 1e9;
                    text[i - warmup] = (t2 - t1) / 1e9;
                }
            }
            int side = c.imageResolution();
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out.resolve("pixel_values.npy")))) {
                Npy.writeFloat32(os, new long[]{n, 3, side, side}, pixels);
            }
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out.resolve("input_ids.npy")))) {
                Npy.writeInt64(os, new long[]{m, c.contextLength()}, ids);
            }
            String json = "{\"threads\": " + threads + ", \"images\": " + n + ", \"texts\": " + m
                    + ", \"image_resolution\": " + side
                    + ", \"preprocess_median_s\": " + median(preprocess)
                    + ", \"encode_images_median_s\": " + median(image)
                    + ", \"encode_texts_median_s\": " + median(text)
                    + ", \"preprocess_s\": " + Arrays.toString(preprocess)
                    + ", \"encode_images_s\": " + Arrays.toString(image)
                    + ", \"encode_texts_s\": " + Arrays.toString(text) + "}\n";
            Files.write(out.resolve("clip4j-speed.json"), json.getBytes(StandardCharsets.UTF_8));
            System.out.print(json);
        }
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int k = s.length / 2;
        return s.length % 2 == 1 ? s[k] : (s[k - 1] + s[k]) / 2;
    }
}
