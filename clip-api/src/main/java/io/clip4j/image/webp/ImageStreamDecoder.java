package io.clip4j.image.webp;

import io.clip4j.image.ImageDecodeException;

import java.util.ArrayList;
import java.util.List;

/**
 * Decodes a VP8L image stream (the part after the 5-byte header) the way libwebp 1.2.4 does
 * ({@code DecodeImageStream}, {@code ReadHuffmanCodes}, {@code DecodeImageData}, {@code DecodeAlphaData}):
 * transforms (each type at most once, top level only), colour cache, entropy image and Huffman groups,
 * LZ77-coded pixels, then the inverse transforms. Sub-images (transform data, entropy image) are image streams
 * without transforms or entropy image of their own. Every error libwebp reports is an
 * {@link ImageDecodeException}, including running out of data: libwebp's decoder fails once its bit reader
 * reached the end of the stream, with one exception kept here, the 8-bit path of paletted alpha, which
 * tolerates an over-read by the symbol that completes the plane.
 */
final class ImageStreamDecoder {
    private static final int NUM_TRANSFORM_TYPES = 4;
    private static final int PREDICTOR = 0;
    private static final int CROSS_COLOR = 1;
    private static final int SUBTRACT_GREEN = 2;
    private static final int COLOR_INDEXING = 3;
    private static final int MAX_CACHE_BITS = 11;
    private static final int LENGTH_CODES_END = HuffmanGroup.NUM_LITERALS + HuffmanGroup.NUM_LENGTH_CODES;

    private final Vp8lBitReader br;
    /** Transforms in stream order. */
    private final List<Transform> transforms = new ArrayList<>(NUM_TRANSFORM_TYPES);
    private int transformsSeen;

    /** @param br the stream, positioned after the VP8L header (or at the start of an ALPH payload) */
    ImageStreamDecoder(Vp8lBitReader br) {
        this.br = br;
    }

    /**
     * @param detail what is wrong
     * @return an exception for corrupt VP8L data
     */
    static ImageDecodeException corrupt(String detail) {
        return new ImageDecodeException("WebP: corrupt lossless data (" + detail + ")");
    }

    /** @return an exception for VP8L data that ends before the image does */
    static ImageDecodeException truncated() {
        return new ImageDecodeException("WebP: lossless data is truncated");
    }

    /**
     * Decodes a top-level image stream to ARGB.
     *
     * @param width  image width
     * @param height image height
     * @return {@code width * height} ARGB pixels
     * @throws ImageDecodeException on corrupt or truncated data
     */
    int[] decodeArgb(int width, int height) {
        int codedWidth = readTransforms(width, height);
        HuffmanGroups codes = readCodes(codedWidth, height, readCacheBits(), true);
        int[] pixels = new int[codedWidth * height];
        decodePixels(pixels, codedWidth, height, codes);
        return undoTransforms(pixels, height);
    }

    /**
     * Decodes a top-level image stream holding an alpha plane in its green channel, choosing libwebp's
     * 8-bit path when it would (only a colour-indexing transform, no colour cache, trivial red/blue/alpha).
     *
     * @param width  plane width
     * @param height plane height
     * @return {@code width * height} alpha values, still filtered
     * @throws ImageDecodeException on corrupt or truncated data
     */
    byte[] decodeAlpha(int width, int height) {
        int codedWidth = readTransforms(width, height);
        HuffmanGroups codes = readCodes(codedWidth, height, readCacheBits(), true);
        int[] pixels = new int[codedWidth * height];
        if (transforms.size() == 1 && transforms.get(0) instanceof ColorIndexingTransform && codes.cacheBits == 0
                && codes.allTrivialRedBlueAlpha()) {
            decodePaletteIndices(pixels, codedWidth, height, codes);
        } else {
            decodePixels(pixels, codedWidth, height, codes);
        }
        int[] argb = undoTransforms(pixels, height);
        byte[] alpha = new byte[width * height];
        for (int i = 0; i < alpha.length; i++) {
            alpha[i] = (byte) (argb[i] >>> 8);
        }
        return alpha;
    }

    /** Undoes the transforms, last read first; returns the ARGB image. */
    private int[] undoTransforms(int[] pixels, int height) {
        int[] p = pixels;
        for (int i = transforms.size() - 1; i >= 0; i--) {
            p = transforms.get(i).inverse(p, height);
        }
        return p;
    }

