package io.clip4j.opencv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.image.DecodedImage;
import io.clip4j.image.ImageDecodeException;
import io.clip4j.image.ImageDecoders;
import io.clip4j.image.ImageInput;
import io.clip4j.image.ImagePreprocessor;
import io.clip4j.image.PixelMode;
import io.clip4j.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OpenCV decoder followed by clip4j's resampling must reproduce Pillow's reference exactly. */
class OpenCvImageDecoderTest {
    private static final Path PRE = Path.of(System.getProperty("clip4j.testdata"), "preprocess");
    private static final OpenCvImageDecoder DECODER = new OpenCvImageDecoder();

    static List<JsonNode> images() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        new ObjectMapper().readTree(PRE.resolve("manifest.json").toFile()).get("images").forEach(out::add);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void resizedCropEqualsPillowReference(JsonNode image) throws IOException {
        byte[] file = Files.readAllBytes(PRE.resolve(image.get("file").asText()));
        if (image.get("mode_on_open").asText().equals("CMYK") || !image.get("file").asText().endsWith(".jpg")) {
            // OpenCV converts CMYK to BGR before resizing, and libpng inside OpenCV prints to stderr and
            // trusts corrupt chunk lengths: the pure-Java decoders handle these.
            assertFalse(DECODER.canDecode(file));
            return;
        }
        assertTrue(DECODER.canDecode(file), "OpenCV should accept " + image.get("name"));
        ImageDecoders only = ImageDecoders.of(List.of(DECODER));
        for (JsonNode ref : image.get("references")) {
            int n = ref.get("n_px").asInt();
            ImagePreprocessor pre = ImagePreprocessor.builder().size(n).decoders(only).build();
            byte[] rgb = pre.resizeCropRgb(ImageInput.ofEncoded(file, image.get("name").asText()));
            String name = image.get("name").asText();
            byte[] expected = Npy.read(PRE.resolve("ref").resolve(name + ".rgb_u8.npy")).toByteArray();
            int diff = 0;
            for (int i = 0; i < expected.length; i++) {
                diff = Math.max(diff, Math.abs((expected[i] & 0xff) - (rgb[i] & 0xff)));
            }
            assertEquals(0, diff, name + " n=" + n + ": max abs difference");
        }
    }

    @Test
    void decodesJpegLikePillow() throws IOException {
        DecodedImage exif = DECODER.decode(Files.readAllBytes(PRE.resolve("images/exif_orientation6.jpg")), Long.MAX_VALUE);
        assertEquals(6, exif.exifOrientation());
        assertEquals(451, exif.width());
        byte[] jpegRef = Npy.read(PRE.resolve("ref/jpeg_q90.decoded_u8.npy")).toByteArray();
        DecodedImage jpeg = DECODER.decode(Files.readAllBytes(PRE.resolve("images/jpeg_q90.jpg")), Long.MAX_VALUE);
        assertArrayEquals(jpegRef, jpeg.data(), "libjpeg-turbo decodes exactly like Pillow's");
    }

    /**
     * WebP is left to the pure-Java decoder, also with clip-native on the class path: lossless files made with
     * {@code cwebp -lossless -exact} from two fixture PNGs decode, through the default decoders, to exactly the
     * PNG's pixels, and the RGBA one preprocesses to the reference.
     */
    @Test
    void leavesWebpToThePureJavaDecoder() throws IOException {
        for (String name : new String[]{"tiny_7x5", "horse"}) {
            byte[] webp;
            try (var in = getClass().getResourceAsStream(name + "_lossless.webp")) {
                webp = in.readAllBytes();
            }
            assertFalse(DECODER.canDecode(webp));
            DecodedImage w = ImageDecoders.defaults().decode(webp, Long.MAX_VALUE, name + ".webp");
            DecodedImage png = new io.clip4j.image.PngDecoder()
                    .decode(Files.readAllBytes(PRE.resolve("images/" + name + ".png")), Long.MAX_VALUE);
            assertEquals(png.mode(), w.mode(), name);
            assertArrayEquals(png.data(), w.data(), name);
        }
        byte[] horse;
        try (var in = getClass().getResourceAsStream("horse_lossless.webp")) {
            horse = in.readAllBytes();
        }
        assertArrayEquals(Npy.read(PRE.resolve("ref/horse.rgb_u8.npy")).toByteArray(),
                ImagePreprocessor.clip().resizeCropRgb(ImageInput.ofEncoded(horse, "horse.webp")));
    }

