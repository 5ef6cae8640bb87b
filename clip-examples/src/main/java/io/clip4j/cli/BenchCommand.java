package io.clip4j.cli;

import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.data.ImageFolders;
import io.clip4j.image.ImageDecodeException;
import io.clip4j.image.ImageInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code clip bench}: throughput of decode+preprocess, the vision forward pass, end to end, and the
 * text tower, on the images of a folder. One warm-up round, then timed rounds.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure images/s (decode+preprocess, forward, end to end, zero-shot top-5) and texts/s.")
final class BenchCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    ImageOptions imageOptions;

    @Option(names = "--images", paramLabel = "DIR", required = true, description = "Folder of images (png, jpg, ...; searched recursively). A file that "
            + "cannot be decoded is reported on stderr and left out; the exit code is then 1.")
    Path dir;

    @Option(names = "--batch", defaultValue = "16", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--rounds", defaultValue = "3", description = "Timed rounds over the folder (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        }
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds must be >= 1, got " + rounds);
        }
        PathOptions.requireNotBlank("--images", dir);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("not a directory: " + dir);
        }
        List<ImageInput> inputs = new ArrayList<>();
        ImageFolders.list(dir).forEach(p -> inputs.add(ImageInput.of(p))); // recursive, as zero-shot's folders
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("no image files (" + ImageFolders.extensions() + ") in " + dir);
        }
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            texts.add("a photo of a " + (i % 2 == 0 ? "cat" : "dog") + " number " + i + ", taken outdoors.");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int skipped = 0;
        try (ClipModel model = modelOptions.open(imageOptions)) {
            // A file that cannot be decoded is left out, as zero-shot, embed and index do (it stopped the whole run).
            for (Iterator<ImageInput> it = inputs.iterator(); it.hasNext(); ) {
                ImageInput in = it.next();
                try {
                    model.preprocess(List.of(in));
                } catch (ImageDecodeException e) {
                    err.println("clip: skipped " + e.getMessage());
                    err.flush();
                    it.remove();
                    skipped++;
                }
            }
            if (inputs.isEmpty()) {
                throw new IllegalArgumentException("no image under " + dir + " could be decoded");
            }
            out.printf(Locale.ROOT, "model %s, %d images, batch %d, %d rounds, %d cores, device %s, image pipeline %s%n",
                    modelOptions.modelPath(), inputs.size(), batch, rounds, Runtime.getRuntime().availableProcessors(),
                    modelOptions.device,
                    imageOptions.imagePipeline.resolve(modelOptions.device.isCuda()));
            List<List<ImageInput>> batches = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i += batch) {
                batches.add(inputs.subList(i, Math.min(inputs.size(), i + batch)));
            }
            // Warm-up: one untimed round of every measured section over all batches (JIT, native allocators,
            // thread pools), so that small folders measure steady state rather than the first calls.
            Features warmClasses = model.encodeTexts(texts);
            for (List<ImageInput> b : batches) {
                model.encodePixels(model.preprocess(b), b.size());
                model.encodeImages(b);
                model.zeroShotTopK(b, warmClasses, 5);
            }

            long t0 = System.nanoTime();
            List<float[]> pixels = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                pixels.clear();
                for (List<ImageInput> b : batches) {
                    pixels.add(model.preprocess(b));
                }
            }
            double pre = rate(inputs.size() * rounds, t0);
            t0 = System.nanoTime();
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < batches.size(); i++) {
                    model.encodePixels(pixels.get(i), batches.get(i).size());
                }
            }
            double fwd = rate(inputs.size() * rounds, t0);
            t0 = System.nanoTime();
            for (int r = 0; r < rounds; r++) {
                for (List<ImageInput> b : batches) {
                    model.encodeImages(b);
                }
            }
            double e2e = rate(inputs.size() * rounds, t0);
            t0 = System.nanoTime();
            for (int r = 0; r < rounds; r++) {
                model.encodeTexts(texts);
            }
            double txt = rate(texts.size() * rounds, t0);
            // Zero-shot against the 64 texts as classes: the image path plus scoring (on the device with KERNELS).
            Features classes = model.encodeTexts(texts);
            t0 = System.nanoTime();
            for (int r = 0; r < rounds; r++) {
                for (List<ImageInput> b : batches) {
                    model.zeroShotTopK(b, classes, 5);
                }
            }
            double zeroShot = rate(inputs.size() * rounds, t0);
            out.printf(Locale.ROOT, "decode+preprocess  %10.1f images/s%n", pre);
            out.printf(Locale.ROOT, "vision forward     %10.1f images/s%n", fwd);
            out.printf(Locale.ROOT, "end to end         %10.1f images/s%n", e2e);
            out.printf(Locale.ROOT, "text tower         %10.1f texts/s (tokenize + forward)%n", txt);
            out.printf(Locale.ROOT, "zero-shot top-5    %10.1f images/s (end to end, %d classes)%n", zeroShot,
                    classes.rows());
        }
        return skipped == 0 ? 0 : ClipCli.EXIT_INPUT;
    }

    private static double rate(int items, long t0) {
        return items / ((System.nanoTime() - t0) / 1e9);
    }
}