    /** Reads the transforms of the top-level stream; returns the width of the coded image. */
    private int readTransforms(int width, int height) {
        int xsize = width;
        while (br.readBits(1) == 1) {
            int type = br.readBits(2);
            if ((transformsSeen & (1 << type)) != 0) {
                throw corrupt("transform " + type + " appears twice");
            }
            transformsSeen |= 1 << type;
            switch (type) {
                case PREDICTOR, CROSS_COLOR -> {
                    int bits = br.readBits(3) + 2;
                    int[] data = decodeSubImage(Transform.subSample(xsize, bits), Transform.subSample(height, bits));
                    transforms.add(type == PREDICTOR ? new PredictorTransform(xsize, bits, data)
                            : new CrossColorTransform(xsize, bits, data));
                }
                case SUBTRACT_GREEN -> transforms.add(new SubtractGreenTransform());
                default -> {
                    int numColors = br.readBits(8) + 1;
                    int bits = ColorIndexingTransform.bundleBits(numColors);
                    int[] coded = decodeSubImage(numColors, 1);
                    transforms.add(new ColorIndexingTransform(xsize, bits,
                            ColorIndexingTransform.expandPalette(coded, bits)));
                    xsize = Transform.subSample(xsize, bits);
                }
            }
        }
        return xsize;
    }

    /** Reads the colour cache size: 0 (none) or 1 to 11 bits; anything else is an error in libwebp. */
    private int readCacheBits() {
        if (br.readBits(1) == 0) {
            return 0;
        }
        int bits = br.readBits(4);
        if (bits < 1 || bits > MAX_CACHE_BITS) {
            throw corrupt("colour cache bits " + bits);
        }
        return bits;
    }

    /** Decodes a sub-image: colour cache and one Huffman group, then its pixels. */
    private int[] decodeSubImage(int xsize, int ysize) {
        HuffmanGroups codes = readCodes(xsize, ysize, readCacheBits(), false);
        int[] data = new int[xsize * ysize];
        decodePixels(data, xsize, ysize, codes);
        return data;
    }

    /** Reads the entropy image (top level only) and the Huffman groups (libwebp's {@code ReadHuffmanCodes}). */
    private HuffmanGroups readCodes(int xsize, int ysize, int cacheBits, boolean allowEntropyImage) {
        int[] groupImage = null;
        int tileBits = 0;
        int tilesPerRow = 0;
        int numGroups = 1;
        if (allowEntropyImage && br.readBits(1) == 1) {
            tileBits = br.readBits(3) + 2;
            tilesPerRow = Transform.subSample(xsize, tileBits);
            groupImage = decodeSubImage(tilesPerRow, Transform.subSample(ysize, tileBits));
            for (int i = 0; i < groupImage.length; i++) {
                int group = (groupImage[i] >>> 8) & 0xFFFF; // red and green
                groupImage[i] = group;
                numGroups = Math.max(numGroups, group + 1);
            }
        }
        if (br.eosFlag()) {
            throw truncated();
        }
        int greenAlphabet = LENGTH_CODES_END + (cacheBits > 0 ? 1 << cacheBits : 0);
        HuffmanCodeReader reader = new HuffmanCodeReader(br, greenAlphabet);
        int[] alphabet = {greenAlphabet, HuffmanGroup.NUM_LITERALS, HuffmanGroup.NUM_LITERALS,
            HuffmanGroup.NUM_LITERALS, HuffmanGroup.NUM_DISTANCE_CODES};
        // Groups are read one by one (no table per declared group up front): a stream declaring many groups
        // runs out of data before it can make the decoder allocate much.
        HuffmanGroup[] groups = new HuffmanGroup[numGroups];
        HuffmanTable[] five = new HuffmanTable[alphabet.length];
        for (int g = 0; g < numGroups; g++) {
            for (int j = 0; j < five.length; j++) {
                five[j] = reader.read(alphabet[j]);
            }
            groups[g] = new HuffmanGroup(five);
        }
        return new HuffmanGroups(groups, groupImage, tileBits, tilesPerRow, cacheBits);
    }

