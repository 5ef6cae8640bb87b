/**
 * Pure-Java decoding of baseline TIFF files that reproduces what Pillow 9.4 (with libtiff 4.5.0) holds after
 * {@code Image.open} for the first image of a file ({@link io.clip4j.image.tiff.TiffDecoder}, registered as an
 * {@link io.clip4j.image.ImageDecoder}). Internals, in decoding order: the first directory ({@code TiffDirectory}),
 * validated into a layout and Pillow mode ({@code TiffLayout}, rejecting what is unsupported before allocating
 * pixels), strips or tiles read and decompressed ({@code TiffChunks}; {@code TiffLzw} and {@code TiffCodecs} for
 * none, PackBits, Deflate and the horizontal predictor), then Pillow's unpackers ({@code TiffPixels}).
 */
package io.clip4j.image.tiff;
