/**
 * JPEG decoding with OpenCV's libjpeg-turbo, the library Pillow uses: {@link io.clip4j.opencv.OpenCvImageDecoder}
 * is registered as an {@link io.clip4j.image.ImageDecoder} with priority 10, ahead of clip-api's pure-Java
 * decoders, and takes only plain JPEGs (not CMYK), returning the L or RGB pixels Pillow's {@code Image.open} would
 * give, without applying the EXIF orientation. Every other format, and every JPEG it declines, goes to the
 * pure-Java decoders. Thread-safe; where OpenCV's natives cannot be loaded it logs that once and declines every
 * file. Desktop and server JVMs only (the natives of {@code org.bytedeco:opencv}).
 */
package io.clip4j.opencv;
