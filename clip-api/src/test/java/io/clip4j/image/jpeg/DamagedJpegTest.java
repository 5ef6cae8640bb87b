package io.clip4j.image.jpeg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.image.DecodedImage;
import io.clip4j.image.ImageDecodeException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.clip4j.image.jpeg.JpegGeneratedFilesTest.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged JPEGs decode to exactly what Pillow decodes, or fail where Pillow fails: bad Huffman codes, markers
 * inside the data (the rest of the interval gray), restart markers out of sequence (libjpeg's resync), cut files,
 * progressive files cut short and closed with EOI (libjpeg's block smoothing); for arithmetic-coded files also
 * zero data after a marker, corrupt codes, and scans whose data crosses one of the 64 KiB blocks Pillow reads.
 * Files without their EOI decode or fail exactly as libjpeg's read-ahead decides. The cases and Pillow's results
 * are in damaged.json, damaged-arith.json, damaged-after-image.json and damaged-eoi.json (make-damaged.py).
 */
class DamagedJpegTest {
    static byte[] apply(byte[] seed, JsonNode edits) {
        byte[] b = seed.clone();
        for (JsonNode e : edits) {
            int p = e.get(1).asInt();
            switch (e.get(0).asText()) {
                case "set" -> {
                    byte[] v = HexFormat.of().parseHex(e.get(2).asText());
                    System.arraycopy(v, 0, b, p, v.length);
                }
                case "delete" -> b = concat(Arrays.copyOf(b, p), Arrays.copyOfRange(b, p + e.get(2).asInt(), b.length));
                case "insert" -> b = concat(Arrays.copyOf(b, p), HexFormat.of().parseHex(e.get(2).asText()),
                        Arrays.copyOfRange(b, p, b.length));
                case "cut" -> b = Arrays.copyOf(b, p);
                case "zeros" -> b = concat(Arrays.copyOf(b, p), new byte[e.get(2).asInt()], Arrays.copyOfRange(b, p, b.length));
                case "com" -> { // a COM segment with n zero bytes
                    int n = e.get(2).asInt();
                    byte[] com = new byte[4 + n];
                    com[0] = (byte) 0xFF;
                    com[1] = (byte) 0xFE;
                    com[2] = (byte) ((n + 2) >> 8);
                    com[3] = (byte) (n + 2);
                    b = concat(Arrays.copyOf(b, p), com, Arrays.copyOfRange(b, p, b.length));
                }
                default -> throw new IllegalArgumentException("unknown edit " + e);
            }
        }
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static String sha256(byte[] data) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** Files a review built for libjpeg's corner cases (damaged/, one per case; see the folder's README). */
    @Test
    void handMadeCornerCasesDecodeLikePillow() throws IOException, NoSuchAlgorithmException {
        JsonNode cases = new ObjectMapper().readTree(resource("damaged/pillow.json"));
        JpegDecoder decoder = new JpegDecoder();
        List<String> mismatches = new ArrayList<>();
        for (var it = cases.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode want = e.getValue();
            byte[] file = resource("damaged/" + e.getKey());
            try {
                DecodedImage im = decoder.decode(file, 1L << 24);
                if (want.has("error") || !sha256(im.data()).equals(want.get("sha256").asText())) {
                    mismatches.add(e.getKey() + (want.has("error") ? ": decoded where Pillow fails" : ": pixels differ"));
                }
            } catch (ImageDecodeException ex) {
                if (!want.has("error")) {
                    mismatches.add(e.getKey() + ": " + ex.getMessage());
                }
            }
        }
        assertTrue(cases.size() >= 14, "cases: " + cases.size());
        assertEquals(List.of(), mismatches);
    }

    @Test
    void damagedFilesDecodeLikePillow() throws IOException, NoSuchAlgorithmException {
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> mismatches = compare("damaged.json", outcomes);
        assertEquals(List.of(), mismatches, outcomes.toString());
        // The corpus must keep exercising both sides: damaged files that decode and files that fail.
        assertTrue(outcomes.getOrDefault("same pixels", 0) > 350, outcomes.toString());
        assertTrue(outcomes.getOrDefault("both fail", 0) > 100, outcomes.toString());
    }

    @Test
    void damagedArithmeticFilesDecodeLikePillow() throws IOException, NoSuchAlgorithmException {
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> mismatches = compare("damaged-arith.json", outcomes);
        assertEquals(List.of(), mismatches, outcomes.toString());
        assertTrue(outcomes.getOrDefault("same pixels", 0) > 200, outcomes.toString());
        assertTrue(outcomes.getOrDefault("both fail", 0) > 100, outcomes.toString());
    }

    /**
     * Single-scan files whose EOI gives way to zero bytes and then a marker, placed around Pillow's 64 KiB blocks:
     * once every row is out, libjpeg only sees the blocks Pillow had handed it, so a bad marker past them is never
     * read and Pillow returns the image, while one inside them fails it.
     */
    @Test
    void markersAfterTheImageCountOnlyInsideWhatPillowRead() throws IOException, NoSuchAlgorithmException {
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> mismatches = compare("damaged-after-image.json", outcomes);
        assertEquals(List.of(), mismatches, outcomes.toString());
        assertTrue(outcomes.getOrDefault("same pixels", 0) > 100, outcomes.toString());
        assertTrue(outcomes.getOrDefault("both fail", 0) > 10, outcomes.toString());
    }

    /**
     * Single-scan Huffman-coded files without their EOI: the scan data followed by nothing, by junk bytes (some
     * with a stuffed FF 00, a marker or a final FF), or cut short. Pillow fails such a file exactly when libjpeg's
     * bit buffer, refilled by its own fast- and slow-path rules, asks for a byte past the end of the file before the
     * last MCU is decoded; seeds of 0.6 to 22 KB, so that both paths matter, some moved near a 64 KiB block end.
     */
    @Test
    void filesWithoutEoiDecodeOrFailLikePillow() throws IOException, NoSuchAlgorithmException {
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> mismatches = compare("damaged-eoi.json", outcomes);
        assertEquals(List.of(), mismatches, outcomes.toString());
        assertTrue(outcomes.getOrDefault("same pixels", 0) > 200, outcomes.toString());
        assertTrue(outcomes.getOrDefault("both fail", 0) > 200, outcomes.toString());
    }

    /** Decodes every case of a corpus; returns the mismatches with Pillow and counts the outcomes. */
    private static List<String> compare(String corpus, Map<String, Integer> outcomes)
            throws IOException, NoSuchAlgorithmException {
        JsonNode cases = new ObjectMapper().readTree(resource(corpus));
        JpegDecoder decoder = new JpegDecoder();
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            byte[] file = apply(resource(c.get("seed").asText()), c.get("edits"));
            JsonNode want = c.get("pillow");
            String what = "case " + i + " (" + c.get("seed").asText() + ", " + c.get("kind").asText() + ")";
            String outcome;
            try {
                DecodedImage im = decoder.decode(file, 1L << 24);
                if (want.has("error")) {
                    outcome = "decoded where Pillow fails";
                    mismatches.add(what + ": decoded, Pillow: " + want.get("error").asText());
                } else {
                    boolean same = im.width() == want.get("width").asInt() && im.height() == want.get("height").asInt()
                            && sha256(im.data()).equals(want.get("sha256").asText());
                    outcome = same ? "same pixels" : "different pixels";
                    if (!same) {
                        mismatches.add(what + ": pixels differ from Pillow's");
                    }
                }
            } catch (ImageDecodeException e) {
                if (want.has("error")) {
                    outcome = "both fail";
                } else {
                    outcome = "fails where Pillow decodes";
                    mismatches.add(what + ": " + e.getMessage());
                }
            }
            outcomes.merge(outcome, 1, Integer::sum);
        }
        return mismatches;
    }
}
