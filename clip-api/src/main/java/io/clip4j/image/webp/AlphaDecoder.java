package io.clip4j.image.webp;

import io.clip4j.image.ImageDecodeException;

/**
 * Decodes the payload of an 'ALPH' chunk (the alpha plane of a lossy WebP) like libwebp 1.2.4's
 * {@code ALPHInit}/{@code ALPHDecode}. Header byte: reserved (2 bits, must be 0) | pre-processing (2 bits,
 * 0 or 1; level reduction, which needs nothing on decoding without dithering, as Pillow decodes) | filter (2) |
 * compression (2: 0 raw, 1 VP8L image stream without its header whose green channel holds the alpha).
 */
final class AlphaDecoder {
    private AlphaDecoder() {
    }

    /**
     * Decodes an alpha plane.
     *
     * @param data   the bytes
     * @param offset start of the ALPH payload (the header byte)
     * @param length payload length: the chunk size, without padding (libwebp sees exactly that)
     * @param width  width of the image
     * @param height height of the image
     * @return {@code width * height} alpha values, row-major
     * @throws ImageDecodeException on an invalid header (compression method, pre-processing, reserved bits),
     *                              corrupt or short data
     */
    static byte[] decode(byte[] data, int offset, int length, int width, int height) {
        if (offset < 0 || length < 0 || offset > data.length - length) {
            throw new ImageDecodeException("WebP: ALPH chunk extends past the end of the file");
        }
        if (width <= 0 || height <= 0 || (long) width * height > Integer.MAX_VALUE - 8) {
            throw new ImageDecodeException("WebP: invalid alpha plane size " + width + "x" + height);
        }
        if (length <= 1) {
            throw new ImageDecodeException("WebP: ALPH chunk too short (" + length + " bytes)");
        }
        int header = data[offset] & 0xFF;
        int method = header & 3;
        int filter = (header >> 2) & 3;
        int preprocessing = (header >> 4) & 3;
        int reserved = header >> 6;
        if (method > 1 || preprocessing > 1 || reserved != 0) {
            throw new ImageDecodeException("WebP: invalid ALPH header 0x" + Integer.toHexString(header));
        }
        byte[] alpha;
        if (method == 0) {
            if (length - 1 < width * height) {
                throw new ImageDecodeException("WebP: ALPH chunk too short for " + width + "x" + height + " raw alpha");
            }
            alpha = new byte[width * height];
            System.arraycopy(data, offset + 1, alpha, 0, alpha.length);
        } else {
            try {
                alpha = new ImageStreamDecoder(new Vp8lBitReader(data, offset + 1, length - 1))
                        .decodeAlpha(width, height);
            } catch (ImageDecodeException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new ImageDecodeException("WebP: corrupt lossless alpha data", e);
            }
        }
        AlphaUnfilter.unfilter(filter, alpha, width, height);
        return alpha;
    }
}
