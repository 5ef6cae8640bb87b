package io.clip4j.image.jpeg;

import io.clip4j.image.DecodedImage;
import io.clip4j.image.ImageDecodeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static io.clip4j.image.jpeg.JpegGeneratedFilesTest.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input: every failure is an {@link ImageDecodeException} with a clear message, never another exception. */
class JpegErrorTest {
    private static final Path IMAGES =
            Path.of(System.getProperty("clip4j.testdata")).resolve("preprocess").resolve("images");
    private final JpegDecoder decoder = new JpegDecoder();

    private static byte[] fixture(String name) throws IOException {
        return Files.readAllBytes(IMAGES.resolve(name));
    }

    private String failure(byte[] file) {
        return assertThrows(ImageDecodeException.class, () -> decoder.decode(file, 1L << 30)).getMessage();
    }

    /** Index of the first byte of the given marker's segment (its 0xFF). */
    private static int markerOffset(byte[] f, int marker) {
        for (int i = 2; i + 1 < f.length; i++) {
            if (f[i] == (byte) 0xFF && (f[i + 1] & 0xFF) == marker) {
                return i;
            }
        }
        throw new AssertionError("marker not found");
    }

    @Test
    void truncatedInsideScanIsRejected() throws IOException {
        byte[] f = fixture("jpeg_q90.jpg");
        String msg = failure(Arrays.copyOf(f, f.length / 2));
        assertTrue(msg.contains("truncated"), msg);
    }

    @Test
    void missingEoiIsRejected() throws IOException {
        byte[] f = fixture("jpeg_q90.jpg");
        assertEquals((byte) 0xD9, f[f.length - 1]);
        String msg = failure(Arrays.copyOf(f, f.length - 2));
        assertTrue(msg.contains("truncated"), msg);
    }

    @Test
    void truncatedHeaderIsRejected() throws IOException {
        byte[] f = fixture("jpeg_q90.jpg");
        int sos = markerOffset(f, 0xDA);
        for (int len : new int[] {2, 3, 5, 20, 100, sos, sos + 5}) {
            String msg = failure(Arrays.copyOf(f, len));
            assertTrue(msg.startsWith("JPEG: "), msg);
        }
    }

    @Test
    void everyPrefixOfASmallProgressiveFileFailsCleanly() throws IOException {
        byte[] f = resource("restart_progressive.jpg");
        for (int len = 0; len < f.length - 1; len++) {
            byte[] prefix = Arrays.copyOf(f, len);
            assertThrows(ImageDecodeException.class, () -> decoder.decode(prefix, 1L << 30), "prefix " + len);
        }
    }

    @Test
    void garbageIsRejected() {
        assertTrue(failure(new byte[0]).contains("not a JPEG"));
        assertTrue(failure("hello, this is not an image".getBytes()).contains("not a JPEG"));
        byte[] random = new byte[5000];
        new Random(1).nextBytes(random);
        random[0] = (byte) 0xFF;
        random[1] = (byte) 0xD8;
        failure(random);
        assertThrows(ImageDecodeException.class, () -> decoder.decode(null, 100));
    }

    @Test
    void randomCorruptionNeverEscapesAsAnotherException() throws IOException {
        Random rnd = new Random(42);
        for (String name : new String[] {"s420.jpg", "restart_progressive.jpg", "s3x2.jpg", "gray_progressive.jpg",
                "arith_s422_restart.jpg", "arith_progressive_restart.jpg", "arith_three_scans.jpg"}) {
            byte[] orig = resource(name);
            for (int trial = 0; trial < 3000; trial++) {
                byte[] f = orig.clone();
                int flips = 1 + rnd.nextInt(4);
                for (int i = 0; i < flips; i++) {
                    f[2 + rnd.nextInt(f.length - 2)] = (byte) rnd.nextInt(256);
                }
                try {
                    DecodedImage img = decoder.decode(f, 1L << 22);
                    assertEquals(img.width() * img.height() * img.mode().channels(), img.data().length);
                } catch (ImageDecodeException expected) {
                    // A cause means the decoder's safety net caught an unchecked exception: a missing check.
                    assertEquals(null, expected.getCause(), expected.getMessage());
                    assertTrue(expected.getMessage().startsWith("JPEG: "), expected.getMessage());
                }
            }
        }
    }

