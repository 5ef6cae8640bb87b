package io.clip4j.image.webp;

import io.clip4j.image.ImageDecodeException;

/**
 * The uncompressed data chunk and the frame header of a VP8 key frame (RFC 6386 sections 9.1 to 9.6,
 * 9.10, 9.11), with libwebp's checks ({@code VP8GetInfo}, {@code VP8GetHeaders}) and their order.
 */
final class FrameHeader {
    /** Segment-based adjustments (section 9.3). */
    static final class Segments {
        boolean enabled;
        boolean updateMap;
        /** Values are absolute, not deltas to the frame's (libwebp's default when not transmitted). */
        boolean absolute = true;
        final int[] quantizer = new int[4];
        final int[] filterStrength = new int[4];
        /** Probabilities of the segment id tree. */
        final int[] treeProbas = {255, 255, 255};
    }

    /** Loop filter parameters (section 9.4). */
    static final class Filter {
        boolean simple;
        int level;
        int sharpness;
        boolean useDeltas;
        final int[] refDeltas = new int[4];
        final int[] modeDeltas = new int[4];
    }

    final int width;
    final int height;
    /** The first partition: header rest and per-macroblock modes. */
    final BoolDecoder modes;
    final Segments segments = new Segments();
    final Filter filter = new Filter();
    /** Token partitions; macroblock row {@code r} uses {@code tokens[r & (tokens.length - 1)]}. */
    final BoolDecoder[] tokens;
    final Quantizer quantizer;
    final CoefficientProbabilities probabilities;

    /**
     * Parses everything up to the first macroblock.
     *
     * @param data      buffer holding the 'VP8 ' chunk payload
     * @param offset    start of the payload
     * @param length    bytes available to the decoder
     * @param maxPixels largest accepted {@code width * height}
     * @throws ImageDecodeException on a header libwebp rejects, or a picture over {@code maxPixels}
     */
    FrameHeader(byte[] data, int offset, int length, long maxPixels) {
        if (length < 10) {
            throw error("truncated VP8 frame header");
        }
        int bits = (data[offset] & 0xFF) | (data[offset + 1] & 0xFF) << 8 | (data[offset + 2] & 0xFF) << 16;
        if ((data[offset + 3] & 0xFF) != 0x9D || (data[offset + 4] & 0xFF) != 0x01
                || (data[offset + 5] & 0xFF) != 0x2A) {
            throw error("bad VP8 start code");
        }
        if ((bits & 1) != 0) {
            throw error("not a VP8 key frame");
        }
        if (((bits >> 1) & 7) > 3) {
            throw error("unknown VP8 profile " + ((bits >> 1) & 7));
        }
        if (((bits >> 4) & 1) == 0) {
            throw error("VP8 frame not displayable");
        }
        int partitionLength = bits >>> 5;
        if (partitionLength >= length) {
            throw error("VP8 first partition larger than the chunk");
        }
        // The two top bits of each dimension are upscaling hints, which libwebp ignores.
        width = ((data[offset + 7] & 0xFF) << 8 | (data[offset + 6] & 0xFF)) & 0x3FFF;
        height = ((data[offset + 9] & 0xFF) << 8 | (data[offset + 8] & 0xFF)) & 0x3FFF;
        if (width == 0 || height == 0) {
            throw error("VP8 frame of zero size");
        }
        if ((long) width * height > maxPixels) {
            throw error("image of " + width + "x" + height + " exceeds the limit of " + maxPixels + " pixels");
        }
        int pos = offset + 10;
        int left = length - 10;
        if (partitionLength > left) {
            throw error("bad VP8 partition length");
        }
        modes = new BoolDecoder(data, pos, partitionLength);
        pos += partitionLength;
        left -= partitionLength;

        modes.readFlag(); // colour space: libwebp ignores it
        modes.readFlag(); // clamping type: reconstruction always clamps
        parseSegments(modes);
        if (modes.eof()) {
            throw error("cannot parse VP8 segment header");
        }
        parseFilter(modes);
        if (modes.eof()) {
            throw error("cannot parse VP8 filter header");
        }
        tokens = partitions(data, pos, left, modes);
        quantizer = new Quantizer(modes, segments);
        modes.readFlag(); // refresh_entropy_probs: meaningless for a lone key frame
        probabilities = new CoefficientProbabilities(modes);
    }

    private void parseSegments(BoolDecoder br) {
        Segments s = segments;
        s.enabled = br.readFlag();
        if (!s.enabled) {
            return;
        }
        s.updateMap = br.readFlag();
        if (br.readFlag()) { // update segment feature data
            s.absolute = br.readFlag();
            for (int i = 0; i < 4; i++) {
                s.quantizer[i] = br.readFlag() ? br.readSignedLiteral(7) : 0;
            }
            for (int i = 0; i < 4; i++) {
                s.filterStrength[i] = br.readFlag() ? br.readSignedLiteral(6) : 0;
            }
        }
        if (s.updateMap) {
            for (int i = 0; i < 3; i++) {
                s.treeProbas[i] = br.readFlag() ? br.readLiteral(8) : 255;
            }
        }
    }

    private void parseFilter(BoolDecoder br) {
        Filter f = filter;
        f.simple = br.readFlag();
        f.level = br.readLiteral(6);
        f.sharpness = br.readLiteral(3);
        f.useDeltas = br.readFlag();
        if (f.useDeltas && br.readFlag()) { // deltas transmitted
            for (int i = 0; i < 4; i++) {
                if (br.readFlag()) {
                    f.refDeltas[i] = br.readSignedLiteral(6);
                }
            }
            for (int i = 0; i < 4; i++) {
                if (br.readFlag()) {
                    f.modeDeltas[i] = br.readSignedLiteral(6);
                }
            }
        }
    }

    /**
     * Splits the data after the first partition into token partitions (section 9.5). Like libwebp, a size
     * running past the data is cut to what is there, and the last partition must not be empty.
     */
    private static BoolDecoder[] partitions(byte[] data, int pos, int size, BoolDecoder br) {
        int count = 1 << br.readLiteral(2);
        int last = count - 1;
        if (size < 3 * last) {
            throw error("cannot parse VP8 partitions");
        }
        BoolDecoder[] parts = new BoolDecoder[count];
        int sizes = pos;
        int start = pos + 3 * last;
        int left = size - 3 * last;
        for (int p = 0; p < last; p++) {
            int psize = (data[sizes] & 0xFF) | (data[sizes + 1] & 0xFF) << 8 | (data[sizes + 2] & 0xFF) << 16;
            psize = Math.min(psize, left);
            parts[p] = new BoolDecoder(data, start, psize);
            start += psize;
            left -= psize;
            sizes += 3;
        }
        if (left == 0) {
            throw error("cannot parse VP8 partitions: premature end of data");
        }
        parts[last] = new BoolDecoder(data, start, left);
        return parts;
    }

    /**
     * @param message what is wrong
     * @return the exception to throw, its message prefixed like the other WebP errors
     */
    static ImageDecodeException error(String message) {
        return new ImageDecodeException("WebP: " + message);
    }
}
