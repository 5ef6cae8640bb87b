package io.clip4j.image;

/**
 * Pixel layouts of a {@link DecodedImage}, named after the Pillow modes whose resampling rules
 * they reproduce.
 */
public enum PixelMode {
    /** 8-bit grayscale. */
    L(1),
    /** 8-bit grayscale with straight (non-premultiplied) alpha; resized premultiplied, like Pillow. */
    LA(2),
    /** 8-bit red, green, blue. */
    RGB(3),
    /** 8-bit red, green, blue with straight alpha; resized premultiplied, like Pillow. */
    RGBA(4),
    /** 8-bit cyan, magenta, yellow, black as Pillow decodes Adobe JPEGs (inversion undone); resized as 4 channels. */
    CMYK(4),
    /** 32-bit signed integer grayscale (Pillow mode {@code I}; 16-bit grayscale PNGs, values unscaled). */
    I(1);

    private final int channels;

    PixelMode(int channels) {
        this.channels = channels;
    }

    /** {@return the number of samples per pixel} */
    public int channels() {
        return channels;
    }
}
