package io.clip4j.image;

import java.util.Objects;

/**
 * Pixels exactly as an image file decodes, before any resampling: what Pillow's
 * {@code Image.open} holds in memory, described by a {@link PixelMode}.
 *
 * <p>8-bit modes keep their samples interleaved row-major in {@link #data()} ({@code height * width *
 * mode.channels()} bytes, unsigned). Mode {@link PixelMode#I} (16-bit grayscale PNG in Pillow) keeps
 * unscaled integer samples in {@link #intData()} ({@code height * width} values). Palette and 1-bit
 * images are stored already expanded (to RGB or L) with {@link #nearestOnly()} set, because Pillow
 * resizes such images with nearest neighbour, which commutes with the palette lookup.
 *
 * <p>Instances are immutable by contract: the arrays are not copied, so callers must not modify them
 * after construction.
 */
public final class DecodedImage {
    private final int width;
    private final int height;
    private final PixelMode mode;
    private final byte[] data;
    private final int[] intData;
    private final boolean nearestOnly;
    private final int exifOrientation;
    private final int openedWidth;
    private final int openedHeight;

    private DecodedImage(int width, int height, PixelMode mode, byte[] data, int[] intData,
                         boolean nearestOnly, int exifOrientation) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (exifOrientation < 1 || exifOrientation > 8) {
            throw new IllegalArgumentException("EXIF orientation must be in 1..8, got " + exifOrientation);
        }
        long samples = (long) width * height * mode.channels();
        if (mode == PixelMode.I) {
            Objects.requireNonNull(intData, "intData");
            if (intData.length != samples) {
                throw new IllegalArgumentException("expected " + samples + " int samples, got " + intData.length);
            }
        } else {
            Objects.requireNonNull(data, "data");
            if (data.length != samples) {
                throw new IllegalArgumentException("expected " + samples + " byte samples, got " + data.length);
            }
        }
        this.width = width;
        this.height = height;
        this.mode = mode;
        this.data = data;
        this.intData = intData;
        this.nearestOnly = nearestOnly;
        this.exifOrientation = exifOrientation;
        this.openedWidth = width;
        this.openedHeight = height;
    }

    private DecodedImage(DecodedImage turned, int openedWidth, int openedHeight) {
        this.width = turned.width;
        this.height = turned.height;
        this.mode = turned.mode;
        this.data = turned.data;
        this.intData = turned.intData;
        this.nearestOnly = turned.nearestOnly;
        this.exifOrientation = turned.exifOrientation;
        this.openedWidth = openedWidth;
        this.openedHeight = openedHeight;
    }

    /**
     * The same pixels, with the size Pillow's {@code Image.open} reports for them before they are loaded (see
     * {@link #openedWidth()}).
     */
    DecodedImage withOpenedSize(int openedWidth, int openedHeight) {
        return new DecodedImage(this, openedWidth, openedHeight);
    }

    /**
     * An 8-bit image.
     *
     * @param width       columns, &gt; 0
     * @param height      rows, &gt; 0
     * @param mode        any mode but {@link PixelMode#I}
     * @param data        {@code height * width * mode.channels()} interleaved samples, row-major
     * @param nearestOnly true for palette ({@code P}) and bilevel ({@code 1}) sources, which Pillow
     *                    resizes with nearest neighbour whatever filter is asked for
     * @param exifOrientation EXIF orientation tag (1..8; 1 when absent)
     * @return the image
     * @throws NullPointerException     if {@code mode} or {@code data} is null
     * @throws IllegalArgumentException if a size is not positive, sizes and array length disagree (the product
     *                                  is computed in long, so no overflow passes), the mode is {@link PixelMode#I},
     *                                  or exifOrientation is outside 1..8
     */
    public static DecodedImage ofBytes(int width, int height, PixelMode mode, byte[] data,
                                       boolean nearestOnly, int exifOrientation) {
        Objects.requireNonNull(mode, "mode");
        if (mode == PixelMode.I) {
            throw new IllegalArgumentException("mode I holds int samples; use ofInts");
        }
        return new DecodedImage(width, height, mode, data, null, nearestOnly, exifOrientation);
    }

    /**
     * A 32-bit integer grayscale image (Pillow mode {@code I}, e.g. a 16-bit grayscale PNG, values unscaled).
     *
     * @param width   columns, &gt; 0
     * @param height  rows, &gt; 0
     * @param intData {@code height * width} samples, row-major
     * @param exifOrientation EXIF orientation tag (1..8; 1 when absent)
     * @return the image
     * @throws NullPointerException     if {@code intData} is null
     * @throws IllegalArgumentException if a size is not positive, sizes and array length disagree, or
     *                                  exifOrientation is outside 1..8
     */
    public static DecodedImage ofInts(int width, int height, int[] intData, int exifOrientation) {
        return new DecodedImage(width, height, PixelMode.I, null, intData, false, exifOrientation);
    }

    /** {@return the width in pixels (columns), &gt; 0} */
    public int width() {
        return width;
    }

    /** {@return the height in pixels (rows), &gt; 0} */
    public int height() {
        return height;
    }

    /** {@return the pixel mode (Pillow's name for it)} */
    public PixelMode mode() {
        return mode;
    }

    /** {@return the interleaved 8-bit samples (unsigned), or {@code null} for mode {@link PixelMode#I}} */
    public byte[] data() {
        return data;
    }

    /** {@return the integer samples for mode {@link PixelMode#I}, otherwise {@code null}} */
    public int[] intData() {
        return intData;
    }

    /** {@return true when Pillow would resize this image with nearest neighbour (palette / 1-bit source)} */
    public boolean nearestOnly() {
        return nearestOnly;
    }

    /**
     * The width Pillow's {@code Image.open} reports before the pixels are loaded, which is what torchvision's
     * {@code Resize} and {@code CenterCrop} read in CLIP's reference preprocessing. It differs from {@link #width()}
     * only for a TIFF whose Orientation tag (5..8) swaps the axes: Pillow's TIFF loader turns the pixels when it
     * loads them, so before that it reports the stored size, {@link #height()} x {@link #width()}.
     *
     * @return the width before loading, &gt; 0 ({@link #width()} for every image not turned on load)
     */
    public int openedWidth() {
        return openedWidth;
    }

    /**
     * The height Pillow's {@code Image.open} reports before the pixels are loaded (see {@link #openedWidth()}).
     *
     * @return the height before loading, &gt; 0 ({@link #height()} for every image not turned on load)
     */
    public int openedHeight() {
        return openedHeight;
    }

    /** {@return the EXIF orientation tag of the file, 1..8 (1 = as stored, also when the file has none)} */
    public int exifOrientation() {
        return exifOrientation;
    }

    @Override
    public String toString() {
        return "DecodedImage[" + width + "x" + height + " " + mode + (nearestOnly ? ", nearest" : "") + "]";
    }
}
