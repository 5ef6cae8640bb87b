package io.clip4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.clip4j.ClipException;
import io.clip4j.NonFiniteFeaturesException;
import io.clip4j.image.ImageDecodeException;
import io.clip4j.image.ImageInput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ImageBatchesTest {
    private final List<Integer> batchSizes = new ArrayList<>();

    /** A stand-in encoder: the result is the input's name; "bad" names fail as a decoder or engine would. */
    private Function<List<ImageInput>, List<String>> encoder() {
        return inputs -> {
            batchSizes.add(inputs.size());
            List<String> out = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                String name = inputs.get(i).toString();
                if (name.contains("broken")) {
                    throw new ImageDecodeException(name + ": not a PNG file");
                }
                if (name.contains("nan")) {
                    throw new NonFiniteFeaturesException("image_features of image " + i + " are not finite");
                }
                out.add(name);
            }
            return out;
        };
    }

    @Test
    void aBatchWithoutFaultsIsComputedInOneCall() {
        List<Path> files = List.of(Path.of("a.png"), Path.of("b.png"), Path.of("c.png"));
        List<ImageBatches.Skipped> skipped = new ArrayList<>();
        List<String> r = ImageBatches.compute(files, encoder(), skipped);
        assertEquals(List.of("a.png", "b.png", "c.png"), r);
        assertEquals(List.of(3), batchSizes);
        assertEquals(List.of(), skipped);
    }

    @Test
    void faultyFilesAreSkippedAndTheOthersKeepTheirPlaces() {
        List<Path> files = List.of(Path.of("a.png"), Path.of("broken.png"), Path.of("c.png"), Path.of("nan.png"));
        List<ImageBatches.Skipped> skipped = new ArrayList<>();
        List<String> r = ImageBatches.compute(files, encoder(), skipped);
        assertEquals(4, r.size());
        assertEquals("a.png", r.get(0));
        assertNull(r.get(1));
        assertEquals("c.png", r.get(2));
        assertNull(r.get(3));
        assertEquals(List.of(4, 1, 1, 1, 1), batchSizes); // the batch, then file by file
        assertEquals(List.of(Path.of("broken.png"), Path.of("nan.png")),
                skipped.stream().map(ImageBatches.Skipped::file).toList());
        assertEquals("broken.png: not a PNG file", skipped.get(0).reason()); // already names the file
        assertEquals("nan.png: image_features of image 0 are not finite", skipped.get(1).reason());
    }

    @Test
    void aBatchWithoutAnyFiniteImageIsTheModelsFaultNotEachFilesOne() {
        // A checkpoint with a NaN in its image tower: ./clip zero-shot over a folder printed "clip: skipped <file>:
        // image_features ... contain NaN: the checkpoint's weights are probably not finite" once per file.
        List<Path> files = List.of(Path.of("nan1.png"), Path.of("broken.png"), Path.of("nan2.png"));
        List<ImageBatches.Skipped> skipped = new ArrayList<>();
        NonFiniteFeaturesException e = assertThrows(NonFiniteFeaturesException.class,
                () -> ImageBatches.compute(files, encoder(), skipped));
        assertEquals("none of 3 images gave finite features (2 non-finite), so the model is at fault, not the images;"
                + " the first: nan1.png: image_features of image 0 are not finite", e.getMessage());
        assertEquals(List.of(), skipped);
        // one non-finite file next to an undecodable one: that file's own fault (e.g. a float16 overflow)
        List<String> r = ImageBatches.compute(List.of(Path.of("nan.png"), Path.of("broken.png")), encoder(), skipped);
        assertEquals(Arrays.asList(null, null), r);
        assertEquals(2, skipped.size());
    }

    @Test
    void otherFailuresAndWrongResultCountsPropagate() {
        ClipException engine = new ClipException("out of memory");
        List<Path> files = List.of(Path.of("a.png"));
        assertSame(engine, assertThrows(ClipException.class,
                () -> ImageBatches.compute(files, in -> { throw engine; }, new ArrayList<>())));
        assertThrows(IllegalArgumentException.class,
                () -> ImageBatches.compute(files, in -> List.of("x", "y"), new ArrayList<>()));
        assertThrows(IllegalArgumentException.class,
                () -> ImageBatches.compute(List.of(), encoder(), new ArrayList<>()));
    }
}
