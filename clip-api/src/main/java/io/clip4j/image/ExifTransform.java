package io.clip4j.image;

/**
 * Applies an EXIF orientation to the pixel grid, like Pillow's {@code ImageOps.exif_transpose}:
 * 2 = mirror left-right, 3 = rotate 180, 4 = mirror top-bottom, 5 = transpose, 6 = rotate 90 degrees
 * clockwise, 7 = transverse, 8 = rotate 90 degrees counter-clockwise. Not part of CLIP's reference
 * pipeline (which ignores the tag); used when asked for, and by decoders whose Pillow plugin transposes on
 * load (TIFF).
 */
public final class ExifTransform {
    private ExifTransform() {
    }

    /**
     * Rotates and mirrors an image by its EXIF orientation, like Pillow's {@code ImageOps.exif_transpose}.
     *
     * @param img any image
     * @return the upright image with orientation 1 (the same instance when already upright)
     * @throws NullPointerException if {@code img} is null
     */
    public static DecodedImage apply(DecodedImage img) {
        return transpose(img, 1);
    }

    /**
     * What Pillow's TIFF loader holds after loading: the pixels transposed by the Orientation tag, which
     * {@code getexif()} still reports, and, until they are loaded, the stored size ({@link DecodedImage#openedWidth()}),
     * which CLIP's reference Resize and CenterCrop read.
     *
     * @param stored an image as stored in the file, with its Orientation tag
     * @return the transposed image, reporting the same tag and {@code stored}'s size as its opened size (the same
     *         instance when the orientation is 1)
     * @throws NullPointerException if {@code stored} is null
     */
    public static DecodedImage transposeOnLoad(DecodedImage stored) {
        DecodedImage turned = transpose(stored, stored.exifOrientation());
        return turned == stored ? stored : turned.withOpenedSize(stored.width(), stored.height());
    }

    /**
     * Transposes the pixels by the image's EXIF orientation and reports {@code reported} afterwards: 1 for
     * {@code exif_transpose}, the unchanged tag for Pillow's TIFF loader (which transposes while
     * {@code getexif()} still shows the tag).
     *
     * @param img      an image whose {@link DecodedImage#exifOrientation()} is applied
     * @param reported the orientation the result reports, 1..8
     * @return the transposed image (the same instance when its orientation is 1)
     * @throws NullPointerException     if {@code img} is null
     * @throws IllegalArgumentException if {@code reported} is outside 1..8
     */
    public static DecodedImage transpose(DecodedImage img, int reported) {
        // Also for an upright image, which is returned as it is: the check used to come only with a new image.
        if (reported < 1 || reported > 8) {
            throw new IllegalArgumentException("EXIF orientation must be in 1..8, got " + reported);
        }
        int o = img.exifOrientation();
        if (o == 1) {
            return img;
        }
        int w = img.width();
        int h = img.height();
        boolean swap = o >= 5;
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        // srcIndex[dst pixel] computed once, then samples copied by channel count.
        int[] map = new int[ow * oh];
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
                map[y * ow + x] = sy * w + sx;
            }
        }
        if (img.mode() == PixelMode.I) {
            int[] src = img.intData();
            int[] dst = new int[map.length];
            for (int i = 0; i < map.length; i++) {
                dst[i] = src[map[i]];
            }
            return DecodedImage.ofInts(ow, oh, dst, reported);
        }
        int c = img.mode().channels();
        byte[] src = img.data();
        byte[] dst = new byte[src.length];
        for (int i = 0; i < map.length; i++) {
            System.arraycopy(src, map[i] * c, dst, i * c, c);
        }
        return DecodedImage.ofBytes(ow, oh, img.mode(), dst, img.nearestOnly(), reported);
    }
}
