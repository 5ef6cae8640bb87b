package io.clip4j.torch;

import io.clip4j.ClipConfig;
import io.clip4j.checkpoint.CheckpointException;
import io.clip4j.checkpoint.StateDict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The nine OpenAI configurations build from random state dicts with the reference's parameter shapes (one model
 * at a time, freed before the next), RN50 and ViT-B/32 also run one image and one text; and the engine reads
 * every parameter of the reference (removing any one of them fails the build with its name).
 */
class OpenAiConfigsTest {
    static Stream<String> names() {
        return ClipConfig.openaiNames().stream();
    }

    @ParameterizedTest
    @MethodSource("names")
    void buildsFromReferenceShapes(String name) {
        ClipConfig c = ClipConfig.openai(name);
        StateDict sd = RandomStateDicts.create(c, name.hashCode());
        try (TorchClip clip = TorchClip.create(sd, c)) {
            assertEquals(c, clip.config());
            if (name.equals("RN50") || name.equals("ViT-B/32")) {
                int s = c.imageResolution();
                float[] image = clip.encodeImage(TorchClipTest.randomPixels(1, s, 1), 1);
                float[] text = clip.encodeText(TorchClipTest.randomIds(1, c.contextLength(), 1), 1);
                assertEquals(c.embedDim(), image.length);
                assertEquals(c.embedDim(), text.length);
                assertAllFinite(name + " image_features", image);
                assertAllFinite(name + " text_features", text);
            }
        }
    }

    @Test
    void everyReferenceParameterIsRequired() {
        for (ClipConfig c : new ClipConfig[]{TorchClipTest.SMALL_VIT, TorchClipTest.SMALL_RN}) {
            for (String key : ReferenceShapes.of(c).keySet()) {
                if (key.endsWith("num_batches_tracked")) {
                    continue; // unused by eval-mode BatchNorm, like in the reference
                }
                Map<String, long[]> shapes = ReferenceShapes.of(c);
                shapes.remove(key);
                StateDict sd = RandomStateDicts.create(shapes, 3);
                CheckpointException e = assertThrows(CheckpointException.class, () -> TorchClip.create(sd, c).close(),
                        "building without " + key);
                assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
            }
        }
    }

    private static void assertAllFinite(String what, float[] v) {
        for (int i = 0; i < v.length; i++) {
            assertTrue(Float.isFinite(v[i]), what + "[" + i + "] = " + v[i]);
        }
    }
}
