/**
 * Pure-Java WebP decoding that reproduces Pillow 9.4 / libwebp 1.2.4 pixel for pixel ({@link
 * io.clip4j.image.webp.WebpDecoder}).
 *
 * <p>Container: {@code WebpContainer} checks the RIFF chunks as libwebp's demuxer does and finds the first frame;
 * {@code FrameDecoder} decodes it. Lossy part: {@code Vp8Decoder} decodes a 'VP8 ' key frame ({@code BoolDecoder},
 * {@code FrameHeader}, {@code Quantizer}, {@code IntraModeParser}, {@code ResidualDecoder}, {@code InverseTransform},
 * {@code IntraPredictor}, {@code LoopFilter}) into Y, U, V planes, which {@code YuvConverter} turns into RGB with
 * libwebp's fancy upsampling. Lossless part: {@code Vp8lDecoder} decodes a 'VP8L' chunk (bit reader
 * {@code Vp8lBitReader}, canonical prefix codes {@code HuffmanTable} read by {@code HuffmanCodeReader} and grouped by
 * the entropy image in {@code HuffmanGroups}, {@code ColorCache}, LZ77 distances in {@code BackwardReferences}, the
 * four inverse transforms, all driven by {@code ImageStreamDecoder}); {@code AlphaDecoder} decodes an 'ALPH' chunk
 * (raw or VP8L-compressed alpha, then {@code AlphaUnfilter}).
 */
package io.clip4j.image.webp;
