package io.clip4j.image.tiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.image.DecodedImage;
import io.clip4j.image.ImageDecodeException;
import io.clip4j.image.ImageDecoders;
import io.clip4j.image.PixelMode;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every file made by {@code tiff/make-tiff.py} against what Pillow 9.4 / libtiff 4.5.0 gave for it
 * ({@code pillow.json}): supported files byte for byte, the others rejected with the recorded error;
 * then truncation and seeded random damage (only {@link ImageDecodeException} or a consistent image).
 */
class TiffDecoderTest {
    private static final long MAX = 89_478_485L;
    private final TiffDecoder tiff = new TiffDecoder();

    /** A file of this folder's test resources; also used by {@link TiffOrientationPreprocessTest}. */
    static byte[] resource(String name) throws IOException {
        try (InputStream in = TiffDecoderTest.class.getResourceAsStream("/io/clip4j/image/tiff/" + name)) {
            assertNotNull(in, "missing test resource " + name);
            return in.readAllBytes();
        }
    }

    private static List<JsonNode> entries() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        new ObjectMapper().readTree(resource("pillow.json")).forEach(out::add);
        assertTrue(out.size() > 40, "pillow.json has " + out.size() + " entries");
        return out;
    }

    /** Lower-case hex SHA-256, as the fixtures record pixels; also used by {@link TiffOrientationPreprocessTest}. */
    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyFileMatchesPillowOrIsRejectedAsRecorded() throws IOException {
        int matched = 0;
        for (JsonNode e : entries()) {
            String name = e.get("file").asText();
            byte[] file = resource(name);
            assertTrue(tiff.canDecode(file), name);
            if (e.has("clip4j_error")) {
                ImageDecodeException ex = assertThrows(ImageDecodeException.class, () -> tiff.decode(file, MAX), name);
                assertEquals(e.get("clip4j_error").asText(), ex.getMessage(), name);
                continue;
            }
            DecodedImage img = tiff.decode(file, MAX);
            String pillowMode = e.get("mode").asText();
            String stored = e.has("stored") ? e.get("stored").asText() : pillowMode;
            String sha = e.has("stored_sha256") ? e.get("stored_sha256").asText() : e.get("sha256").asText();
            assertEquals(e.get("width").asInt(), img.width(), name);
            assertEquals(e.get("height").asInt(), img.height(), name);
            assertEquals(PixelMode.valueOf(stored), img.mode(), name);
            assertEquals(pillowMode.equals("1") || pillowMode.equals("P"), img.nearestOnly(), name);
            assertEquals(e.get("orientation").asInt(), img.exifOrientation(), name);
            assertEquals(sha, sha256(img.data()), name + " (" + pillowMode + ")");
            matched++;
        }
        assertEquals(49, matched);
    }

    @Test
    void registeredAndFoundByServiceLoader() throws IOException {
        byte[] file = resource("rgb_lzw.tif");
        DecodedImage viaRegistry = ImageDecoders.defaults().decode(file, MAX, "rgb_lzw.tif");
        assertArrayEquals(tiff.decode(file, MAX).data(), viaRegistry.data());
    }

    @Test
    void signatures() {
        assertTrue(tiff.canDecode(new byte[] {'I', 'I', 42, 0}));
        assertTrue(tiff.canDecode(new byte[] {'M', 'M', 0, 42}));
        assertFalse(tiff.canDecode(new byte[] {'I', 'I', 0, 42}));
        assertFalse(tiff.canDecode(new byte[] {'M', 'M'}));
        assertFalse(tiff.canDecode(null));
    }

    @Test
    void pixelLimitCheckedBeforeDecoding() throws IOException {
        byte[] file = resource("rgb_raw.tif");
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> tiff.decode(file, 45 * 31 - 1));
        assertTrue(e.getMessage().contains("decompression bomb"), e.getMessage());
        assertEquals(45 * 31 * 3, tiff.decode(file, 45 * 31).data().length);
    }

    @Test
    void truncationAtEveryPointIsTypedOrConsistent() throws IOException {
        for (String name : new String[] {"rgb_lzw_pred2_tiles.tif", "p4_zip.tif", "bilevel_packbits.tif",
                "rgba_planar_lzw.tif", "l_raw.tif"}) {
            byte[] file = resource(name);
            for (int n = 0; n < file.length; n += Math.max(1, file.length / 400)) {
                check(Arrays.copyOf(file, n), name + " cut at " + n);
            }
        }
    }

    @Test
    void seededRandomDamageIsTypedOrConsistent() throws IOException {
        Random rnd = new Random(20261207L);
        int decoded = 0;
        for (JsonNode e : entries()) {
            byte[] seed = resource(e.get("file").asText());
            for (int i = 0; i < 40; i++) {
                byte[] c = seed.clone();
                // Half the cases hit the header and directories (first 512 bytes and the last 400), half anywhere.
                int changes = 1 + rnd.nextInt(6);
                for (int k = 0; k < changes; k++) {
                    int pos = switch (rnd.nextInt(3)) {
                        case 0 -> rnd.nextInt(Math.min(512, c.length));
                        case 1 -> c.length - 1 - rnd.nextInt(Math.min(400, c.length));
                        default -> rnd.nextInt(c.length);
                    };
                    c[pos] = rnd.nextBoolean() ? (byte) (c[pos] ^ (1 << rnd.nextInt(8))) : (byte) rnd.nextInt(256);
                }
                decoded += check(c, e.get("file").asText() + " damage " + i) ? 1 : 0;
            }
        }
        assertTrue(decoded > 100, decoded + " damaged files decoded");
    }

    @Test
    void absurdDirectoriesAreRejectedWithoutBigAllocations() {
        // 8x8 image whose tiles claim 65536x65536, and one with 2^32-1 strip offsets.
        byte[] tiles = TiffTestFiles.directory(new int[][] {{256, 3, 1, 8}, {257, 3, 1, 8}, {259, 3, 1, 8},
                {262, 3, 1, 1}, {322, 4, 1, 65536}, {323, 4, 1, 65536}, {324, 4, 1, 0}, {325, 4, 1, 10}});
        assertTrue(assertThrows(ImageDecodeException.class, () -> tiff.decode(tiles, MAX)).getMessage()
                .contains("too large"));
        byte[] strips = TiffTestFiles.directory(new int[][] {{256, 3, 1, 8}, {257, 3, 1, 8}, {262, 3, 1, 1},
                {273, 4, -1, 8}});
        // Pillow stops reading the directory at values past the end of the file, so the offsets are missing.
        assertTrue(assertThrows(ImageDecodeException.class, () -> tiff.decode(strips, MAX)).getMessage()
                .startsWith("TIFF: "));
        // 4000x4000 grey, one LZW strip of 10 bytes: refused before the 16 MB buffer is allocated.
        byte[] bomb = TiffTestFiles.directory(new int[][] {{256, 3, 1, 4000}, {257, 3, 1, 4000}, {258, 3, 1, 8},
                {259, 3, 1, 5}, {262, 3, 1, 1}, {273, 4, 1, 8}, {279, 4, 1, 10}});
        assertTrue(assertThrows(ImageDecodeException.class, () -> tiff.decode(bomb, MAX)).getMessage()
                .contains("too few"));
        byte[] huge = TiffTestFiles.directory(new int[][] {{256, 4, 1, 1 << 30}, {257, 4, 1, 1 << 30}});
        assertTrue(assertThrows(ImageDecodeException.class, () -> tiff.decode(huge, MAX)).getMessage()
                .contains("decompression bomb"));
    }

    @Test
    void oldStyleLzwIsRejected() {
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> TiffLzw.decode(new byte[] {0, 1, 2}, 0, 3, new byte[4]));
        assertEquals("TIFF: old-style LZW is not supported", e.getMessage());
    }

    /** @return true if it decoded (to a consistent image), false if rejected with ImageDecodeException */
    private boolean check(byte[] file, String what) {
        try {
            DecodedImage img = tiff.decode(file, MAX);
            assertEquals((long) img.width() * img.height() * img.mode().channels(), img.data().length, what);
            return true;
        } catch (ImageDecodeException e) {
            assertTrue(e.getMessage().startsWith("TIFF: "), what + ": " + e.getMessage());
            return false;
        } catch (RuntimeException | Error e) {
            fail(what + " threw " + e, e);
            return false;
        }
    }
}