    /**
     * Decodes entropy-coded ARGB pixels (libwebp's {@code DecodeImageData}); fails on a backward reference
     * outside the image and when the data ran out.
     */
    private void decodePixels(int[] data, int width, int height, HuffmanGroups codes) {
        final Vp8lBitReader br = this.br;
        final int total = width * height;
        final int mask = codes.mask;
        final ColorCache cache = codes.cacheBits > 0 ? new ColorCache(codes.cacheBits) : null;
        int pos = 0;
        int col = 0;
        int row = 0;
        HuffmanGroup g = codes.at(0, 0);
        while (pos < total) {
            if ((col & mask) == 0) {
                g = codes.at(col, row);
            }
            int argb;
            if (g.trivialCode) {
                argb = g.literalArb;
            } else {
                br.fill();
                int code = g.green.readSymbol(br);
                if (br.isEndOfStream()) {
                    break;
                }
                if (code < HuffmanGroup.NUM_LITERALS) {
                    if (g.trivialLiteral) {
                        argb = g.literalArb | (code << 8);
                    } else {
                        int red = g.red.readSymbol(br);
                        br.fill();
                        int blue = g.blue.readSymbol(br);
                        int alpha = g.alpha.readSymbol(br);
                        if (br.isEndOfStream()) {
                            break;
                        }
                        argb = (alpha << 24) | (red << 16) | (code << 8) | blue;
                    }
                } else if (code < LENGTH_CODES_END) {
                    int length = BackwardReferences.prefixValue(code - HuffmanGroup.NUM_LITERALS, br);
                    int distSymbol = g.distance.readSymbol(br);
                    br.fill();
                    int dist = BackwardReferences.planeCodeToDistance(width,
                            BackwardReferences.prefixValue(distSymbol, br));
                    if (br.isEndOfStream()) {
                        break;
                    }
                    if (pos < dist || total - pos < length) {
                        throw corrupt("backward reference outside the image");
                    }
                    for (int i = 0; i < length; i++, pos++) {
                        int v = data[pos - dist];
                        data[pos] = v;
                        if (cache != null) {
                            cache.insert(v);
                        }
                    }
                    col += length;
                    while (col >= width) {
                        col -= width;
                        row++;
                    }
                    if ((col & mask) != 0 && pos < total) {
                        g = codes.at(col, row);
                    }
                    continue;
                } else {
                    argb = cache.lookup(code - LENGTH_CODES_END);
                }
            }
            data[pos++] = argb;
            if (cache != null) {
                cache.insert(argb);
            }
            if (++col == width) {
                col = 0;
                row++;
            }
        }
        if (br.isEndOfStream()) {
            throw truncated();
        }
    }

    /**
     * Decodes palette indices of an alpha plane into the green channel (libwebp's {@code DecodeAlphaData}),
     * with its end-of-stream rule: the loop stops once the end-of-stream flag is set, and that is an error only
     * if the plane is not complete.
     */
    private void decodePaletteIndices(int[] data, int width, int height, HuffmanGroups codes) {
        final int total = width * height;
        final int mask = codes.mask;
        int pos = 0;
        int col = 0;
        int row = 0;
        HuffmanGroup g = codes.at(0, 0);
        while (!br.eosFlag() && pos < total) {
            if ((col & mask) == 0) {
                g = codes.at(col, row);
            }
            br.fill();
            int code = g.green.readSymbol(br);
            if (code < HuffmanGroup.NUM_LITERALS) {
                data[pos++] = code << 8;
                if (++col >= width) {
                    col = 0;
                    row++;
                }
            } else if (code < LENGTH_CODES_END) {
                int length = BackwardReferences.prefixValue(code - HuffmanGroup.NUM_LITERALS, br);
                int distSymbol = g.distance.readSymbol(br);
                br.fill();
                int dist = BackwardReferences.planeCodeToDistance(width, BackwardReferences.prefixValue(distSymbol, br));
                if (pos < dist || total - pos < length) {
                    throw corrupt("backward reference outside the image");
                }
                for (int i = 0; i < length; i++, pos++) {
                    data[pos] = data[pos - dist];
                }
                col += length;
                while (col >= width) {
                    col -= width;
                    row++;
                }
                if (pos < total && (col & mask) != 0) {
                    g = codes.at(col, row);
                }
            } else {
                throw corrupt("colour cache symbol without a colour cache");
            }
            br.updateEos();
        }
        br.updateEos();
        if (br.eosFlag() && pos < total) {
            throw truncated();
        }
    }
}
