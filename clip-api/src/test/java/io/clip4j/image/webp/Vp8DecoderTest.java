package io.clip4j.image.webp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.image.ImageDecodeException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The VP8 decoder gives libwebp 1.2.4's Y, U and V planes (dwebp -yuv) and, through {@link YuvConverter}, Pillow's
 * RGB, for every lossy file of this folder (make-webp.py, make-yuv-reference.py: filters, sharpness, segments,
 * quality extremes, odd sizes, 2/4/8 token partitions). References: yuv.json.
 */
class Vp8DecoderTest {
    static byte[] resource(String name) throws IOException {
        try (InputStream in = Vp8DecoderTest.class.getResourceAsStream(name)) {
            assertNotNull(in, "missing test resource " + name);
            return in.readAllBytes();
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static int le32(byte[] b, int p) {
        return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (b[p + 3] & 0xFF) << 24;
    }

    /**
     * Where the 'VP8 ' chunk's payload is, and how many bytes libwebp's decoder gets through Pillow's demuxer:
     * the payload with its padding byte, as far as the file has it.
     *
     * @return {offset, length}
     */
    static int[] vp8Chunk(byte[] file) {
        int pos = 12;
        while (pos + 8 <= file.length) {
            String tag = new String(file, pos, 4, StandardCharsets.ISO_8859_1);
            int size = le32(file, pos + 4);
            if (tag.equals("VP8 ")) {
                int padded = size + (size & 1);
                return new int[] {pos + 8, Math.min(padded, file.length - pos - 8)};
            }
            pos += 8 + size + (size & 1);
        }
        throw new AssertionError("no VP8 chunk");
    }

    static Vp8Frame decode(byte[] file) {
        int[] c = vp8Chunk(file);
        return Vp8Decoder.decode(file, c[0], c[1], 1L << 26);
    }

    @Test
    void planesAndRgbMatchLibwebp() throws IOException {
        JsonNode ref = new ObjectMapper().readTree(resource("yuv.json"));
        List<String> mismatches = new ArrayList<>();
        int files = 0;
        for (var it = ref.fields(); it.hasNext(); files++) {
            var e = it.next();
            String name = e.getKey();
            JsonNode want = e.getValue();
            Vp8Frame f = decode(resource(name));
            assertEquals(want.get("size").get(0).asInt(), f.width(), name);
            assertEquals(want.get("size").get(1).asInt(), f.height(), name);
            StringBuilder bad = new StringBuilder();
            if (!sha256(f.y()).equals(want.get("y").asText())) {
                bad.append(" Y");
            }
            if (!sha256(f.u()).equals(want.get("u").asText())) {
                bad.append(" U");
            }
            if (!sha256(f.v()).equals(want.get("v").asText())) {
                bad.append(" V");
            }
            byte[] rgb = new byte[f.width() * f.height() * 3];
            YuvConverter.toRgb(f, rgb, 3);
            if (!sha256(rgb).equals(want.get("rgb").asText())) {
                bad.append(" RGB");
            }
            if (bad.length() > 0) {
                mismatches.add(name + ":" + bad);
            }
        }
        assertTrue(files >= 30, "files: " + files);
        assertEquals(List.of(), mismatches);
    }

    /** RGBA output: the same R, G, B, and the fourth byte untouched (the caller's alpha). */
    @Test
    void fourBytesPerPixelLeavesAlphaAlone() throws IOException {
        Vp8Frame f = decode(resource("lossy_17x33.webp"));
        byte[] rgb = new byte[f.width() * f.height() * 3];
        YuvConverter.toRgb(f, rgb, 3);
        byte[] rgba = new byte[f.width() * f.height() * 4];
        java.util.Arrays.fill(rgba, (byte) 0x5A);
        YuvConverter.toRgb(f, rgba, 4);
        for (int i = 0; i < f.width() * f.height(); i++) {
            assertEquals(rgb[3 * i], rgba[4 * i]);
            assertEquals(rgb[3 * i + 1], rgba[4 * i + 1]);
            assertEquals(rgb[3 * i + 2], rgba[4 * i + 2]);
            assertEquals((byte) 0x5A, rgba[4 * i + 3]);
        }
    }

    @Test
    void multiPartitionFilesUseThatManyPartitions() throws IOException {
        for (int n : new int[] {2, 4, 8}) {
            byte[] file = resource("vp8_partitions" + n + ".webp");
            int[] c = vp8Chunk(file);
            assertEquals(n, new FrameHeader(file, c[0], c[1], 1L << 26).tokens.length);
        }
        byte[] one = resource("lossy_q75.webp");
        int[] c = vp8Chunk(one);
        assertEquals(1, new FrameHeader(one, c[0], c[1], 1L << 26).tokens.length);
    }

    @Test
    void pixelLimitIsCheckedFromTheHeader() throws IOException {
        byte[] file = resource("lossy_q75.webp"); // 96x64
        int[] c = vp8Chunk(file);
        assertEquals(96 * 64, Vp8Decoder.decode(file, c[0], c[1], 96 * 64).y().length);
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> Vp8Decoder.decode(file, c[0], c[1], 96 * 64 - 1));
        assertTrue(e.getMessage().startsWith("WebP: "), e.getMessage());
    }

    @Test
    void headerErrors() throws IOException {
        byte[] file = resource("lossy_q75.webp");
        int[] c = vp8Chunk(file);
        int o = c[0];
        // inter frame, bad start code, invisible frame, zero width, first partition past the data
        int[][] edits = {{o, file[o] | 1}, {o + 4, 0x02}, {o, file[o] & ~0x10}, {o + 6, 0},
            {o + 2, 0x7F}};
        for (int[] edit : edits) {
            byte[] b = file.clone();
            b[edit[0]] = (byte) edit[1];
            if (edit[0] == o + 6) {
                b[o + 7] = 0;
            }
            ImageDecodeException e = assertThrows(ImageDecodeException.class,
                    () -> Vp8Decoder.decode(b, c[0], c[1], 1L << 26));
            assertTrue(e.getMessage().startsWith("WebP: "), e.getMessage());
        }
        assertThrows(ImageDecodeException.class, () -> Vp8Decoder.decode(file, c[0], 9, 1L << 26));
    }
}