    @Test
    void rejectsBadInputWithTypedException() throws IOException {
        byte[] jpg = Files.readAllBytes(PRE.resolve("images/jpeg_q90.jpg"));
        ImageDecodeException cut = assertThrows(ImageDecodeException.class,
                () -> DECODER.decode(Arrays.copyOf(jpg, jpg.length / 2), Long.MAX_VALUE));
        assertTrue(cut.getMessage().contains("truncated"), cut.getMessage());
        assertThrows(ImageDecodeException.class, () -> DECODER.decode(Arrays.copyOf(jpg, 40), Long.MAX_VALUE));
        ImageDecodeException bomb = assertThrows(ImageDecodeException.class, () -> DECODER.decode(jpg, 1000));
        assertTrue(bomb.getMessage().contains("exceeds"), bomb.getMessage());
        assertFalse(DECODER.canDecode(new byte[]{'G', 'I', 'F', '8', '9', 'a', 0, 0}));
    }

    /**
     * A 1x1 PNG whose second chunk claims 4 GB (one byte changed): OpenCV's libpng reserved that much and
     * took seconds to fail. OpenCV declines PNG, so the default decoders reject it at once, in Java.
     */
    @Test
    void leavesPngToThePureJavaDecoder() throws IOException {
        byte[] png = Files.readAllBytes(PRE.resolve("images/tiny_1x1.png"));
        assertFalse(DECODER.canDecode(png));
        byte[] corrupt = png.clone();
        corrupt[33] = (byte) 0xef; // high byte of the IDAT chunk's length
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> ImagePreprocessor.clip().preprocess(ImageInput.ofEncoded(corrupt, "corrupt.png")));
        assertTrue(e.getMessage().contains("corrupt.png: PNG: truncated or corrupt chunk 'IDAT' at byte 33"), e.getMessage());
        assertThrows(ImageDecodeException.class, () -> DECODER.decode(png, Long.MAX_VALUE));
    }

    /** Grayscale JPEG: mode L, and the same samples as the pure-Java decoder (both follow libjpeg-turbo). */
    @Test
    void decodesGrayscaleJpegAsL() throws IOException {
        java.awt.image.BufferedImage gray = new java.awt.image.BufferedImage(45, 31,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 31; y++) {
            for (int x = 0; x < 45; x++) {
                gray.getRaster().setSample(x, y, 0, (x * 7 + y * 13) % 256);
            }
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        assertTrue(javax.imageio.ImageIO.write(gray, "jpeg", out));
        byte[] jpg = out.toByteArray();
        DecodedImage cv = DECODER.decode(jpg, Long.MAX_VALUE);
        DecodedImage java = new io.clip4j.image.jpeg.JpegDecoder().decode(jpg, Long.MAX_VALUE);
        assertEquals(PixelMode.L, cv.mode());
        assertEquals(PixelMode.L, java.mode());
        assertArrayEquals(java.data(), cv.data());
    }

    /**
     * Seeded damage to JPEG and WebP files through the default decoders (OpenCV first): a decoded image or an
     * ImageDecodeException, never another exception or a crash of the JVM in native code.
     */
    @Test
    void damagedJpegAndWebpDecodeOrRaiseImageDecodeException() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(Files.readAllBytes(PRE.resolve("images/jpeg_q90.jpg")));
        seeds.add(Files.readAllBytes(PRE.resolve("images/exif_orientation6.jpg")));
        for (String name : new String[]{"tiny_7x5_lossless.webp", "horse_lossless.webp"}) {
            try (var in = getClass().getResourceAsStream(name)) {
                seeds.add(in.readAllBytes());
            }
        }
        ImagePreprocessor pre = ImagePreprocessor.clip(32);
        java.util.Random rnd = new java.util.Random(20261206L);
        int decoded = 0;
        int rejected = 0;
        for (byte[] seed : seeds) {
            for (int i = 0; i < 100; i++) {
                byte[] c = seed.clone();
                if (i % 3 == 0) {
                    c = Arrays.copyOf(seed, rnd.nextInt(seed.length));
                } else {
                    for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                        c[rnd.nextInt(i % 3 == 1 ? Math.min(seed.length, 1024) : seed.length)] = (byte) rnd.nextInt(256);
                    }
                }
                try {
                    pre.preprocess(ImageInput.ofEncoded(c, "damaged-" + i));
                    decoded++;
                } catch (ImageDecodeException e) {
                    assertTrue(e.getMessage().contains("damaged-" + i), e.getMessage());
                    rejected++;
                }
            }
        }
        assertTrue(decoded > 20 && rejected > 20, decoded + " decoded, " + rejected + " rejected");
    }

    /**
     * The pure-Java JPEG decoder against libjpeg-turbo (OpenCV's, x86-64 SIMD like the reference's) on damaged
     * JPEGs that both decode: identical pixels, including blocks whose coefficients push the IDCT out of range
     * (where libjpeg's C code and its SIMD code differ; see Idct). Damage is confined to the entropy-coded data.
     */
    @Test
    void pureJavaJpegMatchesLibjpegTurboOnDamagedFiles() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.arch").equals("amd64"),
                "the reference's IDCT overflow behaviour is that of libjpeg-turbo's x86-64 SIMD code");
        io.clip4j.image.jpeg.JpegDecoder java = new io.clip4j.image.jpeg.JpegDecoder();
        java.util.Random rnd = new java.util.Random(7L);
        int compared = 0;
        int notPlain = 0;
        int clipped = 0;
        for (String name : new String[]{"jpeg_q90.jpg", "exif_orientation6.jpg"}) {
            byte[] seed = Files.readAllBytes(PRE.resolve("images").resolve(name));
            int scanStart = seed.length / 10; // past the headers and tables of these files
            for (int i = 0; i < 120; i++) {
                byte[] c = seed.clone();
                for (int k = 0; k < 1 + rnd.nextInt(3); k++) {
                    c[scanStart + rnd.nextInt(seed.length - 2 - scanStart)] = (byte) rnd.nextInt(256);
                }
                if (!io.clip4j.image.jpeg.JpegDecoder.isPlain(c)) {
                    // Damage that wrote a marker: OpenCV leaves it to the Java decoder (Pillow's behaviour,
                    // DamagedJpegTest), since libjpeg's handling of it after the image differs between the two.
                    assertFalse(DECODER.canDecode(c), name + " damage case " + i);
                    notPlain++;
                    continue;
                }
                // Bit errors in the data: both decode them the way libjpeg does (bad codes read as 0).
                DecodedImage a = java.decode(c, Long.MAX_VALUE);
                DecodedImage b = DECODER.decode(c, Long.MAX_VALUE);
                assertArrayEquals(b.data(), a.data(), name + " damage case " + i);
                compared++;
                byte[] clean = java.decode(seed, Long.MAX_VALUE).data();
                int extreme = 0;
                for (int j = 0; j < clean.length; j++) {
                    extreme += Math.abs((clean[j] & 0xff) - (a.data()[j] & 0xff)) > 200 ? 1 : 0;
                }
                clipped += extreme > 0 ? 1 : 0;
            }
        }
        assertEquals(240, compared + notPlain);
        assertTrue(compared > 200 && notPlain > 0, compared + " files compared, " + notPlain + " not plain");
        assertTrue(clipped > 5, clipped + " files with out-of-range blocks");
    }

    @Test
    void progressiveFilesThatLibjpegSmoothsGoToTheJavaDecoder() throws IOException {
        byte[] f;
        try (var in = getClass().getResourceAsStream("progressive_unrefined.jpg")) {
            f = in.readAllBytes(); // a copy of clip-api's test file: a scan script that never refines AC 1..5
        }
        assertFalse(DECODER.canDecode(f));
        byte[] q90 = Files.readAllBytes(PRE.resolve("images/jpeg_q90.jpg"));
        byte[] marked = q90.clone(); // 16 bytes of FF in the data: a user's damaged file, which Pillow rejects
        java.util.Arrays.fill(marked, q90.length / 2, q90.length / 2 + 16, (byte) 0xFF);
        assertFalse(DECODER.canDecode(marked));
        assertThrows(ImageDecodeException.class, () -> ImageDecoders.defaults().decode(marked, Long.MAX_VALUE, "x.jpg"));
        assertArrayEquals(new io.clip4j.image.jpeg.JpegDecoder().decode(f, Long.MAX_VALUE).data(),
                ImageDecoders.defaults().decode(f, Long.MAX_VALUE, "progressive_unrefined.jpg").data());
        assertTrue(DECODER.canDecode(Files.readAllBytes(PRE.resolve("images/jpeg_q90.jpg"))));
    }

    @Test
    void isPreferredOverPureJavaDecodersByDefault() {
        assertEquals("opencv", ImageDecoders.defaults().decoders().get(0).name());
    }
}
