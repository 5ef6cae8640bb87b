package io.clip4j.image.tiff;

import io.clip4j.image.ImageDecodeException;

/**
 * What the first directory describes, validated: size, Pillow's mode for it (the subset of
 * {@code TiffImagePlugin.OPEN_INFO} this decoder reproduces), compression, predictor and the strip
 * or tile grid. Everything unsupported is rejected here, before any pixel memory is allocated.
 */
final class TiffLayout {
    /** Pillow modes (with the raw layout Pillow unpacks them from) this decoder produces. */
    enum Kind {
        /** Mode {@code 1}: 1-bit black/white. */
        BILEVEL,
        /** Mode {@code L} from 2, 4 or 8-bit grey (scaled to 8 bits like Pillow's {@code L;2}/{@code L;4}). */
        GRAY,
        /** Mode {@code LA}: 8-bit grey with unassociated alpha. */
        GRAY_ALPHA,
        /** Mode {@code RGB}. */
        RGB,
        /** Mode {@code RGBA}: unassociated (or unspecified) alpha. */
        RGBA,
        /** Mode {@code RGBA} from associated alpha (Pillow's raw mode {@code RGBa}: un-premultiplied). */
        RGBA_ASSOCIATED,
        /** Mode {@code RGBX}: the fourth sample is padding. */
        RGBX,
        /** Mode {@code P}: 1, 2, 4 or 8-bit indices into the ColorMap. */
        PALETTE
    }

    static final int COMPRESSION_NONE = 1;
    static final int COMPRESSION_LZW = 5;
    static final int COMPRESSION_DEFLATE = 8;
    static final int COMPRESSION_PACKBITS = 32773;
    static final int COMPRESSION_DEFLATE_OLD = 32946;

    final int width;
    final int height;
    final Kind kind;
    /** Bits per sample (the same for all samples). */
    final int bits;
    /** Samples per pixel as stored. */
    final int samples;
    /** WhiteIsZero: grey values are inverted on reading (Pillow's {@code ;I} raw modes). */
    final boolean invert;
    /** FillOrder 2: bits of every stored byte are reversed before decoding. */
    final boolean reverseBits;
    final int compression;
    final boolean predictor;
    /** Each sample in its own plane (PlanarConfiguration 2 with more than one sample). */
    final boolean planar;
    final boolean tiled;
    final int chunkWidth;
    final int chunkHeight;
    final int across;
    final int down;
    final long[] offsets;
    final long[] byteCounts;
    /** 8-bit RGB entries of the palette, or {@code null}. */
    final byte[] palette;
    final int orientation;

