package io.clip4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every manifest image and reference size against the Pillow/torchvision reference outputs. */
class PreprocessReferenceTest {

    @Test
    void manifestHasAllImages() {
        assertEquals(18, Fixtures.manifest().get("images").size());
    }

    @TestFactory
    Stream<DynamicTest> rgbAndPixelValuesMatchReference() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode e : Fixtures.manifest().get("images")) {
            for (JsonNode ref : e.get("references")) {
                String name = e.get("name").asText() + "@" + ref.get("n_px").asInt();
                tests.add(DynamicTest.dynamicTest(name, () -> check(e, ref)));
            }
        }
        return tests.stream();
    }

    private static void check(JsonNode e, JsonNode ref) {
        int n = ref.get("n_px").asInt();
        DecodedImage img = Fixtures.referenceInput(e);
        assertEquals(e.get("size_wh").get(0).asInt(), img.width(), "width");
        assertEquals(e.get("size_wh").get(1).asInt(), img.height(), "height");
        // Pillow's mode on open; palette (P) images arrive expanded to RGB and flagged nearest-only.
        String pillowMode = e.get("mode_on_open").asText();
        assertEquals(pillowMode.equals("P") ? PixelMode.RGB : PixelMode.valueOf(pillowMode), img.mode(), "mode");
        assertEquals(pillowMode.equals("P"), img.nearestOnly(), "nearestOnly");

        ClipGeometry g = ClipGeometry.of(img.width(), img.height(), n);
        assertEquals(ref.get("resized_size_wh").get(0).asInt(), g.resizedWidth(), "resized width");
        assertEquals(ref.get("resized_size_wh").get(1).asInt(), g.resizedHeight(), "resized height");
        int[] box = new int[4];
        for (int i = 0; i < 4; i++) {
            box[i] = ref.get("crop_box_ltrb").get(i).asInt();
        }
        assertArrayEquals(box, g.cropBoxLtrb(), "crop box");

        ImagePreprocessor pre = ImagePreprocessor.clip(n);
        byte[] rgb = pre.resizeCropRgb(ImageInput.of(img));
        byte[] expectedRgb = Fixtures.npy(ref.get("rgb_u8").get("file").asText()).toByteArray();
        assertEquals(expectedRgb.length, rgb.length);
        int maxDiff = 0;
        int firstBad = -1;
        for (int i = 0; i < rgb.length; i++) {
            int d = Math.abs((rgb[i] & 0xFF) - (expectedRgb[i] & 0xFF));
            if (d > 0 && firstBad < 0) {
                firstBad = i;
            }
            maxDiff = Math.max(maxDiff, d);
        }
        assertEquals(0, maxDiff, "rgb_u8 max abs diff (first mismatch at flat index " + firstBad + ")");

        float[] pv = pre.preprocess(img);
        float[] expected = Fixtures.npy(ref.get("pixel_values").get("file").asText()).toFloatArray();
        assertEquals(expected.length, pv.length);
        double maxErr = 0;
        for (int i = 0; i < pv.length; i++) {
            maxErr = Math.max(maxErr, Math.abs(pv[i] - expected[i]));
        }
        assertTrue(maxErr <= 1e-6, "pixel_values max abs diff " + maxErr);
        // The float32 formula is documented as bit-exact; hold the implementation to that.
        assertArrayEquals(expected, pv, 0.0f, "pixel_values bit-exact");
    }
}
