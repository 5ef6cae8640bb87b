package io.clip4j.image;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link ExifTransform#transpose}'s documented refusal of a reported orientation outside 1..8. */
class ExifTransformTest {
    @Test
    void reportedOrientationIsCheckedForUprightImagesToo() {
        DecodedImage upright = DecodedImage.ofBytes(2, 1, PixelMode.L, new byte[] {1, 2}, false, 1);
        DecodedImage mirrored = DecodedImage.ofBytes(2, 1, PixelMode.L, new byte[] {1, 2}, false, 2);
        // An upright image came back unchanged for any reported value, 9 included.
        assertThrows(IllegalArgumentException.class, () -> ExifTransform.transpose(upright, 9));
        assertThrows(IllegalArgumentException.class, () -> ExifTransform.transpose(mirrored, 0));
        assertSame(upright, ExifTransform.transpose(upright, 1));
        DecodedImage flipped = ExifTransform.transpose(mirrored, 1);
        assertArrayEquals(new byte[] {2, 1}, flipped.data());
        assertEquals(1, flipped.exifOrientation());
    }
}