    TiffLayout(TiffDirectory d, long maxPixels) {
        compression = (int) d.first(259, 1);
        checkCompression(compression);
        long w = d.first(256, -1);
        long h = d.first(257, -1);
        if (w <= 0 || h <= 0 || w > Integer.MAX_VALUE || h > Integer.MAX_VALUE) {
            throw new ImageDecodeException("TIFF: missing or invalid image size (" + w + "x" + h + ")");
        }
        if (w * h > maxPixels) {
            throw new ImageDecodeException("TIFF: image is " + w + "x" + h + " = " + (w * h)
                    + " pixels, more than the limit of " + maxPixels + " (decompression bomb guard)");
        }
        width = (int) w;
        height = (int) h;
        int photometric = (int) d.first(262, 0); // Pillow's default when the tag is missing
        if (photometric > 3) {
            throw new ImageDecodeException("TIFF: photometric interpretation " + photometric + " ("
                    + photometricName(photometric) + ") is not supported");
        }
        long spp = d.first(277, 1);
        if (spp < 1 || spp > 6) { // Pillow's MAX_SAMPLESPERPIXEL
            throw new ImageDecodeException("TIFF: invalid samples per pixel " + spp);
        }
        samples = (int) spp;
        long[] bps = d.values(258);
        if (bps == null || bps.length == 0) {
            bps = new long[] {1};
        }
        if (bps.length != 1 && bps.length < samples) { // Pillow repeats a single value, trims extra ones
            throw new ImageDecodeException("TIFF: " + bps.length + " BitsPerSample values for " + samples + " samples");
        }
        for (int i = 0; i < Math.min(samples, bps.length); i++) {
            if (bps[i] != bps[0]) {
                throw new ImageDecodeException("TIFF: mixed bits per sample are not supported");
            }
        }
        bits = (int) bps[0];
        if (bits != 1 && bits != 2 && bits != 4 && bits != 8) {
            throw new ImageDecodeException("TIFF: " + bits + "-bit samples are not supported");
        }
        long[] format = d.values(339);
        if (format != null) {
            for (long f : format) {
                if (f != 1) {
                    throw new ImageDecodeException("TIFF: sample format " + f + " is not supported (only unsigned integers)");
                }
            }
        }
        long fill = d.first(266, 1);
        long[] extra = d.values(338);
        kind = kind(photometric, extra == null ? new long[0] : extra);
        invert = photometric == 0;
        if (fill != 1 && !(fill == 2 && (kind == Kind.GRAY || kind == Kind.BILEVEL || kind == Kind.PALETTE
                || kind == Kind.RGB))) {
            throw new ImageDecodeException("TIFF: fill order " + fill + " is not supported for this image");
        }
        reverseBits = fill == 2;
        long pred = d.first(317, 1);
        boolean usesPredictor = compression == COMPRESSION_LZW || compression == COMPRESSION_DEFLATE
                || compression == COMPRESSION_DEFLATE_OLD; // libtiff ignores the tag for the other codecs
        if (usesPredictor && pred != 1 && !(pred == 2 && bits == 8)) {
            throw new ImageDecodeException("TIFF: predictor " + pred + " is not supported with " + bits + "-bit samples");
        }
        predictor = usesPredictor && pred == 2;
        long planarConfig = d.first(284, 1);
        if (planarConfig != 1 && planarConfig != 2) {
            if (compression != COMPRESSION_NONE) {
                throw new ImageDecodeException("TIFF: invalid planar configuration " + planarConfig);
            }
            planarConfig = 1; // Pillow reads uncompressed data itself, as chunky unless the value is 2
        }
        planar = planarConfig == 2 && samples > 1;
        // Pillow reads uncompressed planar data with one letter of its raw mode per plane ("L;4"[0] is "L",
        // "L;I"[0] is "L", "RGB;R"[0] is "R"): bit depth, inversion and bit order are then ignored.
        if (planarConfig == 2 && (reverseBits || (compression == COMPRESSION_NONE && samples == 1
                && (invert || (bits != 8 && kind != Kind.BILEVEL))))) {
            throw new ImageDecodeException("TIFF: planar configuration 2 is not supported with this bit depth,"
                    + " photometric interpretation or fill order");
        }
        if (planar && kind != Kind.RGB && kind != Kind.RGBA) {
            // Pillow unpacks each plane with one letter of its raw mode, which is only right for these.
            throw new ImageDecodeException("TIFF: planar configuration 2 is only supported for RGB and RGBA");
        }
        palette = kind == Kind.PALETTE ? palette(d.values(320), bits) : null;
        long o = d.first(TiffDirectory.ORIENTATION, 1);
        orientation = o >= 1 && o <= 8 ? (int) o : 1;

        long[] stripOffsets = d.values(273);
        long[] tileOffsets = d.values(324);
        tiled = stripOffsets == null;
        if (tiled == (tileOffsets == null)) {
            throw new ImageDecodeException("TIFF: need exactly one of StripOffsets and TileOffsets");
        }
        long cw;
        long ch;
        if (tiled) {
            cw = d.first(322, 0);
            ch = d.first(323, 0);
            offsets = tileOffsets;
            byteCounts = d.values(325);
        } else {
            cw = width;
            ch = Math.min(d.first(278, 0xFFFFFFFFL), height);
            offsets = stripOffsets;
            byteCounts = d.values(279);
        }
        if (cw <= 0 || ch <= 0 || cw > 65536 || ch > 65536) {
            throw new ImageDecodeException("TIFF: invalid " + (tiled ? "tile" : "strip") + " size " + cw + "x" + ch);
        }
        chunkWidth = (int) cw;
        chunkHeight = (int) ch;
        if (tiled && bits < 8 && chunkWidth % 8 != 0) {
            throw new ImageDecodeException("TIFF: tile width " + chunkWidth + " is not a multiple of 8");
        }
        if ((long) width * height * Math.max(4, samples) > Integer.MAX_VALUE - 8) {
            throw new ImageDecodeException("TIFF: " + width + "x" + height + " is too large for a Java array");
        }
        long chunkBytes = chunkRowBytes() * (long) chunkHeight;
        long imageBytes = (long) rowBytes() * height * planes();
        if (chunkBytes > Math.max(1 << 20, 2 * imageBytes)) {
            throw new ImageDecodeException("TIFF: " + chunkWidth + "x" + chunkHeight + " tiles are too large for a "
                    + width + "x" + height + " image");
        }
        across = (int) ((width + cw - 1) / cw);
        down = (int) ((height + ch - 1) / ch);
        long chunks = (long) across * down * planes();
        if (offsets.length < chunks) {
            throw new ImageDecodeException("TIFF: " + offsets.length + " strip/tile offsets for " + chunks + " chunks");
        }
        if (compression != COMPRESSION_NONE && (byteCounts == null || byteCounts.length < chunks)) {
            throw new ImageDecodeException("TIFF: missing or short StripByteCounts/TileByteCounts");
        }
    }

