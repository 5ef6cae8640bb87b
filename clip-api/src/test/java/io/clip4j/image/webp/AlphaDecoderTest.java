package io.clip4j.image.webp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.image.ImageDecodeException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static io.clip4j.image.webp.WebpTestFiles.canvasSize;
import static io.clip4j.image.webp.WebpTestFiles.chunk;
import static io.clip4j.image.webp.WebpTestFiles.resource;
import static io.clip4j.image.webp.WebpTestFiles.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ALPH chunk of every lossy+alpha test file decodes to the alpha plane Pillow decodes (alpha.json, made by
 * make-alpha-reference.py): raw and VP8L-compressed, every filter, level-reduced, 8- and 32-bit libwebp paths.
 */
class AlphaDecoderTest {
    @Test
    void alphaPlanesMatchPillow() throws IOException {
        JsonNode ref = new ObjectMapper().readTree(resource("alpha.json"));
        List<String> mismatches = new ArrayList<>();
        for (var it = ref.fields(); it.hasNext(); ) {
            var e = it.next();
            byte[] file = resource(e.getKey());
            int[] size = canvasSize(file);
            WebpTestFiles.Chunk c = chunk(file, "ALPH");
            byte[] alpha = AlphaDecoder.decode(file, c.offset(), c.length(), size[0], size[1]);
            if (!sha256(alpha).equals(e.getValue().get("sha256").asText())) {
                mismatches.add(e.getKey());
            }
        }
        assertEquals(List.of(), mismatches);
        assertTrue(ref.size() >= 18, "files: " + ref.size());
    }

    @Test
    void badHeadersAreRejected() throws IOException {
        byte[] file = resource("alpha_x_raw_vertical.webp");
        WebpTestFiles.Chunk c = chunk(file, "ALPH");
        int[] size = canvasSize(file);
        int header = file[c.offset()] & 0xFF;
        for (int bad : new int[] {header | 2, header | 3, header | 0x20, header | 0x30, header | 0x40, header | 0x80}) {
            byte[] b = file.clone();
            b[c.offset()] = (byte) bad;
            var ex = assertThrows(ImageDecodeException.class,
                    () -> AlphaDecoder.decode(b, c.offset(), c.length(), size[0], size[1]));
            assertTrue(ex.getMessage().startsWith("WebP: "), ex.getMessage());
        }
        // Too short: only the header byte, or raw data one byte short of the plane.
        assertThrows(ImageDecodeException.class, () -> AlphaDecoder.decode(file, c.offset(), 1, size[0], size[1]));
        assertThrows(ImageDecodeException.class, () -> AlphaDecoder.decode(file, c.offset(), 0, size[0], size[1]));
        assertThrows(ImageDecodeException.class,
                () -> AlphaDecoder.decode(file, c.offset(), size[0] * size[1], size[0], size[1]));
        AlphaDecoder.decode(file, c.offset(), size[0] * size[1] + 1, size[0], size[1]);
    }
}
