package io.clip4j.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.io.Npy;
import java.io.IOException;
import java.nio.file.Path;

/** Access to testdata/preprocess (the reference fixtures). */
final class Fixtures {
    private Fixtures() {
    }

    static Path preprocessDir() {
        String p = System.getProperty("clip4j.testdata");
        if (p == null) {
            throw new IllegalStateException("system property clip4j.testdata is not set");
        }
        return Path.of(p).resolve("preprocess");
    }

    static JsonNode manifest() {
        try {
            return new ObjectMapper().readTree(preprocessDir().resolve("manifest.json").toFile());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode image(String name) {
        for (JsonNode e : manifest().get("images")) {
            if (e.get("name").asText().equals(name)) {
                return e;
            }
        }
        throw new IllegalArgumentException(name);
    }

    static Npy npy(String relative) {
        return Npy.read(preprocessDir().resolve(relative));
    }

    /** The image as the reference pipeline receives it: our decoder for PNG, Pillow's pixels for JPEG. */
    static DecodedImage referenceInput(JsonNode entry) {
        if (entry.get("format").asText().equals("JPEG")) {
            Npy d = npy(entry.get("decoded").get("file").asText());
            long[] s = d.shape();
            PixelMode mode = PixelMode.valueOf(entry.get("mode_on_open").asText());
            return DecodedImage.ofBytes((int) s[1], (int) s[0], mode, d.toByteArray(), false, 1);
        }
        return ImagePreprocessor.clip().decode(ImageInput.of(preprocessDir().resolve(entry.get("file").asText())));
    }
}
