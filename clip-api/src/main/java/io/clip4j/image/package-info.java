/**
 * CLIP's image preprocessing, bit-exact with openai/CLIP's {@code preprocess} ({@code _transform(n_px)}:
 * Pillow 9.4's bicubic {@code Resize}, {@code CenterCrop}, {@code convert("RGB")}, {@code ToTensor},
 * {@code Normalize}): {@link io.clip4j.image.ImagePreprocessor} (configured with its
 * {@link io.clip4j.image.ImagePreprocessor.Builder}) turns {@link io.clip4j.image.ImageInput}s (files, bytes,
 * streams, raw pixels) into {@code pixel_values}. Decoding gives a {@link io.clip4j.image.DecodedImage} in
 * Pillow's {@link io.clip4j.image.PixelMode}, through the {@link io.clip4j.image.ImageDecoder}s of
 * {@link io.clip4j.image.ImageDecoders} (pure-Java PNG, GIF, BMP here, JPEG, WebP and TIFF in the subpackages,
 * each reproducing what Pillow's {@code Image.open} holds); failures are an
 * {@link io.clip4j.image.ImageDecodeException} naming the input.
 *
 * <p>The preprocessor and decoders are immutable and thread-safe. Nothing here uses java.awt except
 * {@link io.clip4j.image.AwtImages} (desktop Java only, for {@code BufferedImage}); the rest runs on Android API 26.
 */
package io.clip4j.image;
