package io.clip4j.image.webp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.image.DecodedImage;
import io.clip4j.image.ImageDecodeException;
import io.clip4j.image.ImageDecoders;
import io.clip4j.image.ImagePreprocessor;
import io.clip4j.image.ImageInput;
import io.clip4j.image.PixelMode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole WebP files decode to exactly Pillow 9.4's pixels (libwebp 1.2.4 through WebPAnimDecoder): lossy, lossy
 * with every kind of 'ALPH' chunk, lossless, animations (first frame on a cleared canvas) and VP8X files with
 * metadata (pillow.json, made by make-webp.py); and seeded damage to the container and the bitstreams gives
 * Pillow's result, pixels or failure (damaged-files.json, made by make-damaged-files.py), as do hand-assembled
 * containers probing libwebp's rules (crafted-files.json, made by make-crafted-files.py).
 */
class WebpDecoderTest {
    private static final WebpDecoder DECODER = new WebpDecoder();

    static byte[] resource(String name) throws IOException {
        try (InputStream in = WebpDecoderTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            return in.readAllBytes();
        }
    }

    static JsonNode json(String name) throws IOException {
        return new ObjectMapper().readTree(resource(name));
    }

    private static String sha256(byte[] data) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** @return null when the result is Pillow's, else what differs */
    private static String compare(DecodedImage img, JsonNode ref) throws NoSuchAlgorithmException {
        String got = img.mode() + " " + img.width() + "x" + img.height() + " " + sha256(img.data());
        String want = ref.get("mode").asText() + " " + ref.get("size").get(0).asInt() + "x"
                + ref.get("size").get(1).asInt() + " " + ref.get("sha256").asText();
        return got.equals(want) ? null : "got " + got + ", Pillow " + want;
    }