    /**
     * Checks, before any pixel memory is allocated, that every strip or tile lies inside the file and
     * that its bytes could expand to what it must hold (so a tiny file cannot claim a huge image).
     *
     * @param fileLength the file's size in bytes
     * @throws ImageDecodeException when a chunk lies outside the file or is too small for its rows
     */
    void checkChunks(long fileLength) {
        // Largest expansion per input byte: PackBits 128 from 2, zlib about 1032, 12-bit LZW codes about 2560.
        long ratio = switch (compression) {
            case COMPRESSION_PACKBITS -> 64;
            case COMPRESSION_LZW -> 2600;
            case COMPRESSION_NONE -> 1;
            default -> 1040;
        };
        int index = 0;
        for (int plane = 0; plane < planes(); plane++) {
            for (int cy = 0; cy < down; cy++) {
                int rows = Math.min(chunkHeight, height - cy * chunkHeight);
                long needed = (long) (compression == COMPRESSION_NONE || !tiled ? rows : chunkHeight) * chunkRowBytes();
                for (int cx = 0; cx < across; cx++, index++) {
                    long count = compression == COMPRESSION_NONE ? needed : byteCounts[index];
                    long off = offsets[index];
                    if (off < 0 || count < 0 || off + count > fileLength) {
                        throw new ImageDecodeException("TIFF: file is truncated (" + (tiled ? "tile " : "strip ") + index
                                + " needs " + count + " bytes at offset " + off + ", file has " + fileLength + ")");
                    }
                    if (count * ratio < needed) {
                        throw new ImageDecodeException("TIFF: " + (tiled ? "tile " : "strip ") + index + " has "
                                + count + " bytes, too few for its " + needed + " decoded bytes");
                    }
                }
            }
        }
    }

    /** @return number of sample planes stored separately */
    int planes() {
        return planar ? samples : 1;
    }

    /** @return samples per pixel within one chunk */
    int chunkSamples() {
        return planar ? 1 : samples;
    }

    /** @return bytes of one row of one plane of the whole image */
    int rowBytes() {
        return (int) (((long) width * chunkSamples() * bits + 7) / 8);
    }

