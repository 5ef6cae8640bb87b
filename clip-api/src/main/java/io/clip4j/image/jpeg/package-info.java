/**
 * Pure-Java JPEG decoding that reproduces Pillow 9.4 / libjpeg-turbo 2.1.5 pixel for pixel
 * ({@link io.clip4j.image.jpeg.JpegDecoder}). Internals, in decoding order: marker parsing
 * ({@code JpegReader}, {@code Frame}, {@code StandardHuffmanTables}), Huffman decoding ({@code BitReader},
 * {@code HuffmanTable}, {@code ScanDecoder}), the ISLOW inverse DCT ({@code Idct}), fancy upsampling
 * ({@code Upsampler}) and colour conversion ({@code ColorConverter}), driven by {@code PixelAssembler}.
 */
package io.clip4j.image.jpeg;
