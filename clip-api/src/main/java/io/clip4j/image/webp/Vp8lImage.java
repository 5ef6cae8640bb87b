package io.clip4j.image.webp;

/**
 * ARGB pixels of a decoded VP8L image.
 *
 * @param width  columns, 1 to 16384
 * @param height rows, 1 to 16384
 * @param argb   {@code width * height} pixels, 0xAARRGGBB, row-major (alpha not premultiplied)
 */
record Vp8lImage(int width, int height, int[] argb) {
}