    /** @return bytes of one row of a strip or tile */
    int chunkRowBytes() {
        return (int) (((long) chunkWidth * chunkSamples() * bits + 7) / 8);
    }

    private Kind kind(int photometric, long[] extra) {
        if (photometric == 2) {
            if (bits != 8) {
                throw new ImageDecodeException("TIFF: " + bits + "-bit RGB is not supported");
            }
            if (samples == 3 && extra.length == 0) {
                return Kind.RGB;
            }
            // Pillow's keys: 4 samples with ExtraSamples () / (0) / (1) / (2) / (999); 5 or 6 with trailing 0s.
            if (samples >= 4 && extra.length == samples - 3 || samples == 4 && extra.length == 0) {
                for (int i = 1; i < extra.length; i++) {
                    if (extra[i] != 0) {
                        throw unknown();
                    }
                }
                long e = extra.length == 0 ? 2 : extra[0];
                if (e == 0) {
                    return Kind.RGBX;
                }
                if (e == 1) {
                    return Kind.RGBA_ASSOCIATED;
                }
                if (e == 2 || (e == 999 && samples == 4)) {
                    return Kind.RGBA;
                }
            }
            throw unknown();
        }
        if (photometric == 3) {
            if (samples == 1 && extra.length == 0) {
                return Kind.PALETTE;
            }
            throw new ImageDecodeException("TIFF: palette images with extra samples (PA) are not supported");
        }
        if (samples == 1 && extra.length == 0) {
            return bits == 1 ? Kind.BILEVEL : Kind.GRAY;
        }
        if (photometric == 1 && samples == 2 && bits == 8 && extra.length == 1 && extra[0] == 2) {
            return Kind.GRAY_ALPHA;
        }
        throw unknown();
    }

    private static ImageDecodeException unknown() {
        return new ImageDecodeException("TIFF: unknown pixel layout (samples and ExtraSamples Pillow does not open)");
    }

    /** Pillow keeps the high byte of each 16-bit ColorMap entry ({@code b // 256}). */
    private static byte[] palette(long[] colorMap, int bits) {
        int n = 1 << bits;
        if (colorMap == null || colorMap.length != 3 * n) {
            throw new ImageDecodeException("TIFF: palette image without a " + (3 * n) + "-entry ColorMap");
        }
        byte[] rgb = new byte[3 * n];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                rgb[3 * i + c] = (byte) ((colorMap[c * n + i] & 0xFFFF) >> 8);
            }
        }
        return rgb;
    }

    private static void checkCompression(int c) {
        if (c == COMPRESSION_NONE || c == COMPRESSION_LZW || c == COMPRESSION_DEFLATE || c == COMPRESSION_PACKBITS
                || c == COMPRESSION_DEFLATE_OLD) {
            return;
        }
        String name = switch (c) {
            case 2 -> "CCITT RLE";
            case 3 -> "CCITT T.4";
            case 4 -> "CCITT T.6";
            case 6 -> "old-style JPEG";
            case 7 -> "JPEG";
            case 32809 -> "ThunderScan";
            case 32946 -> "Deflate";
            case 34676, 34677 -> "SGI Log";
            case 34712 -> "JPEG 2000";
            case 34925 -> "LZMA";
            case 50000 -> "ZSTD";
            case 50001 -> "WebP";
            case 50002 -> "JPEG XL";
            default -> "unknown";
        };
        throw new ImageDecodeException("TIFF: unsupported compression " + c + " (" + name + ")");
    }

    private static String photometricName(int p) {
        return switch (p) {
            case 4 -> "transparency mask";
            case 5 -> "CMYK";
            case 6 -> "YCbCr";
            case 8 -> "CIELab";
            case 9 -> "ICCLab";
            case 10 -> "ITULab";
            case 32844 -> "LogL";
            case 32845 -> "LogLuv";
            default -> "unknown";
        };
    }
}
