package io.clip4j.data;

import io.clip4j.image.DecodedImage;
import io.clip4j.image.PixelMode;

import java.util.SplittableRandom;

/**
 * Random-crop augmentation in the manner of torchvision's {@code RandomResizedCrop.get_params}: a box covering a
 * fraction of the image area drawn uniformly from {@code [minScale, maxScale]}, with an aspect ratio drawn
 * log-uniformly from {@code [3/4, 4/3]}, placed uniformly; up to 10 attempts, else the whole image (torchvision
 * falls back to a central crop of clamped aspect ratio; box sides are rounded half up here, half to even there). The crop is
 * cut from the decoded image; CLIP's reference Resize + CenterCrop then bring it to the model's resolution (so
 * unlike torchvision the box is not stretched to a square). Immutable.
 *
 * @param minScale smallest area fraction, in (0, 1]
 * @param maxScale largest area fraction, in [minScale, 1]
 */
public record RandomResizedCrop(double minScale, double maxScale) {
    /** The default scale range (0.9, 1.0): a mild crop that keeps the object. */
    public static final RandomResizedCrop DEFAULT = new RandomResizedCrop(0.9, 1.0);

    private static final double LOG_MIN_RATIO = Math.log(3.0 / 4.0);
    private static final double LOG_MAX_RATIO = Math.log(4.0 / 3.0);

    /**
     * Creates a crop with an area fraction range.
     *
     * @param minScale smallest area fraction, in (0, 1]
     * @param maxScale largest area fraction, in [minScale, 1]
     * @throws IllegalArgumentException unless {@code 0 < minScale <= maxScale <= 1}
     */
    public RandomResizedCrop {
        if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1)) {
            throw new IllegalArgumentException("crop scale range must satisfy 0 < min <= max <= 1, got (" + minScale
                    + ", " + maxScale + ")");
        }
    }

    /**
     * Cuts a random box out of an image.
     *
     * @param image  decoded pixels (any mode)
     * @param random the draws (seed it per example for reproducibility)
     * @return the cropped image, same mode (the input itself when the box is the whole image)
     * @throws NullPointerException if {@code image} or {@code random} is null
     */
    public DecodedImage apply(DecodedImage image, SplittableRandom random) {
        int w = image.width();
        int h = image.height();
        double area = (double) w * h;
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (minScale + (maxScale - minScale) * random.nextDouble());
            double ratio = Math.exp(LOG_MIN_RATIO + (LOG_MAX_RATIO - LOG_MIN_RATIO) * random.nextDouble());
            int cw = (int) Math.round(Math.sqrt(target * ratio));
            int ch = (int) Math.round(Math.sqrt(target / ratio));
            if (cw > 0 && ch > 0 && cw <= w && ch <= h) {
                int left = random.nextInt(w - cw + 1);
                int top = random.nextInt(h - ch + 1);
                return crop(image, left, top, cw, ch);
            }
        }
        return image;
    }

    /**
     * @return the {@code cw x ch} box at {@code (left, top)} of {@code image}, same mode
     */
    static DecodedImage crop(DecodedImage image, int left, int top, int cw, int ch) {
        if (left == 0 && top == 0 && cw == image.width() && ch == image.height()) {
            return image;
        }
        int w = image.width();
        if (image.mode() == PixelMode.I) {
            int[] src = image.intData();
            int[] dst = new int[cw * ch];
            for (int y = 0; y < ch; y++) {
                System.arraycopy(src, (top + y) * w + left, dst, y * cw, cw);
            }
            return DecodedImage.ofInts(cw, ch, dst, image.exifOrientation());
        }
        int c = image.mode().channels();
        byte[] src = image.data();
        byte[] dst = new byte[cw * ch * c];
        for (int y = 0; y < ch; y++) {
            System.arraycopy(src, ((top + y) * w + left) * c, dst, y * cw * c, cw * c);
        }
        return DecodedImage.ofBytes(cw, ch, image.mode(), dst, image.nearestOnly(), image.exifOrientation());
    }
}