    @Test
    void everyFileDecodesToPillowsPixels() throws Exception {
        JsonNode ref = json("pillow.json");
        List<String> wrong = new ArrayList<>();
        int n = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = ref.fields(); it.hasNext(); n++) {
            Map.Entry<String, JsonNode> e = it.next();
            try {
                String diff = compare(DECODER.decode(resource(e.getKey()), Long.MAX_VALUE), e.getValue());
                if (diff != null) {
                    wrong.add(e.getKey() + ": " + diff);
                }
            } catch (ImageDecodeException ex) {
                wrong.add(e.getKey() + ": " + ex.getMessage());
            }
        }
        assertTrue(n >= 40, n + " files");
        assertEquals(List.of(), wrong);
    }

    @Test
    void damagedFilesGivePillowsResult() throws Exception {
        List<String> wrong = new ArrayList<>();
        int decoded = 0;
        int i = 0;
        for (JsonNode c : json("damaged-files.json")) {
            byte[] file = apply(resource(c.get("seed").asText()), c.get("edits"));
            JsonNode want = c.get("pillow");
            String label = "case " + i++ + " " + c.get("seed").asText() + " " + c.get("edits");
            try {
                DecodedImage img = DECODER.decode(file, Long.MAX_VALUE);
                if (want.has("error")) {
                    wrong.add(label + ": decoded, Pillow: " + want.get("error").asText());
                } else {
                    String diff = compare(img, want);
                    if (diff != null) {
                        wrong.add(label + ": " + diff);
                    }
                    decoded++;
                }
            } catch (ImageDecodeException e) {
                if (!want.has("error")) {
                    wrong.add(label + ": " + e.getMessage() + ", Pillow decodes it");
                }
            }
        }
        assertEquals(List.of(), wrong, wrong.size() + " of " + i + " cases differ");
        assertTrue(decoded > 200, decoded + " decoded");
    }

    @Test
    void craftedContainersGivePillowsResult() throws Exception {
        List<String> wrong = new ArrayList<>();
        int n = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = json("crafted-files.json").fields(); it.hasNext(); n++) {
            Map.Entry<String, JsonNode> e = it.next();
            byte[] file = HexFormat.of().parseHex(e.getValue().get("hex").asText());
            JsonNode want = e.getValue().get("pillow");
            try {
                DecodedImage img = DECODER.decode(file, Long.MAX_VALUE);
                String diff = want.has("error") ? "decoded, Pillow: " + want.get("error").asText() : compare(img, want);
                if (diff != null) {
                    wrong.add(e.getKey() + ": " + diff);
                }
            } catch (ImageDecodeException ex) {
                if (!want.has("error")) {
                    wrong.add(e.getKey() + ": " + ex.getMessage() + ", Pillow decodes it");
                }
            }
        }
        assertTrue(n >= 30, n + " cases");
        assertEquals(List.of(), wrong);
    }

    static byte[] apply(byte[] seed, JsonNode edits) {
        byte[] b = seed.clone();
        for (JsonNode e : edits) {
            switch (e.get(0).asText()) {
                case "flip" -> b[e.get(1).asInt()] ^= (byte) (1 << e.get(2).asInt());
                case "set" -> {
                    byte[] v = HexFormat.of().parseHex(e.get(2).asText());
                    System.arraycopy(v, 0, b, e.get(1).asInt(), v.length);
                }
                case "cut" -> b = Arrays.copyOf(b, e.get(1).asInt());
                case "append" -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    out.writeBytes(b);
                    out.writeBytes(HexFormat.of().parseHex(e.get(1).asText()));
                    b = out.toByteArray();
                }
                default -> throw new IllegalArgumentException("unknown edit " + e);
            }
        }
        return b;
    }

    @Test
    void exifOrientationIsReported() throws Exception {
        assertEquals(6, DECODER.decode(resource("pillow_exif_icc.webp"), Long.MAX_VALUE).exifOrientation());
        assertEquals(1, DECODER.decode(resource("lossy_q75.webp"), Long.MAX_VALUE).exifOrientation());
    }

    @Test
    void pixelLimitIsCheckedBeforeDecoding() throws Exception {
        byte[] file = resource("lossy_q75.webp"); // 96x64
        assertEquals(96 * 64, DECODER.decode(file, 96 * 64).width() * 64);
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> DECODER.decode(file, 96 * 64 - 1));
        assertTrue(e.getMessage().contains("96x64"), e.getMessage());
    }

    @Test
    void damagedFrameHeaderFailsBeforeTheCanvasIsAllocated() {
        // Found by mutation fuzzing: lossy_1x1.webp with the frame size changed to 14558x4705 (68 million pixels,
        // under Pillow's limit) and a partition table past the data. It used to allocate the 205 MB canvas first.
        byte[] file = HexFormat.of().parseHex("52494646320000005745425056503820260000005001009d012ade3861d20cd7"
                + "1a0100010002003425a00004338000feef7697fffd83bfffd077fffa0eff4e0000");
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> DECODER.decode(file, ImagePreprocessor.PILLOW_MAX_IMAGE_PIXELS));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(e.getMessage().startsWith("WebP: cannot parse VP8 partitions"), e.getMessage());
        assertTrue(allocated < 16 << 20, allocated + " bytes allocated for a 65-byte file");
    }

    @Test
    void cutFilesAreTruncatedAndNamedSo() throws Exception {
        byte[] file = resource("lossless_z6.webp");
        for (int cut = 1; cut < file.length; cut += 97) {
            byte[] part = Arrays.copyOf(file, cut);
            ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> DECODER.decode(part, 1 << 20));
            assertTrue(e.getMessage().startsWith("WebP: "), e.getMessage());
        }
        assertThrows(ImageDecodeException.class, () -> DECODER.decode(null, 1));
    }

    @Test
    void registeredAndUsedByThePreprocessor() throws Exception {
        byte[] file = resource("lossy_q75.webp");
        DecodedImage viaRegistry = ImageDecoders.defaults().decode(file, 1 << 20, "cat.webp");
        assertEquals(PixelMode.RGB, viaRegistry.mode());
        float[] pixels = ImagePreprocessor.clip(32).preprocess(ImageInput.ofEncoded(file, "cat.webp"));
        assertEquals(3 * 32 * 32, pixels.length);
    }
}
