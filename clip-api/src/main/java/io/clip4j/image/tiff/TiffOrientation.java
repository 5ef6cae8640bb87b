package io.clip4j.image.tiff;

import io.clip4j.image.DecodedImage;

/**
 * Pillow's {@code TiffImageFile.load_end}: loading a TIFF transposes the pixels by its Orientation tag
 * (2..8, same methods as {@code ImageOps.exif_transpose}) while {@code getexif()} keeps reporting the
 * tag. So the decoder returns the transposed pixels and still reports the orientation, which makes an
 * optional EXIF transpose turn the image a second time, exactly as Pillow's {@code exif_transpose} does.
 */
final class TiffOrientation {
    private TiffOrientation() {
    }

    /**
     * @param img an image whose {@link DecodedImage#exifOrientation()} is the file's Orientation tag
     * @return the pixels transposed as Pillow loads them, with the same orientation reported
     */
    static DecodedImage applyLikePillowLoad(DecodedImage img) {
        int o = img.exifOrientation();
        if (o == 1) {
            return img;
        }
        int w = img.width();
        int h = img.height();
        int ow = o >= 5 ? h : w;
        int oh = o >= 5 ? w : h;
        int c = img.mode().channels();
        byte[] src = img.data();
        byte[] dst = new byte[src.length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx;
                int sy;
                switch (o) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; } // 8
                }
                System.arraycopy(src, (sy * w + sx) * c, dst, (y * ow + x) * c, c);
            }
        }
        return DecodedImage.ofBytes(ow, oh, img.mode(), dst, img.nearestOnly(), o);
    }
}
