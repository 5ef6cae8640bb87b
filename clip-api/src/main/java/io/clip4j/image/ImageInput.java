package io.clip4j.image;

import io.clip4j.io.Streams;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One image to preprocess: an encoded file (path, bytes or stream), raw interleaved pixels (camera
 * frames, Android bitmaps) or an already {@link DecodedImage}. Create with the static factories;
 * {@link #toString()} names the input in error messages.
 */
public abstract class ImageInput {

    ImageInput() {
    }

    /**
     * Decodes (or wraps) the input.
     *
     * @param decoders     decoders for encoded inputs
     * @param maxPixels    largest accepted {@code width * height}
     * @param maxFileBytes largest accepted encoded file
     */
    abstract DecodedImage decode(ImageDecoders decoders, long maxPixels, long maxFileBytes);

    /**
     * Returns an input that reads an image file when it is processed.
     *
     * @param file an image file (format detected from its first bytes); read, and any read failure reported as
     *             an {@link ImageDecodeException}, only when the input is processed
     * @return the input
     * @throws NullPointerException if {@code file} is null
     */
    public static ImageInput of(Path file) {
        Objects.requireNonNull(file, "file");
        return new ImageInput() {
            @Override
            DecodedImage decode(ImageDecoders decoders, long maxPixels, long maxFileBytes) {
                byte[] bytes;
                if (Files.isDirectory(file)) {
                    throw new ImageDecodeException(file + ": is a directory, not an image file");
                }
                try {
                    long size = Files.size(file);
                    if (size > maxFileBytes) {
                        throw new ImageDecodeException(file + ": file is " + size + " bytes, more than the limit of "
                                + maxFileBytes);
                    }
                    // Devices, pipes and /proc files report size 0 and may never end: read those bounded.
                    if (size > 0 && Files.isRegularFile(file)) {
                        bytes = Files.readAllBytes(file);
                    } else {
                        try (InputStream in = Files.newInputStream(file)) {
                            bytes = readBounded(in, maxFileBytes, file.toString(), "file");
                        }
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    throw new ImageDecodeException(file + ": file not found", e);
                } catch (IOException e) {
                    throw new ImageDecodeException(file + ": cannot read file: " + e.getMessage(), e);
                } catch (OutOfMemoryError e) {
                    throw outOfHeap(file.toString(), "file", maxFileBytes, e);
                }
                return decoders.decode(bytes, maxPixels, file.toString());
            }

            @Override
            public String toString() {
                return file.toString();
            }
        };
    }

    /**
     * Returns an input for the bytes of an encoded image file (PNG, JPEG, WebP, GIF, BMP, TIFF, ...).
     *
     * @param encoded the bytes of an image file (not copied; do not modify while in use)
     * @param name    a name for error messages, e.g. the original file name; null gives {@code byte[<length>]}
     * @return the input
     * @throws NullPointerException if {@code encoded} is null
     */
    public static ImageInput ofEncoded(byte[] encoded, String name) {
        Objects.requireNonNull(encoded, "encoded");
        String n = name == null ? "byte[" + encoded.length + "]" : name;
        return new ImageInput() {
            @Override
            DecodedImage decode(ImageDecoders decoders, long maxPixels, long maxFileBytes) {
                return decoders.decode(encoded, maxPixels, n);
            }

            @Override
            public String toString() {
                return n;
            }
        };
    }

    /**
     * Returns an input that reads an encoded image file from a stream when it is processed.
     *
     * @param in   a stream holding one image file; read to its end (at most the preprocessor's file-size limit
     *             plus one byte) when the input is processed, which may happen once; not closed
     * @param name a name for error messages; null gives {@code InputStream}
     * @return the input
     * @throws NullPointerException if {@code in} is null
     */
    public static ImageInput of(InputStream in, String name) {
        Objects.requireNonNull(in, "in");
        String n = name == null ? "InputStream" : name;
        return new ImageInput() {
            private final AtomicBoolean used = new AtomicBoolean();

            @Override
            DecodedImage decode(ImageDecoders decoders, long maxPixels, long maxFileBytes) {
                if (used.getAndSet(true)) { // the stream is spent: say so instead of "empty file"
                    throw new ImageDecodeException(n + ": this stream input was already read (an ImageInput.of"
                            + "(InputStream, ...) can be used once; use ofEncoded(bytes, name) to reuse an image)");
                }
                return decoders.decode(readBounded(in, maxFileBytes, n, "stream"), maxPixels, n);
            }

            @Override
            public String toString() {
                return n;
            }
        };
    }

    /**
     * Raw interleaved 8-bit pixels, e.g. a camera frame, or an Android {@code ARGB_8888} bitmap's
     * {@code getPixels} colours (straight ARGB ints) unpacked to RGBA bytes. Alpha must be straight (not
     * premultiplied: {@code Bitmap.copyPixelsToBuffer} gives premultiplied bytes, which need un-premultiplying
     * first); RGBA is then resized the way Pillow resizes an RGBA image (premultiplied internally, alpha dropped at
     * the end).
     *
     * @param pixels {@code height * width * mode.channels()} samples, row-major (not copied)
     * @param width  columns, &gt; 0
     * @param height rows, &gt; 0
     * @param mode   {@link PixelMode#RGB}, {@link PixelMode#RGBA}, {@link PixelMode#L},
     *               {@link PixelMode#LA} or {@link PixelMode#CMYK}
     * @return the input
     * @throws NullPointerException     if {@code pixels} or {@code mode} is null
     * @throws IllegalArgumentException if the array length does not match (checked in long: a
     *                                  {@code width * height * channels} past {@code int} does not wrap), a size is
     *                                  not positive or the mode is {@link PixelMode#I}
     */
    public static ImageInput ofPixels(byte[] pixels, int width, int height, PixelMode mode) {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(mode, "mode");
        return of(DecodedImage.ofBytes(width, height, mode, pixels, false, 1));
    }

    /**
     * Returns an input for pixels that are already decoded.
     *
     * @param image pixels already decoded
     * @return the input
     * @throws NullPointerException if {@code image} is null
     */
    public static ImageInput of(DecodedImage image) {
        Objects.requireNonNull(image, "image");
        return new ImageInput() {
            @Override
            DecodedImage decode(ImageDecoders decoders, long maxPixels, long maxFileBytes) {
                return image;
            }

            @Override
            public String toString() {
                return image.toString();
            }
        };
    }

    private static byte[] readBounded(InputStream in, long max, String name, String what) {
        try {
            // One byte past the limit tells "longer" from "exactly the limit"; a Java array caps it anyway.
            byte[] b = Streams.readUpTo(in, (int) Math.min(max + 1, Integer.MAX_VALUE - 8));
            if (b.length > max) {
                throw new ImageDecodeException(name + ": " + what + " is longer than the limit of " + max + " bytes");
            }
            return b;
        } catch (IOException e) {
            throw new ImageDecodeException(name + ": cannot read " + what + ": " + e, e);
        } catch (OutOfMemoryError e) {
            throw outOfHeap(name, what, max, e);
        }
    }

    // The encoded bytes are read whole before decoding (up to the file-size limit, 512 MiB by default): on a small
    // heap that read itself may fail, and it is this input's own allocation, garbage once we leave.
    private static ImageDecodeException outOfHeap(String name, String what, long max, OutOfMemoryError e) {
        return new ImageDecodeException(name + ": not enough Java heap to read the " + what + " (" + e.getMessage()
                + "; max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB, file-size limit " + max
                + " bytes); raise -Xmx, or lower the file-size limit with ClipModel.Builder.maxFileBytes "
                + "(ImagePreprocessor.Builder.maxFileBytes for the preprocessor alone)", e);
    }
}
