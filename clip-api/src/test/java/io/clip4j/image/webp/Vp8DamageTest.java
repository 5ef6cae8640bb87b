package io.clip4j.image.webp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.image.ImageDecodeException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.clip4j.image.webp.Vp8DecoderTest.decode;
import static io.clip4j.image.webp.Vp8DecoderTest.resource;
import static io.clip4j.image.webp.Vp8DecoderTest.sha256;
import static io.clip4j.image.webp.Vp8DecoderTest.vp8Chunk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged VP8 data decodes to exactly what Pillow decodes, or fails where Pillow fails (bit flips in the payload,
 * payloads cut short in a consistent container; cases and Pillow's results in damaged-vp8.json, made by
 * make-damaged-vp8.py), and no damage gives anything but a picture or an {@link ImageDecodeException}.
 */
class Vp8DamageTest {
    /** Applies the edits of one case, as make-damaged-vp8.py does. */
    static byte[] apply(byte[] file, JsonNode edits) {
        byte[] b = file.clone();
        int[] chunk = vp8Chunk(file);
        for (JsonNode e : edits) {
            switch (e.get(0).asText()) {
                case "flip" -> b[e.get(1).asInt()] ^= (byte) (1 << e.get(2).asInt());
                case "cut" -> b = simpleFile(Arrays.copyOfRange(b, chunk[0], chunk[0] + e.get(1).asInt()));
                default -> throw new IllegalArgumentException("unknown edit " + e);
            }
        }
        return b;
    }

    /** A simple-format WebP file around a VP8 payload, padded to an even size. */
    static byte[] simpleFile(byte[] payload) {
        int padded = payload.length + (payload.length & 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("RIFF".getBytes(StandardCharsets.ISO_8859_1));
        writeLe32(out, 4 + 8 + padded);
        out.writeBytes("WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1));
        writeLe32(out, payload.length);
        out.writeBytes(payload);
        if (padded != payload.length) {
            out.write(0);
        }
        return out.toByteArray();
    }

    private static void writeLe32(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >> 8);
        out.write(v >> 16);
        out.write(v >> 24);
    }

    /** @return the SHA-256 of the RGB picture, or null when the decoder rejects the data */
    static String decodeRgb(byte[] file) {
        try {
            Vp8Frame f = decode(file);
            byte[] rgb = new byte[f.width() * f.height() * 3];
            YuvConverter.toRgb(f, rgb, 3);
            return sha256(rgb);
        } catch (ImageDecodeException e) {
            assertTrue(e.getMessage().startsWith("WebP: "), e.getMessage());
            return null;
        }
    }

    @Test
    void damagedFilesDecodeLikePillow() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(resource("damaged-vp8.json"));
        List<String> mismatches = new ArrayList<>();
        int errors = 0;
        for (JsonNode c : cases) {
            byte[] file = apply(resource(c.get("file").asText()), c.get("edits"));
            String got = decodeRgb(file);
            String label = c.get("file").asText() + " " + c.get("edits");
            if (c.has("error")) {
                errors++;
                if (got != null) {
                    mismatches.add(label + ": decoded where Pillow fails (" + c.get("error").asText() + ")");
                }
            } else if (got == null) {
                mismatches.add(label + ": fails where Pillow decodes");
            } else if (!got.equals(c.get("sha256").asText())) {
                mismatches.add(label + ": pixels differ");
            }
        }
        assertTrue(cases.size() > 400 && errors > 50, cases.size() + " cases, " + errors + " errors");
        assertEquals(List.of(), mismatches);
    }

    /** Every cut of a payload fails or decodes, nothing else; and a cut within the partitions' data fails. */
    @Test
    void cutPayloadsFailCleanly() throws IOException {
        for (String name : new String[] {"lossy_q75.webp", "vp8_partitions8.webp", "lossy_1x1.webp"}) {
            byte[] file = resource(name);
            int[] c = vp8Chunk(file);
            int decoded = 0;
            for (int n = 0; n < c[1]; n++) {
                try {
                    Vp8Decoder.decode(file, c[0], n, 1L << 26);
                    decoded++;
                } catch (ImageDecodeException e) {
                    assertTrue(e.getMessage().startsWith("WebP: "), e.getMessage());
                }
            }
            // only cuts in the last few bytes (which the bool decoder may never need) can still decode
            assertTrue(decoded <= 3, name + ": " + decoded + " cuts decoded");
        }
    }

    /** Random damage anywhere, seeded: a picture or an ImageDecodeException, never another exception. */
    @Test
    void randomDamageNeverThrowsAnythingElse() throws IOException {
        Random rnd = new Random(7);
        for (String name : new String[] {"lossy_q75.webp", "lossy_strong_filter.webp", "vp8_partitions8.webp",
            "lossy_tall_37x300.webp", "lossy_simple_filter.webp"}) {
            byte[] file = resource(name);
            int[] c = vp8Chunk(file);
            for (int i = 0; i < 300; i++) {
                byte[] b = file.clone();
                int flips = 1 + rnd.nextInt(i % 10 == 0 ? 40 : 4);
                for (int k = 0; k < flips; k++) {
                    int pos = c[0] + rnd.nextInt(c[1]);
                    if (i % 7 == 0) {
                        b[pos] = (byte) rnd.nextInt(256);
                    } else {
                        b[pos] ^= (byte) (1 << rnd.nextInt(8));
                    }
                }
                decodeRgb(b);
            }
        }
    }
}
