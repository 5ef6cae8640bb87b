/**
 * Pure-Java WebP decoding that reproduces Pillow 9.4 / libwebp 1.2.4 pixel for pixel.
 * Lossless part: {@code Vp8lDecoder} decodes a 'VP8L' chunk (bit reader {@code Vp8lBitReader},
 * canonical prefix codes {@code HuffmanTable} read by {@code HuffmanCodeReader} and grouped by the entropy image
 * in {@code HuffmanGroups}, {@code ColorCache}, LZ77 distances in {@code BackwardReferences}, the four inverse
 * transforms, all driven by {@code ImageStreamDecoder}); {@code AlphaDecoder} decodes an 'ALPH' chunk (raw or
 * VP8L-compressed alpha, then {@code AlphaUnfilter}).
 */
package io.clip4j.image.webp;
