package io.clip4j.torch;

import io.clip4j.ClipConfig;
import io.clip4j.ClipException;
import io.clip4j.checkpoint.CheckpointReader;
import io.clip4j.checkpoint.ConfigInference;
import io.clip4j.checkpoint.StateDict;
import io.clip4j.io.Npy;

import java.nio.file.Path;

/**
 * Entry point of the fresh JVMs started by {@link NativeLibrariesTest}: loads the natives the clip4j way, runs
 * the tiny-vit text tower on the reference input_ids and prints the largest difference to the reference
 * text_features ({@code OK <diff>}), or prints {@code FAILED <exception>} when loading fails.
 */
public final class ColdStartMain {
    private ColdStartMain() {
    }

    public static void main(String[] args) {
        try {
            NativeLibraries.ensureLoaded();
        } catch (ClipException e) {
            System.out.println("FAILED " + e.getClass().getName() + ": " + e.getMessage());
            return;
        }
        Path dir = Path.of(System.getProperty("clip4j.testdata")).resolve("models/tiny-vit");
        StateDict sd = CheckpointReader.read(dir.resolve("state_dict.pt"));
        ClipConfig config = ConfigInference.infer(sd, dir.resolve("state_dict.pt"));
        Npy ids = Npy.read(dir.resolve("input_ids.npy"));
        float[] expected = Npy.read(dir.resolve("text_features.npy")).toFloatArray();
        try (TorchClip clip = TorchClip.create(sd, config)) {
            float[] actual = clip.encodeText(ids.toLongArray(), (int) ids.shape()[0]);
            double diff = 0;
            for (int i = 0; i < expected.length; i++) {
                diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
            }
            System.out.println("OK " + diff);
        }
    }
}
