package io.clip4j.image.jpeg;

import io.clip4j.image.DecodedImage;
import io.clip4j.image.PixelMode;
import io.clip4j.io.Npy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Decodes the JPEG fixtures of testdata/preprocess and compares with the pixels Pillow 9.4 /
 * libjpeg-turbo 2.1.5 decoded ({@code ref/<name>.decoded_u8.npy}, uint8 [H, W, C]): bit-exact.
 */
class JpegFixtureTest {
    private static final Path PRE = Path.of(System.getProperty("clip4j.testdata")).resolve("preprocess");

    private static DecodedImage decode(String file) throws IOException {
        return new JpegDecoder().decode(Files.readAllBytes(PRE.resolve("images").resolve(file)), 1L << 30);
    }

    private static void assertMatchesPillow(String file, String ref, PixelMode mode) throws IOException {
        DecodedImage img = decode(file);
        Npy expected = Npy.read(PRE.resolve("ref").resolve(ref + ".decoded_u8.npy"));
        long[] shape = expected.shape();
        assertEquals(mode, img.mode());
        assertEquals(shape[0], img.height());
        assertEquals(shape[1], img.width());
        assertEquals(shape[2], mode.channels());
        byte[] want = expected.toByteArray();
        byte[] got = img.data();
        int maxDiff = 0;
        int differing = 0;
        for (int i = 0; i < want.length; i++) {
            int diff = Math.abs((want[i] & 0xFF) - (got[i] & 0xFF));
            maxDiff = Math.max(maxDiff, diff);
            differing += diff != 0 ? 1 : 0;
        }
        assertEquals(0, maxDiff, file + ": max abs diff " + maxDiff + ", " + differing + " samples differ");
        assertArrayEquals(want, got);
    }

    @Test
    void baselineQ90Of420IsBitExact() throws IOException {
        assertMatchesPillow("jpeg_q90.jpg", "jpeg_q90", PixelMode.RGB);
    }

    @Test
    void adobeCmykIsBitExact() throws IOException {
        assertMatchesPillow("cmyk.jpg", "cmyk_jpeg", PixelMode.CMYK);
    }

    @Test
    void exifOrientation6IsBitExactAndReported() throws IOException {
        assertMatchesPillow("exif_orientation6.jpg", "exif_orientation6", PixelMode.RGB);
        assertEquals(6, decode("exif_orientation6.jpg").exifOrientation());
    }

    @Test
    void fileWithoutExifHasOrientation1() throws IOException {
        assertEquals(1, decode("jpeg_q90.jpg").exifOrientation());
    }
}
