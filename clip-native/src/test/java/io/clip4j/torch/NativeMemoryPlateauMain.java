package io.clip4j.torch;

import io.clip4j.ClipException;
import io.clip4j.ClipModel;
import io.clip4j.ImagePipeline;
import io.clip4j.checkpoint.CheckpointReader;
import io.clip4j.checkpoint.SafetensorsWriter;
import io.clip4j.checkpoint.TensorData;
import io.clip4j.image.ImageInput;
import org.bytedeco.javacpp.Pointer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Not a test: a measurement, run by hand. Repeats encodes, zero-shot calls, failing batches and load + close of
 * the tiny fixture models, and prints after each round the process's resident memory (VmRSS), JavaCPP's physical
 * bytes and its count/bytes of live native objects, so a per-call leak shows as a steady climb after warm-up.
 *
 * <pre>java -cp CLASSPATH -Dclip4j.testdata=testdata io.clip4j.torch.NativeMemoryPlateauMain [rounds] [perRound]</pre>
 */
public final class NativeMemoryPlateauMain {
    private NativeMemoryPlateauMain() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        Path data = Path.of(System.getProperty("clip4j.testdata", "testdata"));
        Path vit = data.resolve("models/tiny-vit");
        List<ImageInput> imgs = ClipModelEndToEndTest.images(vit);
        List<ImageInput> withBad = new ArrayList<>(imgs);
        withBad.add(withBad.size() / 2, ImageInput.ofEncoded(new byte[]{1, 2, 3, 4, 5}, "garbage.bin"));
        List<String> labels = List.of("a photo of a cat", "a diagram", "a dog");
        int threadsBefore = Thread.activeCount(); // this thread group's live threads

        for (ImagePipeline pipeline : new ImagePipeline[]{ImagePipeline.JAVA, ImagePipeline.KERNELS}) {
            try (ClipModel m = ClipModel.builder(vit).imagePipeline(pipeline).batchSize(2).build()) {
                measure("encodeText " + pipeline, rounds, perRound, () -> m.encodeText("a photo of a cat"));
                measure("encodeImage " + pipeline, rounds, perRound, () -> m.encodeImage(imgs.get(0)));
                measure("zeroShot " + pipeline, rounds, perRound / 2, () -> m.zeroShot(imgs.get(1), labels));
                measure("encodeImages+bad " + pipeline, rounds, perRound / 2, () -> {
                    try {
                        m.encodeImages(withBad);
                        throw new AssertionError("garbage decoded");
                    } catch (ClipException expected) {
                        // the batch before the bad image ran; its tensors must be freed
                    }
                });
            }
        }

        Path tmp = Files.createTempDirectory("clip4j-nan");
        Map<String, TensorData> tensors = new LinkedHashMap<>(CheckpointReader.read(vit.resolve("model.safetensors"))
                .asMap());
        long[] shape = tensors.get("text_projection").shape();
        float[] nan = new float[(int) (shape[0] * shape[1])];
        java.util.Arrays.fill(nan, Float.NaN);
        tensors.put("text_projection", SafetensorsWriter.float32(nan, shape));
        Path nanModel = tmp.resolve("nan.safetensors");
        SafetensorsWriter.write(nanModel, tensors, Map.of());
        try (ClipModel m = ClipModel.load(nanModel)) {
            measure("encodeTexts NaN weights", rounds, perRound, () -> {
                try {
                    m.encodeTexts(labels);
                    throw new AssertionError("NaN weights gave finite features");
                } catch (ClipException expected) {
                    // NonFiniteFeaturesException
                }
            });
        }
        measure("load+close tiny-vit dir", rounds, Math.max(1, perRound / 10), () -> {
            try (ClipModel m = ClipModel.load(vit)) {
                m.encodeText("x");
            }
        });
        measure("load+close tiny-rn model.pt", rounds, Math.max(1, perRound / 10), () -> {
            try (ClipModel m = ClipModel.load(data.resolve("models/tiny-rn/model.pt"))) {
                m.encodeText("x");
            }
        });
        Files.deleteIfExists(nanModel);
        Files.deleteIfExists(tmp);
        System.out.printf("threads: %d before, %d after: %s%n", threadsBefore, Thread.activeCount(),
                Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().toList());
    }

    private static void measure(String what, int rounds, int perRound, Runnable call) throws Exception {
        for (int i = 0; i < perRound; i++) { // warm-up round, not printed
            call.run();
        }
        StringBuilder line = new StringBuilder(String.format("%-34s x%-5d", what, perRound));
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < perRound; i++) {
                call.run();
            }
            System.gc();
            line.append(String.format(" | rss %6.1f phys %6.1f live %d/%.2f",
                    rssKiB() / 1024.0, Pointer.physicalBytes() / 1048576.0, Pointer.totalCount(),
                    Pointer.totalBytes() / 1048576.0));
        }
        System.out.println(line);
    }

    private static long rssKiB() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