    @Test
    void pixelLimitIsCheckedFromTheHeader() throws IOException {
        byte[] f = fixture("jpeg_q90.jpg");
        String msg = assertThrows(ImageDecodeException.class, () -> decoder.decode(f, 451L * 300 - 1)).getMessage();
        assertTrue(msg.contains("451x300") && msg.contains("limit"), msg);
        assertEquals(451, decoder.decode(f, 451L * 300).width());
    }

    @Test
    void hugeDeclaredSizeWithLittleDataFailsWithoutAllocating() throws IOException {
        byte[] f = resource("s420.jpg");
        int sof = markerOffset(f, 0xC0);
        f[sof + 5] = (byte) (40000 >> 8); // height 40000
        f[sof + 6] = (byte) 40000;
        f[sof + 7] = (byte) (40000 >> 8); // width 40000
        f[sof + 8] = (byte) 40000;
        // 1.6 G pixels are allowed here, but the 1.3 kB of data cannot hold 37.5 M blocks.
        String msg = assertThrows(ImageDecodeException.class, () -> decoder.decode(f, Long.MAX_VALUE)).getMessage();
        assertTrue(msg.contains("truncated"), msg);
    }

    /** libjpeg-turbo decodes sequential and progressive arithmetic coding only (SOF9, SOF10). */
    @ParameterizedTest
    @ValueSource(ints = {0xCB, 0xCD, 0xCE, 0xCF})
    void losslessAndHierarchicalArithmeticCodingIsUnsupported(int sof) throws IOException {
        byte[] f = resource("arithmetic.jpg");
        f[markerOffset(f, 0xC9) + 1] = (byte) sof;
        String msg = failure(f);
        assertTrue(msg.contains("unsupported arithmetic-coded"), msg);
    }

    @Test
    void twelveBitPrecisionIsUnsupported() throws IOException {
        byte[] f = resource("s420.jpg");
        f[markerOffset(f, 0xC0) + 4] = 12;
        String msg = failure(f);
        assertTrue(msg.contains("unsupported sample precision of 12 bits"), msg);
    }

    @Test
    void losslessIsUnsupported() throws IOException {
        byte[] f = resource("s420.jpg");
        f[markerOffset(f, 0xC0) + 1] = (byte) 0xC3;
        String msg = failure(f);
        assertTrue(msg.contains("unsupported lossless"), msg);
    }

    @Test
    void invalidHuffmanCodesDecodeLikeLibjpeg() throws Exception {
        byte[] f = resource("s444.jpg");
        int data = markerOffset(f, 0xDA) + 2 + 12; // SOS length is 12 for 3 components
        Arrays.fill(f, data, data + 40, (byte) 0xFE); // long runs of 1-bits are not valid codes
        DecodedImage im = decoder.decode(f, 1L << 30);
        // Pillow 9.4 (libjpeg-turbo 2.1.5): each invalid code reads as symbol 0 after 17 bits, with a warning.
        String pillow = "710fec35d0620f7acff462dc832d11927a1c25384e44584301f27ae0b3ebf964";
        assertEquals(pillow, java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(im.data())));
    }

    @Test
    void canDecodeRecognisesTheSoiSignatureOnly() throws IOException {
        assertTrue(decoder.canDecode(Arrays.copyOf(fixture("jpeg_q90.jpg"), 16)));
        assertFalse(decoder.canDecode(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}));
        assertFalse(decoder.canDecode(new byte[] {(byte) 0xFF, (byte) 0xD8}));
        assertEquals("jpeg (java)", decoder.name());
    }
}
