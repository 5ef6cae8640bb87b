package io.clip4j.image.webp;

import io.clip4j.image.ImageDecodeException;

/**
 * Decodes the payload of a 'VP8L' chunk (WebP lossless) to ARGB, bit-exact with libwebp 1.2.4 and failing
 * where it fails.
 *
 * <p>What the decoder sees decides whether a stream that reads past its end fails: libwebp (through the
 * demuxer, as Pillow decodes) is handed the chunk with its padding byte when the size is odd and that byte is in
 * the file, so to match it, pass the padded length.
 */
final class Vp8lDecoder {
    private static final int SIGNATURE = 0x2F;
    private static final int HEADER_SIZE = 5;

    private Vp8lDecoder() {
    }

    /**
     * Decodes the payload of a 'VP8L' chunk.
     *
     * @param data      the bytes
     * @param offset    start of the payload (the 0x2F signature byte)
     * @param length    payload length: the chunk size, plus its padding byte (if in the file) when the size is odd,
     *                  as libwebp sees it
     * @param maxPixels largest {@code width * height} accepted, checked from the header before any pixel buffer
     *                  is allocated
     * @return the image
     * @throws ImageDecodeException ("WebP: ..." messages) on a bad signature or version, corrupt or truncated
     *                              data, or an image larger than {@code maxPixels}
     */
    static Vp8lImage decode(byte[] data, int offset, int length, long maxPixels) {
        if (offset < 0 || length < 0 || offset > data.length - length) {
            throw new ImageDecodeException("WebP: VP8L chunk extends past the end of the file");
        }
        if (length < HEADER_SIZE) {
            throw new ImageDecodeException("WebP: VP8L chunk too short (" + length + " bytes)");
        }
        if ((data[offset] & 0xFF) != SIGNATURE) {
            throw new ImageDecodeException("WebP: bad VP8L signature 0x"
                    + Integer.toHexString(data[offset] & 0xFF));
        }
        Vp8lBitReader br = new Vp8lBitReader(data, offset, length);
        br.readBits(8);
        int width = br.readBits(14) + 1;
        int height = br.readBits(14) + 1;
        br.readBits(1); // alpha hint: the container reports it, decoding ignores it
        int version = br.readBits(3);
        if (version != 0) {
            throw new ImageDecodeException("WebP: unsupported VP8L version " + version);
        }
        if ((long) width * height > maxPixels) {
            throw new ImageDecodeException("WebP: image is " + width + "x" + height + " = " + (long) width * height
                    + " pixels, more than the limit of " + maxPixels + " (decompression bomb guard)");
        }
        try {
            return new Vp8lImage(width, height, new ImageStreamDecoder(br).decodeArgb(width, height));
        } catch (ImageDecodeException e) {
            throw e;
        } catch (RuntimeException e) {
            // Not expected (every check libwebp makes is made above); kept typed for callers all the same.
            throw new ImageDecodeException("WebP: corrupt lossless data", e);
        }
    }
}
