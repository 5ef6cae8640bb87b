/**
 * Pure-Java WebP decoding that reproduces Pillow 9.4 / libwebp 1.2.4 pixel for pixel. The lossy (VP8) part,
 * in decoding order: the boolean entropy decoder ({@code BoolDecoder}), frame header parsing
 * ({@code FrameHeader}, {@code Quantizer}, {@code CoefficientProbabilities}), per-macroblock mode and token
 * parsing ({@code IntraModeParser}, {@code ResidualDecoder}), reconstruction ({@code IntraPredictor},
 * {@code InverseTransform}), the in-loop filter ({@code LoopFilter}), all driven by {@code Vp8Decoder}, and
 * libwebp's fancy-upsampling YUV to RGB conversion ({@code YuvConverter}).
 */
package io.clip4j.image.webp;
