package io.clip4j.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.io.Npy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every fixture FILE (PNG and JPEG, CMYK included) through clip-api's own decoders, as on Android or
 * without natives: the uint8 image after resize and crop, and pixel_values, equal Pillow's.
 */
class PureJavaEndToEndTest {
    private static final Path PRE = Path.of(System.getProperty("clip4j.testdata"), "preprocess");

    static List<JsonNode> images() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        new ObjectMapper().readTree(PRE.resolve("manifest.json").toFile()).get("images").forEach(out::add);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void fileToPixelValuesEqualsReference(JsonNode image) {
        assertTrue(ImageDecoders.defaults().decoders().stream().noneMatch(d -> d.priority() > 0),
                "clip-api's tests see only the pure-Java decoders");
        String name = image.get("name").asText();
        ImageInput input = ImageInput.of(PRE.resolve(image.get("file").asText()));
        for (JsonNode ref : image.get("references")) {
            ImagePreprocessor pre = ImagePreprocessor.clip(ref.get("n_px").asInt());
            byte[] rgb = pre.resizeCropRgb(input);
            assertArrayEquals(Npy.read(PRE.resolve(ref.get("rgb_u8").get("file").asText())).toByteArray(), rgb, name);
            float[] px = pre.preprocess(input);
            assertArrayEquals(Npy.read(PRE.resolve(ref.get("pixel_values").get("file").asText())).toFloatArray(), px,
                    1e-6f, name);
        }
    }
}
