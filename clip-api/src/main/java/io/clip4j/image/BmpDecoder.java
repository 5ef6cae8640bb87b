package io.clip4j.image;

/**
 * Pure-Java decoder for uncompressed Windows BMP files, mirroring Pillow 9.4's {@code BmpImagePlugin}:
 * <ul>
 * <li>24-bit ({@code BGR}) and 32-bit {@code BI_RGB} ({@code BGRX}, the fourth byte ignored) give
 *     mode RGB;</li>
 * <li>32-bit {@code BI_BITFIELDS}/{@code BI_ALPHABITFIELDS} with the channel masks Pillow knows give
 *     RGB (no alpha mask) or RGBA;</li>
 * <li>1/4/8-bit palette images give mode {@code P} (here: RGB via the palette with
 *     {@link DecodedImage#nearestOnly()}), except that Pillow drops a pure grey palette: 8-bit with
 *     entries {@code (i, i, i)} opens as {@code L} (resized bicubic), 1-bit black/white as {@code 1}.</li>
 * </ul>
 * Core (12-byte) and INFO/V2..V5 headers, bottom-up and top-down rows. RLE-compressed and 16-bit BMPs
 * are rejected with an {@link ImageDecodeException} (not supported here).
 */
public final class BmpDecoder implements ImageDecoder {
    private static final int BI_RGB = 0;
    private static final int BI_BITFIELDS = 3;
    private static final int BI_ALPHABITFIELDS = 6;

    /** Creates the decoder (stateless, thread-safe). */
    public BmpDecoder() {
    }

    @Override
    public boolean canDecode(byte[] header) {
        return header != null && header.length >= 2 && header[0] == 'B' && header[1] == 'M';
    }

    @Override
    public String name() {
        return "bmp (java)";
    }

    @Override
    public DecodedImage decode(byte[] file, long maxPixels) {
        if (!canDecode(file)) {
            throw new ImageDecodeException("BMP: missing 'BM' signature");
        }
        need(file, 18, "file header");
        long dataOffset = u32(file, 10);
        int headerSize = (int) Math.min(u32(file, 14), Integer.MAX_VALUE);
        long width;
        long height;
        int bits;
        int compression = BI_RGB;
        long colorsUsed = 0;
        int paletteEntrySize;
        boolean topDown = false;
        if (headerSize == 12) {
            need(file, 26, "core header");
            width = u16(file, 18);
            height = u16(file, 20);
            bits = u16(file, 24);
            paletteEntrySize = 3;
        } else if (headerSize >= 40 && headerSize <= 124) {
            need(file, 14 + 40, "info header");
            width = (int) u32(file, 18);
            int h = (int) u32(file, 22);
            topDown = h < 0;
            height = Math.abs((long) h);
            bits = u16(file, 28);
            compression = (int) u32(file, 30);
            colorsUsed = u32(file, 46);
            paletteEntrySize = 4;
        } else {
            throw new ImageDecodeException("BMP: unsupported header size " + headerSize);
        }
        if (width <= 0 || height <= 0) {
            throw new ImageDecodeException("BMP: zero-sized or invalid image (" + width + "x" + height + ")");
        }
        if (width * height > maxPixels) {
            throw new ImageDecodeException("BMP: image is " + width + "x" + height + " = " + (width * height)
                    + " pixels, more than the limit of " + maxPixels + " (decompression bomb guard)");
        }
        int w = (int) width;
        int hgt = (int) height;
        int afterHeader = 14 + headerSize;
        String layout; // channel order for 24/32-bit
        switch (compression) {
            case BI_RGB -> layout = bits == 32 ? "BGRX" : bits == 24 ? "BGR" : null;
            case BI_BITFIELDS, BI_ALPHABITFIELDS -> {
                if (bits != 32) {
                    throw new ImageDecodeException("BMP: " + bits + "-bit bitfields are not supported");
                }
                long r;
                long g;
                long b;
                long a = 0;
                if (headerSize >= 56) {
                    need(file, 14 + 56, "bitfield masks"); // the header holds them: past the 40 bytes checked above
                    r = u32(file, 54);
                    g = u32(file, 58);
                    b = u32(file, 62);
                    a = u32(file, 66);
                } else {
                    need(file, afterHeader + 12, "bitfield masks");
                    r = u32(file, afterHeader);
                    g = u32(file, afterHeader + 4);
                    b = u32(file, afterHeader + 8);
                }
                layout = maskLayout(r, g, b, a);
            }
            default -> throw new ImageDecodeException("BMP: compression type " + compression
                    + " (RLE or embedded JPEG/PNG) is not supported");
        }
        if (layout == null && bits != 1 && bits != 4 && bits != 8) {
            throw new ImageDecodeException("BMP: " + bits + "-bit images are not supported");
        }
        long stride = ((width * bits + 31) >> 3) & ~3L;
        if (dataOffset + stride * height > file.length) {
            throw new ImageDecodeException("BMP: file is truncated (pixel data needs " + (stride * height)
                    + " bytes at offset " + dataOffset + ", file has " + file.length + ")");
        }
        int off = (int) dataOffset;
        int st = (int) stride;
        if (layout != null) {
            boolean alpha = layout.indexOf('A') >= 0;
            int c = alpha ? 4 : 3;
            int srcC = bits / 8;
            int ri = layout.indexOf('R');
            int gi = layout.indexOf('G');
            int bi = layout.indexOf('B');
            int ai = layout.indexOf('A');
            byte[] out = new byte[w * hgt * c];
            for (int y = 0; y < hgt; y++) {
                int src = off + (topDown ? y : hgt - 1 - y) * st;
                int d = y * w * c;
                for (int x = 0; x < w; x++, src += srcC, d += c) {
                    out[d] = file[src + ri];
                    out[d + 1] = file[src + gi];
                    out[d + 2] = file[src + bi];
                    if (alpha) {
                        out[d + 3] = file[src + ai];
                    }
                }
            }
            return DecodedImage.ofBytes(w, hgt, alpha ? PixelMode.RGBA : PixelMode.RGB, out, false, 1);
        }
        return decodePalette(file, off, st, w, hgt, bits, topDown, afterHeader, colorsUsed, paletteEntrySize);
    }

