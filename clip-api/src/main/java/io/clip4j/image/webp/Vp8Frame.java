package io.clip4j.image.webp;

/**
 * A decoded VP8 key frame in libwebp's 4:2:0 layout, cropped to the picture size, row-major, no padding.
 *
 * @param width  picture width in pixels
 * @param height picture height in pixels
 * @param y      luma plane, {@code width * height} samples
 * @param u      Cb plane, {@code (width + 1) / 2 * ((height + 1) / 2)} samples
 * @param v      Cr plane, same size as {@code u}
 */
record Vp8Frame(int width, int height, byte[] y, byte[] u, byte[] v) {
}
