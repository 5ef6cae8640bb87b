package io.clip4j.image.jpeg;

import io.clip4j.image.DecodedImage;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

import static io.clip4j.image.jpeg.JpegGeneratedFilesTest.resource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** EXIF Orientation (tag 0x0112 in IFD0 of APP1 "Exif"), both TIFF byte orders; pixels are never rotated. */
class JpegExifTest {

    /** gray.jpg with an APP1 segment inserted right after SOI. */
    private static byte[] withApp1(byte[] tiff) throws IOException {
        byte[] jpeg = resource("gray.jpg");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        int len = 2 + 6 + tiff.length;
        out.write(new byte[] {(byte) 0xFF, (byte) 0xE1, (byte) (len >> 8), (byte) len});
        out.write(new byte[] {'E', 'x', 'i', 'f', 0, 0});
        out.write(tiff);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** A TIFF header with an IFD0 of two entries (ImageDescription first, then Orientation). */
    private static byte[] tiff(boolean little, int orientationType, int orientation) {
        byte[] b = new byte[8 + 2 + 2 * 12 + 4];
        Writer w = new Writer(b, little);
        b[0] = b[1] = (byte) (little ? 'I' : 'M');
        w.u16(2, 42);
        w.u32(4, 8);
        w.u16(8, 2);
        w.u16(10, 0x010E); // ImageDescription, ASCII, 3 bytes inline "ab\0"
        w.u16(12, 2);
        w.u32(14, 3);
        b[18] = 'a';
        b[19] = 'b';
        w.u16(22, 0x0112);
        w.u16(24, orientationType);
        w.u32(26, 1);
        if (orientationType == 3) {
            w.u16(30, orientation);
        } else {
            w.u32(30, orientation);
        }
        return b;
    }

    private record Writer(byte[] b, boolean little) {
        void u16(int p, int v) {
            b[p + (little ? 0 : 1)] = (byte) v;
            b[p + (little ? 1 : 0)] = (byte) (v >> 8);
        }

        void u32(int p, int v) {
            u16(p + (little ? 0 : 2), v & 0xFFFF);
            u16(p + (little ? 2 : 0), v >>> 16);
        }
    }

    private static DecodedImage decode(byte[] f) {
        return new JpegDecoder().decode(f, 1_000_000);
    }

    @Test
    void littleEndianOrientationIsRead() throws IOException {
        assertEquals(3, decode(withApp1(tiff(true, 3, 3))).exifOrientation());
    }

    @Test
    void bigEndianOrientationIsRead() throws IOException {
        assertEquals(8, decode(withApp1(tiff(false, 3, 8))).exifOrientation());
    }

    @Test
    void longTypedOrientationIsRead() throws IOException {
        assertEquals(5, decode(withApp1(tiff(true, 4, 5))).exifOrientation());
    }

    @Test
    void outOfRangeOrMalformedExifGivesOrientation1() throws IOException {
        assertEquals(1, decode(withApp1(tiff(false, 3, 9))).exifOrientation());
        assertEquals(1, decode(withApp1(tiff(true, 3, 0))).exifOrientation());
        byte[] badOffset = tiff(true, 3, 6);
        badOffset[4] = (byte) 0xF0; // IFD0 offset beyond the segment
        assertEquals(1, decode(withApp1(badOffset)).exifOrientation());
        assertEquals(1, decode(withApp1(new byte[] {'I', 'I', 42, 0})).exifOrientation());
    }

    @Test
    void exifDoesNotChangeThePixels() throws IOException {
        assertArrayEquals(decode(resource("gray.jpg")).data(), decode(withApp1(tiff(true, 3, 6))).data());
    }
}
