package io.clip4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * open_clip's {@code resize_mode='squash'} ({@link ImagePreprocessor.Builder#squash}) against Pillow 9.4's
 * {@code img.resize((n, n), BICUBIC).convert("RGB")} of every image of the preprocessing fixtures
 * (testdata/preprocess/squash, see its make_reference.py; JPEGs from Pillow's decoded pixels): bit-exact, in every
 * mode (RGB, RGBA, L, P, 16-bit I, CMYK), down- and upsampling.
 */
class SquashReferenceTest {

    private static JsonNode index() throws IOException {
        return new ObjectMapper().readTree(Fixtures.preprocessDir().resolve("squash/index.json").toFile());
    }

    @TestFactory
    Stream<DynamicTest> squashMatchesPillow() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = index().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int n = e.getValue().get("n").asInt();
            tests.add(DynamicTest.dynamicTest(e.getKey() + "@" + n, () -> {
                DecodedImage img = Fixtures.referenceInput(Fixtures.image(e.getKey()));
                ImagePreprocessor pre = ImagePreprocessor.builder().size(n).squash(true).build();
                byte[] expected = Fixtures.npy("squash/" + e.getKey() + ".n" + n + ".rgb_u8.npy").toByteArray();
                assertArrayEquals(expected, pre.resizeCropRgb(ImageInput.of(img)), "rgb_u8");
                float[] pv = new float[pre.valuesPerImage()];
                pre.toPixelValues(expected, pv, 0);
                assertArrayEquals(pv, pre.preprocess(ImageInput.of(img)), 0f, "pixel_values");
            }));
        }
        assertEquals(18, tests.size(), "every image of the manifest");
        return tests.stream();
    }

    @Test
    void squashIsOffByDefaultAndDiffersFromResizeAndCrop() {
        DecodedImage chelsea = Fixtures.referenceInput(Fixtures.image("chelsea"));
        assertFalse(ImagePreprocessor.clip(48).squash());
        assertFalse(java.util.Arrays.equals(ImagePreprocessor.clip(48).resizeCropRgb(ImageInput.of(chelsea)),
                ImagePreprocessor.builder().size(48).squash(true).build().resizeCropRgb(ImageInput.of(chelsea))));
    }
}
