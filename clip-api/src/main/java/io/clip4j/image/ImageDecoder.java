package io.clip4j.image;

/**
 * Service-provider interface for image decoders. Implementations are found with
 * {@link java.util.ServiceLoader} (pure-Java ones ship in clip-api; the OpenCV one in clip-native)
 * or passed explicitly. They must be thread-safe.
 */
public interface ImageDecoder {

    /**
     * Tells whether this decoder recognises the file's format.
     *
     * @param header the file's bytes (the registry passes the whole file; a decoder reads only as far as
     *               it needs, usually the signature, and must not modify them)
     * @return true if this decoder recognises the format from its signature
     */
    boolean canDecode(byte[] header);

    /**
     * Decodes a whole file into pixels as Pillow's {@code Image.open} would hold them (same mode,
     * same samples; see {@link DecodedImage}).
     *
     * @param file      the encoded file's bytes
     * @param maxPixels largest accepted {@code width * height}; checked from the header before any
     *                  pixel memory is allocated
     * @return the decoded image
     * @throws ImageDecodeException if the data is truncated, corrupt, unsupported, zero-sized or too large
     */
    DecodedImage decode(byte[] file, long maxPixels);

    /**
     * Returns this decoder's precedence over other decoders of the same format.
     *
     * @return the order among decoders that accept the same file: higher is tried first (pure-Java
     *         decoders use 0; native ones a positive number)
     */
    default int priority() {
        return 0;
    }

    /** {@return a short name for logs and error messages, e.g. {@code "png (java)"}} */
    String name();
}
