package io.clip4j.image.webp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.image.ImageDecodeException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.clip4j.image.webp.WebpTestFiles.canvasSize;
import static io.clip4j.image.webp.WebpTestFiles.payload;
import static io.clip4j.image.webp.WebpTestFiles.pillowBytes;
import static io.clip4j.image.webp.WebpTestFiles.resource;
import static io.clip4j.image.webp.WebpTestFiles.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged and hand-crafted VP8L and ALPH payloads fail exactly where Pillow / libwebp 1.2.4 fails, with an
 * ImageDecodeException raised by a check (not wrapped from another exception), and otherwise decode to Pillow's
 * pixels. damaged-vp8l.json (make-damaged-vp8l.py): cut, bit flips, overwritten bytes of the test files' payloads;
 * crafted.json (make-crafted-reference.py): streams built to hit libwebp's corner cases.
 */
class DamagedWebpTest {
    /** The alpha plane size of the crafted ALPH cases (their lossy part is alpha_x_raw_none.webp's). */
    private static final int[] CRAFTED_ALPHA_SIZE = {41, 23};

    static byte[] apply(byte[] payload, JsonNode edits) {
        byte[] b = payload.clone();
        for (JsonNode e : edits) {
            int p = e.get(1).asInt();
            switch (e.get(0).asText()) {
                case "cut" -> b = Arrays.copyOf(b, p);
                case "flip" -> b[p >> 3] ^= (byte) (1 << (p & 7));
                case "set" -> b[p] = (byte) e.get(2).asInt();
                default -> throw new IllegalArgumentException("unknown edit " + e);
            }
        }
        return b;
    }

    /**
     * Decodes a payload and compares with Pillow's result.
     *
     * @return the outcome ("both fail", "same pixels", ...), after adding a mismatch to {@code mismatches}
     */
    static String check(String tag, byte[] data, int[] alphaSize, JsonNode want, String what, List<String> mismatches) {
        try {
            String got;
            if (tag.equals("VP8L")) {
                // libwebp sees the padding byte of an odd-sized chunk (the demuxer hands over the padded chunk).
                byte[] padded = Arrays.copyOf(data, data.length + (data.length & 1));
                Vp8lImage im = Vp8lDecoder.decode(padded, 0, padded.length, 1L << 24);
                got = want.has("mode") ? im.width() + "x" + im.height() + " "
                        + sha256(pillowBytes(im.argb(), want.get("mode").asText())) : "decoded";
            } else {
                got = sha256(AlphaDecoder.decode(data, 0, data.length, alphaSize[0], alphaSize[1]));
            }
            String expected = want.has("error") ? "error " + want.get("error").asText()
                    : (want.has("size") ? want.get("size").get(0).asInt() + "x" + want.get("size").get(1).asInt()
                    + " " : "") + want.get("sha256").asText();
            String outcome = want.has("error") ? "decoded where Pillow fails"
                    : expected.equals(got) ? "same pixels" : "different pixels";
            if (!expected.equals(got)) {
                mismatches.add(what + ": " + outcome);
            }
            return outcome;
        } catch (ImageDecodeException e) {
            assertNull(e.getCause(), what + ": " + e);
            if (!want.has("error")) {
                mismatches.add(what + ": " + e.getMessage());
                return "fails where Pillow decodes";
            }
            return "both fail";
        }
    }

    @Test
    void damagedPayloadsDecodeLikePillow() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(resource("damaged-vp8l.json"));
        Map<String, byte[]> seeds = new HashMap<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            String seed = c.get("seed").asText();
            String tag = c.get("chunk").asText();
            if (!seeds.containsKey(seed)) {
                seeds.put(seed, resource(seed));
            }
            byte[] file = seeds.get(seed);
            byte[] data = apply(payload(file, tag), c.get("edits"));
            String what = "case " + i + " (" + seed + " " + c.get("edits") + ")";
            String outcome = check(tag, data, tag.equals("ALPH") ? canvasSize(file) : null, c.get("pillow"), what,
                    mismatches);
            outcomes.merge(tag + ": " + outcome, 1, Integer::sum);
        }
        assertEquals(List.of(), mismatches, outcomes.toString());
        assertTrue(outcomes.getOrDefault("VP8L: both fail", 0) > 300, outcomes.toString());
        assertTrue(outcomes.getOrDefault("VP8L: same pixels", 0) > 50, outcomes.toString());
        assertTrue(outcomes.getOrDefault("ALPH: both fail", 0) > 100, outcomes.toString());
        assertTrue(outcomes.getOrDefault("ALPH: same pixels", 0) > 50, outcomes.toString());
    }

    @Test
    void craftedStreamsDecodeLikePillow() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(resource("crafted.json"));
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> mismatches = new ArrayList<>();
        for (JsonNode c : cases) {
            String tag = c.get("chunk").asText();
            byte[] data = HexFormat.of().parseHex(c.get("hex").asText());
            String outcome = check(tag, data, CRAFTED_ALPHA_SIZE, c.get("pillow"), c.get("name").asText(), mismatches);
            outcomes.merge(outcome, 1, Integer::sum);
        }
        assertEquals(List.of(), mismatches, outcomes.toString());
        assertTrue(outcomes.getOrDefault("both fail", 0) >= 30, outcomes.toString());
        assertTrue(outcomes.getOrDefault("same pixels", 0) >= 30, outcomes.toString());
    }
}
