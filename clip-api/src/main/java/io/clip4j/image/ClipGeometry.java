package io.clip4j.image;

/**
 * Where torchvision 0.14's {@code Resize(n)} and {@code CenterCrop(n)} put an image: the resized size
 * and the crop offset inside the resized image.
 *
 * @param resizedWidth  width after {@code Resize(n)}
 * @param resizedHeight height after {@code Resize(n)}
 * @param left          crop box left edge in the resized image
 * @param top           crop box top edge in the resized image
 * @param size          crop side {@code n}
 */
public record ClipGeometry(int resizedWidth, int resizedHeight, int left, int top, int size) {

    /**
     * Reproduces torchvision's {@code _compute_resized_output_size} for an int size (short side
     * becomes {@code n}, long side {@code int(n * long / short)} in double precision, truncated) and
     * {@code CenterCrop}'s {@code int(round((W - n) / 2.0))} with Python's round-half-to-even.
     *
     * @param width  source width, &gt; 0
     * @param height source height, &gt; 0
     * @param n      target side (image_resolution), &gt; 0
     * @return the geometry
     * @throws ImageDecodeException if the resized long side would not fit in an int (absurd aspect ratio)
     */
    public static ClipGeometry of(int width, int height, int n) {
        if (width <= 0 || height <= 0 || n <= 0) {
            throw new IllegalArgumentException("sizes must be positive: " + width + "x" + height + ", n=" + n);
        }
        int shortSide = Math.min(width, height);
        int longSide = Math.max(width, height);
        double longScaled = (double) ((long) n * longSide) / shortSide;
        if (longScaled >= Integer.MAX_VALUE) {
            throw new ImageDecodeException("image " + width + "x" + height + " is too elongated to resize to "
                    + n + " pixels on its short side");
        }
        int newLong = (int) longScaled;
        int rw = width <= height ? n : newLong;
        int rh = width <= height ? newLong : n;
        return new ClipGeometry(rw, rh, halfOffset(rw - n), halfOffset(rh - n), n);
    }

    /** Python {@code round(d / 2)} for {@code d >= 0}: halves go to the even neighbour. */
    static int halfOffset(int d) {
        int lo = d / 2;
        if (d % 2 == 0) {
            return lo;
        }
        return (lo % 2 == 0) ? lo : lo + 1;
    }

    /** {@return the crop box as {@code [left, top, right, bottom]} (Pillow's {@code crop} box)} */
    public int[] cropBoxLtrb() {
        return new int[] {left, top, left + size, top + size};
    }
}