    private static DecodedImage decodePalette(byte[] file, int off, int stride, int w, int h, int bits,
                                              boolean topDown, int paletteOffset, long colorsUsed, int entrySize) {
        long colors = colorsUsed != 0 ? colorsUsed : 1L << bits;
        if (colors > 256) {
            throw new ImageDecodeException("BMP: unsupported palette size " + colors);
        }
        int n = (int) colors;
        need(file, paletteOffset + n * entrySize, "palette");
        // Pillow ignores a palette that is a pure grey ramp (0..n-1, or black/white for 2 colours).
        boolean grey = true;
        for (int i = 0; i < n && grey; i++) {
            int v = n == 2 ? i * 255 : i;
            int p = paletteOffset + i * entrySize;
            grey = (file[p] & 0xFF) == v && (file[p + 1] & 0xFF) == v && (file[p + 2] & 0xFF) == v;
        }
        boolean asGrey = grey && ((bits == 8) || (bits == 1 && n == 2));
        int mask = (1 << bits) - 1;
        byte[] out = new byte[w * h * (asGrey ? 1 : 3)];
        for (int y = 0; y < h; y++) {
            int row = off + (topDown ? y : h - 1 - y) * stride;
            for (int x = 0; x < w; x++) {
                int bit = x * bits;
                int idx = ((file[row + (bit >> 3)] & 0xFF) >> (8 - bits - (bit & 7))) & mask;
                int d = y * w + x;
                if (asGrey) {
                    out[d] = (byte) (bits == 1 ? idx * 255 : idx);
                } else if (idx < n) { // palette stored B, G, R
                    int p = paletteOffset + idx * entrySize;
                    out[3 * d] = file[p + 2];
                    out[3 * d + 1] = file[p + 1];
                    out[3 * d + 2] = file[p];
                } else { // beyond the palette: Pillow's grey ramp
                    out[3 * d] = (byte) idx;
                    out[3 * d + 1] = (byte) idx;
                    out[3 * d + 2] = (byte) idx;
                }
            }
        }
        // Mode "1" (1-bit black/white) and P are resized nearest-neighbour by Pillow; "L" bicubic.
        boolean nearest = !(asGrey && bits == 8);
        return DecodedImage.ofBytes(w, h, asGrey ? PixelMode.L : PixelMode.RGB, out, nearest, 1);
    }

    /** Pillow's MASK_MODES for 32-bit bitfields, as a byte layout of each 4-byte pixel. */
    private static String maskLayout(long r, long g, long b, long a) {
        if (r == 0xFF0000L && g == 0xFF00L && b == 0xFFL && a == 0) {
            return "BGRX";
        }
        if (r == 0xFF000000L && g == 0xFF0000L && b == 0xFF00L && a == 0) {
            return "XBGR";
        }
        if (r == 0xFF000000L && g == 0xFF0000L && b == 0xFF00L && a == 0xFFL) {
            return "ABGR";
        }
        if (r == 0xFFL && g == 0xFF00L && b == 0xFF0000L && a == 0xFF000000L) {
            return "RGBA";
        }
        if ((r == 0xFF0000L && g == 0xFF00L && b == 0xFFL && a == 0xFF000000L) || (r == 0 && g == 0 && b == 0 && a == 0)) {
            return "BGRA";
        }
        throw new ImageDecodeException("BMP: unsupported bitfield masks r=0x" + Long.toHexString(r) + " g=0x"
                + Long.toHexString(g) + " b=0x" + Long.toHexString(b) + " a=0x" + Long.toHexString(a));
    }

    private static void need(byte[] file, long end, String what) {
        if (end > file.length) {
            throw new ImageDecodeException("BMP: file is truncated (" + what + ")");
        }
    }

    private static int u16(byte[] b, int p) {
        return (b[p] & 0xFF) | ((b[p + 1] & 0xFF) << 8);
    }

    private static long u32(byte[] b, int p) {
        return (b[p] & 0xFFL) | ((b[p + 1] & 0xFFL) << 8) | ((b[p + 2] & 0xFFL) << 16) | ((b[p + 3] & 0xFFL) << 24);
    }
}
