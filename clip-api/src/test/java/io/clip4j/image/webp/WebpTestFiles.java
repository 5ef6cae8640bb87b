package io.clip4j.image.webp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Test helpers: resources, a minimal RIFF chunk walk, ARGB to Pillow's byte layout, SHA-256. */
final class WebpTestFiles {
    private WebpTestFiles() {
    }

    /** One chunk of a RIFF file: its tag, and where its payload lies. */
    record Chunk(String tag, int offset, int length) {
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = WebpTestFiles.class.getResourceAsStream(name)) {
            assertNotNull(in, "missing test resource " + name);
            return in.readAllBytes();
        }
    }

    /** The top-level chunks after 'RIFF' size 'WEBP' (each: tag, u32 LE size, payload padded to even). */
    static List<Chunk> chunks(byte[] file) {
        List<Chunk> out = new ArrayList<>();
        int p = 12;
        while (p + 8 <= file.length) {
            String tag = new String(file, p, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            int n = (file[p + 4] & 0xFF) | (file[p + 5] & 0xFF) << 8 | (file[p + 6] & 0xFF) << 16
                    | (file[p + 7] & 0xFF) << 24;
            out.add(new Chunk(tag, p + 8, n));
            p += 8 + n + (n & 1);
        }
        return out;
    }

    static Chunk chunk(byte[] file, String tag) {
        for (Chunk c : chunks(file)) {
            if (c.tag().equals(tag)) {
                return c;
            }
        }
        throw new AssertionError("no " + tag + " chunk");
    }

    static byte[] payload(byte[] file, String tag) {
        Chunk c = chunk(file, tag);
        return java.util.Arrays.copyOfRange(file, c.offset(), c.offset() + c.length());
    }

    /** Width and height from a VP8X chunk (24-bit little-endian, minus one). */
    static int[] canvasSize(byte[] file) {
        Chunk c = chunk(file, "VP8X");
        int p = c.offset() + 4;
        int w = 1 + ((file[p] & 0xFF) | (file[p + 1] & 0xFF) << 8 | (file[p + 2] & 0xFF) << 16);
        int h = 1 + ((file[p + 3] & 0xFF) | (file[p + 4] & 0xFF) << 8 | (file[p + 5] & 0xFF) << 16);
        return new int[] {w, h};
    }

    /** ARGB as Pillow's tobytes() for mode RGB (3 bytes a pixel) or RGBA (4, not premultiplied). */
    static byte[] pillowBytes(int[] argb, String mode) {
        boolean rgba = mode.equals("RGBA");
        ByteArrayOutputStream out = new ByteArrayOutputStream(argb.length * 4);
        for (int p : argb) {
            out.write(p >>> 16);
            out.write(p >>> 8);
            out.write(p);
            if (rgba) {
                out.write(p >>> 24);
            }
        }
        return out.toByteArray();
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
