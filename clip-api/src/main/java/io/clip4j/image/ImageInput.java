package io.clip4j.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One image to encode, from any of the sources clip4j accepts: a file, encoded bytes, a stream,
 * raw interleaved RGB/RGBA pixels (camera frames, Android bitmaps) or an already
 * {@link DecodedImage}. Immutable; the arrays given are not copied and must not change afterwards.
 */
public final class ImageInput {
    enum Kind { PATH, BYTES, RAW, DECODED }

    private final Kind kind;
    private final Path path;
    private final byte[] bytes;
    private final DecodedImage decoded;
    private final String name;

    private ImageInput(Kind kind, Path path, byte[] bytes, DecodedImage decoded, String name) {
        this.kind = kind;
        this.path = path;
        this.bytes = bytes;
        this.decoded = decoded;
        this.name = name;
    }

    /**
     * @param file an image file (PNG, JPEG, GIF, BMP; WebP where the OpenCV decoder is present)
     * @return the input; the file is read when the image is preprocessed
     */
    public static ImageInput of(Path file) {
        Objects.requireNonNull(file, "file");
        return new ImageInput(Kind.PATH, file, null, null, file.toString());
    }

    /**
     * @param encoded the bytes of an image file
     * @return the input
     */
    public static ImageInput of(byte[] encoded) {
        Objects.requireNonNull(encoded, "encoded");
        return new ImageInput(Kind.BYTES, null, encoded, null, "<" + encoded.length + " bytes>");
    }

    /**
     * Reads a whole stream now (it is not closed).
     *
     * @param in the bytes of an image file
     * @return the input
     * @throws UncheckedIOException if reading fails
     */
    public static ImageInput of(InputStream in) {
        Objects.requireNonNull(in, "in");
        try {
            byte[] b = in.readAllBytes();
            return new ImageInput(Kind.BYTES, null, b, null, "<stream, " + b.length + " bytes>");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image stream: " + e.getMessage(), e);
        }
    }

    /**
     * @param image pixels already decoded
     * @return the input
     */
    public static ImageInput of(DecodedImage image) {
        Objects.requireNonNull(image, "image");
        return new ImageInput(Kind.DECODED, null, null, image, image.toString());
    }

    /**
     * Raw 8-bit pixels, interleaved row-major, no padding between rows.
     *
     * @param pixels   {@code height * width * 3} (RGB) or {@code * 4} (RGBA, straight alpha) bytes
     * @param width    columns, &gt; 0
     * @param height   rows, &gt; 0
     * @param hasAlpha true for RGBA, false for RGB
     * @return the input
     * @throws IllegalArgumentException if the array length does not match
     */
    public static ImageInput raw(byte[] pixels, int width, int height, boolean hasAlpha) {
        DecodedImage d = DecodedImage.ofBytes(width, height, hasAlpha ? PixelMode.RGBA : PixelMode.RGB, pixels,
                false, 1);
        return new ImageInput(Kind.RAW, null, null, d, "<raw " + width + "x" + height + (hasAlpha ? " RGBA>" : " RGB>"));
    }

    Kind kind() {
        return kind;
    }

    Path path() {
        return path;
    }

    byte[] bytes() {
        return bytes;
    }

    DecodedImage decoded() {
        return decoded;
    }

    /** @return a short description for messages: the path, or the kind and size of the data */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "ImageInput[" + name + "]";
    }
}
