package io.clip4j.image.webp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static io.clip4j.image.webp.WebpTestFiles.chunk;
import static io.clip4j.image.webp.WebpTestFiles.pillowBytes;
import static io.clip4j.image.webp.WebpTestFiles.resource;
import static io.clip4j.image.webp.WebpTestFiles.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every lossless test file decodes to exactly Pillow's pixels (pillow.json, made by make-webp.py). */
class Vp8lDecoderTest {
    @Test
    void losslessFilesDecodeLikePillow() throws IOException {
        JsonNode ref = new ObjectMapper().readTree(resource("pillow.json"));
        List<String> mismatches = new ArrayList<>();
        int checked = 0;
        for (var it = ref.fields(); it.hasNext(); ) {
            var e = it.next();
            String name = e.getKey();
            if (!name.startsWith("lossless_") && !name.equals("pillow_lossless_rgba.webp")) {
                continue;
            }
            JsonNode want = e.getValue();
            byte[] file = resource(name);
            WebpTestFiles.Chunk c = chunk(file, "VP8L");
            // With its padding byte, as libwebp sees an odd-sized chunk.
            Vp8lImage im = Vp8lDecoder.decode(file, c.offset(), c.length() + (c.length() & 1), 1L << 24);
            String got = sha256(pillowBytes(im.argb(), want.get("mode").asText()));
            if (im.width() != want.get("size").get(0).asInt() || im.height() != want.get("size").get(1).asInt()
                    || !got.equals(want.get("sha256").asText())) {
                mismatches.add(name);
            }
            checked++;
        }
        assertEquals(List.of(), mismatches);
        assertTrue(checked >= 17, "files checked: " + checked);
    }
}
