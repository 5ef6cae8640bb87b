package io.clip4j.image.tiff;

import static io.clip4j.image.tiff.TiffDecoderTest.resource;
import static io.clip4j.image.tiff.TiffDecoderTest.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4j.image.DecodedImage;
import io.clip4j.image.ImageInput;
import io.clip4j.image.ImagePreprocessor;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * CLIP's preprocessing of TIFF files whose Orientation tag Pillow applies on load, against the reference
 * ({@code orientation-preprocess.json}, made by {@code make-orientation-preprocess.py}): torchvision's Resize and
 * CenterCrop read the stored size, which for a tag of 5..8 is the turned image's height x width.
 */
class TiffOrientationPreprocessTest {

    @Test
    void resizeAndCropReadTheStoredSizeAsTorchvisionDoes() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(resource("orientation-preprocess.json"));
        assertEquals(18, cases.size());
        for (JsonNode c : cases) {
            String name = c.get("file").asText();
            int n = c.get("n").asInt();
            boolean exif = c.get("exif").asBoolean();
            ImagePreprocessor p = ImagePreprocessor.builder().size(n).applyExifOrientation(exif).build();
            byte[] rgb = p.resizeCropRgb(ImageInput.ofEncoded(resource(name), name));
            assertEquals(c.get("sha256").asText(), sha256(rgb), name + " n=" + n + " exif=" + exif);
        }
    }

    @Test
    void theDecoderReportsTheStoredSizeOfATurnedImage() throws IOException {
        DecodedImage turned = new TiffDecoder().decode(resource("rgb_orientation6.tif"), Long.MAX_VALUE);
        assertEquals(31, turned.width());
        assertEquals(45, turned.height());
        assertEquals(45, turned.openedWidth());
        assertEquals(31, turned.openedHeight());
        DecodedImage halfTurn = new TiffDecoder().decode(resource("rgb_raw_orientation3.tif"), Long.MAX_VALUE);
        assertEquals(45, halfTurn.openedWidth());
        assertEquals(31, halfTurn.openedHeight());
        DecodedImage upright = io.clip4j.image.ExifTransform.apply(turned);
        assertTrue(upright.width() == upright.openedWidth() && upright.height() == upright.openedHeight());
    }
}
