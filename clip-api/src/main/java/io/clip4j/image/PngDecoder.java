package io.clip4j.image;

import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Pure-Java PNG decoder (java.util.zip only) that yields the mode and samples Pillow 9.4's
 * {@code PngImagePlugin} holds after {@code Image.open} + {@code load}:
 *
 * <table>
 * <caption>PNG bit depth / colour type to Pillow mode</caption>
 * <tr><th>PNG</th><th>Pillow mode</th><th>here</th></tr>
 * <tr><td>gray 1-bit</td><td>{@code 1}</td><td>L with 0/255, nearestOnly</td></tr>
 * <tr><td>gray 2/4-bit</td><td>{@code L} (values scaled by 85 / 17)</td><td>L, same values</td></tr>
 * <tr><td>gray 8-bit</td><td>{@code L}</td><td>L</td></tr>
 * <tr><td>gray 16-bit</td><td>{@code I} (raw 0..65535)</td><td>I</td></tr>
 * <tr><td>RGB 8 / 16-bit</td><td>{@code RGB} (16-bit: high byte)</td><td>RGB</td></tr>
 * <tr><td>palette 1/2/4/8-bit</td><td>{@code P}</td><td>RGB via the palette, nearestOnly</td></tr>
 * <tr><td>gray+alpha 8-bit</td><td>{@code LA}</td><td>LA</td></tr>
 * <tr><td>gray+alpha 16-bit</td><td>{@code RGBA} (rawmode {@code LA;16B}, high bytes)</td><td>RGBA</td></tr>
 * <tr><td>RGBA 8 / 16-bit</td><td>{@code RGBA} (16-bit: high byte)</td><td>RGBA</td></tr>
 * </table>
 *
 * <p>Palette indices beyond the PLTE entries map to grey {@code (i, i, i)}, like Pillow's palette,
 * which starts as a grey ramp. {@code tRNS} is ignored: Pillow keeps it as {@code info["transparency"]}
 * only, and CLIP's {@code convert("RGB")} drops it. Adam7 interlacing is supported. The {@code eXIf}
 * chunk supplies the EXIF orientation. Like Pillow, the CRCs of the chunks before the first IDAT are verified
 * (a mismatch is an {@link ImageDecodeException}), those of the image data and later chunks are not.
 * Ancillary and unknown chunks are skipped.
 */
public final class PngDecoder implements ImageDecoder {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    /** Adam7 passes: x0, y0, dx, dy. */
    private static final int[][] ADAM7 = {
        {0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}};

    /** Creates the decoder (stateless, thread-safe). */
    public PngDecoder() {
    }

    @Override
    public boolean canDecode(byte[] header) {
        if (header == null || header.length < SIGNATURE.length) {
            return false;
        }
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (header[i] != SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String name() {
        return "png (java)";
    }

    @Override
    public DecodedImage decode(byte[] file, long maxPixels) {
        if (!canDecode(file)) {
            throw new ImageDecodeException("PNG: missing PNG signature");
        }
        Header hdr = null;
        byte[] palette = null;
        int orientation = 1;
        List<int[]> idat = new ArrayList<>(); // {offset, length}
        int pos = SIGNATURE.length;
        boolean ended = false;
        while (!ended) {
            if (pos + 8 > file.length) {
                if (hdr != null && !idat.isEmpty()) {
                    break; // missing IEND: decode what is there; the inflater reports real truncation
                }
                throw new ImageDecodeException("PNG: file is truncated (chunk header at byte " + pos + ")");
            }
            long len = u32(file, pos);
            int type = (int) u32(file, pos + 4);
            int data = pos + 8;
            if (len > file.length - (long) data) {
                throw new ImageDecodeException("PNG: truncated or corrupt chunk '" + typeName(type)
                        + "' at byte " + pos + " (length " + len + ", " + (file.length - data) + " bytes left)");
            }
            int n = (int) len;
            if (idat.isEmpty() && type != 0x49444154) {
                checkCrc(file, pos, n, type);
            }
            if (hdr == null && type != 0x49484452) { // IHDR
                throw new ImageDecodeException("PNG: first chunk is '" + typeName(type) + "', expected IHDR");
            }
            switch (type) {
                case 0x49484452 -> { // IHDR
                    if (hdr != null) {
                        throw new ImageDecodeException("PNG: duplicate IHDR chunk");
                    }
                    hdr = Header.parse(file, data, n, maxPixels);
                }
                case 0x504C5445 -> { // PLTE
                    if (n % 3 != 0 || n == 0 || n > 768) {
                        throw new ImageDecodeException("PNG: invalid PLTE length " + n);
                    }
                    palette = java.util.Arrays.copyOfRange(file, data, data + n);
                }
                case 0x49444154 -> idat.add(new int[] {data, n}); // IDAT
                case 0x65584966 -> orientation = Exif.orientation(file, data, n); // eXIf
                case 0x49454E44 -> ended = true; // IEND
                default -> { } // ancillary or unknown: skipped, as Pillow does
            }
            pos = data + n + 4; // + CRC
        }
        if (idat.isEmpty()) {
            throw new ImageDecodeException("PNG: no IDAT chunk (no image data)");
        }
        if (hdr.colorType == 3 && palette == null) {
            throw new ImageDecodeException("PNG: palette image without PLTE chunk");
        }
        return new Pixels(hdr, palette, file, idat).decode(orientation);
    }

    /**
     * Pillow verifies the CRC of every chunk before the first IDAT and refuses the file on a mismatch ("broken
     * PNG file"); the image data and later chunks it reads without checking. So does this decoder.
     */
    private static void checkCrc(byte[] file, int pos, int n, int type) {
        int crcAt = pos + 8 + n;
        if (crcAt + 4 > file.length) {
            throw new ImageDecodeException("PNG: broken file (incomplete checksum of chunk '" + typeName(type)
                    + "' at byte " + pos + ")");
        }
        CRC32 crc = new CRC32();
        crc.update(file, pos + 4, 4 + n);
        if ((int) crc.getValue() != (int) u32(file, crcAt)) {
            throw new ImageDecodeException("PNG: broken file (bad checksum of chunk '" + typeName(type) + "' at byte "
                    + pos + ")");
        }
    }

    private static String typeName(int type) {
        StringBuilder sb = new StringBuilder(4);
        for (int s = 24; s >= 0; s -= 8) {
            int c = (type >>> s) & 0xFF;
            sb.append(c >= 32 && c < 127 ? (char) c : '?');
        }
        return sb.toString();
    }

    static long u32(byte[] b, int p) {
        return ((long) (b[p] & 0xFF) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
    }

    /** Validated IHDR fields. */
    private record Header(int width, int height, int bitDepth, int colorType, boolean interlaced) {
        static Header parse(byte[] b, int p, int n, long maxPixels) {
            if (n != 13) {
                throw new ImageDecodeException("PNG: IHDR length is " + n + ", expected 13");
            }
            long w = u32(b, p);
            long h = u32(b, p + 4);
            if (w == 0 || h == 0) {
                throw new ImageDecodeException("PNG: zero-sized image (" + w + "x" + h + ")");
            }
            if (w > Integer.MAX_VALUE || h > Integer.MAX_VALUE) {
                throw new ImageDecodeException("PNG: invalid size " + w + "x" + h);
            }
            if (w * h > maxPixels) {
                throw new ImageDecodeException("PNG: image is " + w + "x" + h + " = " + (w * h)
                        + " pixels, more than the limit of " + maxPixels + " (decompression bomb guard)");
            }
            int depth = b[p + 8] & 0xFF;
            int ct = b[p + 9] & 0xFF;
            boolean ok = switch (ct) {
                case 0 -> depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
                case 3 -> depth == 1 || depth == 2 || depth == 4 || depth == 8;
                case 2, 4, 6 -> depth == 8 || depth == 16;
                default -> false;
            };
            if (!ok) {
                throw new ImageDecodeException("PNG: unsupported bit depth " + depth + " for colour type " + ct);
            }
            if (b[p + 10] != 0 || b[p + 11] != 0) {
                throw new ImageDecodeException("PNG: unknown compression/filter method");
            }
            int il = b[p + 12] & 0xFF;
            if (il > 1) {
                throw new ImageDecodeException("PNG: unknown interlace method " + il);
            }
            return new Header((int) w, (int) h, depth, ct, il == 1);
        }

        int samplesPerPixel() {
            return switch (colorType) {
                case 2 -> 3;
                case 4 -> 2;
                case 6 -> 4;
                default -> 1;
            };
        }
    }

    /** Inflates scanline by scanline (only two rows in memory) and scatters samples into the output. */
    private static final class Pixels {
        private final Header h;
        private final byte[] palette;
        private final byte[] file;
        private final List<int[]> idat;
        private final Inflater inflater = new Inflater();
        private int nextIdat;
        private final int bitsPerPixel;
        private final PixelMode mode;
        private final int outChannels;
        private byte[] out;
        private int[] outInt;

        Pixels(Header h, byte[] palette, byte[] file, List<int[]> idat) {
            this.h = h;
            this.palette = palette;
            this.file = file;
            this.idat = idat;
            this.bitsPerPixel = h.bitDepth * h.samplesPerPixel();
            this.mode = switch (h.colorType) {
                case 0 -> h.bitDepth == 16 ? PixelMode.I : PixelMode.L;
                case 2, 3 -> PixelMode.RGB;
                case 4 -> h.bitDepth == 16 ? PixelMode.RGBA : PixelMode.LA;
                default -> PixelMode.RGBA;
            };
            this.outChannels = mode.channels();
        }

        DecodedImage decode(int orientation) {
            long samples = (long) h.width * h.height * outChannels;
            if (samples > Integer.MAX_VALUE - 8) {
                throw new ImageDecodeException("PNG: image " + h.width + "x" + h.height + " is too large to hold");
            }
            // Deflate cannot expand more than 1032:1, so a tiny file claiming a huge image is truncated:
            // reject it before allocating the pixel buffer.
            long compressed = 0;
            for (int[] c : idat) {
                compressed += c[1];
            }
            long raw = rawSize();
            if (raw > compressed * 1032L + 64) {
                throw new ImageDecodeException("PNG: image data is truncated (" + compressed
                        + " compressed bytes cannot hold " + raw + " bytes of scanlines)");
            }
            if (mode == PixelMode.I) {
                outInt = new int[(int) samples];
            } else {
                out = new byte[(int) samples];
            }
            try {
                if (h.interlaced) {
                    for (int[] pass : ADAM7) {
                        int pw = (h.width - pass[0] + pass[2] - 1) / pass[2];
                        int ph = (h.height - pass[1] + pass[3] - 1) / pass[3];
                        if (pw > 0 && ph > 0) {
                            readPass(pw, ph, pass[0], pass[1], pass[2], pass[3]);
                        }
                    }
                } else {
                    readPass(h.width, h.height, 0, 0, 1, 1);
                }
            } finally {
                inflater.end();
            }
            boolean nearest = h.colorType == 3 || (h.colorType == 0 && h.bitDepth == 1);
            return mode == PixelMode.I
                    ? DecodedImage.ofInts(h.width, h.height, outInt, orientation)
                    : DecodedImage.ofBytes(h.width, h.height, mode, out, nearest, orientation);
        }

        /** Bytes of filtered scanlines the zlib stream must contain (all passes). */
        private long rawSize() {
            if (!h.interlaced) {
                return (long) h.height * (1 + ((long) h.width * bitsPerPixel + 7) / 8);
            }
            long total = 0;
            for (int[] pass : ADAM7) {
                long pw = (h.width - pass[0] + pass[2] - 1) / pass[2];
                long ph = (h.height - pass[1] + pass[3] - 1) / pass[3];
                if (pw > 0 && ph > 0) {
                    total += ph * (1 + (pw * bitsPerPixel + 7) / 8);
                }
            }
            return total;
        }

        private void readPass(int pw, int ph, int x0, int y0, int dx, int dy) {
            int rowBytes = (int) (((long) pw * bitsPerPixel + 7) / 8);
            int bpp = Math.max(1, bitsPerPixel / 8);
            byte[] prev = new byte[rowBytes];
            byte[] cur = new byte[rowBytes];
            byte[] filter = new byte[1];
            for (int r = 0; r < ph; r++) {
                inflateFully(filter, 1);
                inflateFully(cur, rowBytes);
                unfilter(filter[0] & 0xFF, cur, prev, bpp, r);
                emitRow(cur, y0 + r * dy, x0, dx, pw);
                byte[] t = prev;
                prev = cur;
                cur = t;
            }
        }

        private void inflateFully(byte[] buf, int len) {
            int off = 0;
            int stalls = 0;
            try {
                while (off < len) {
                    int n = inflater.inflate(buf, off, len - off);
                    if (n > 0) {
                        off += n;
                        stalls = 0;
                        continue;
                    }
                    if (inflater.finished()) {
                        throw new ImageDecodeException("PNG: compressed image data ends before the image is complete");
                    }
                    if (inflater.needsDictionary()) {
                        throw new ImageDecodeException("PNG: corrupt image data (zlib preset dictionary)");
                    }
                    if (inflater.needsInput()) {
                        if (nextIdat >= idat.size()) {
                            throw new ImageDecodeException("PNG: image data is truncated");
                        }
                        int[] c = idat.get(nextIdat++);
                        inflater.setInput(file, c[0], c[1]);
                    } else if (++stalls > 16) { // defensive: never spin without progress
                        throw new ImageDecodeException("PNG: corrupt image data (inflater makes no progress)");
                    }
                }
            } catch (DataFormatException e) {
                throw new ImageDecodeException("PNG: corrupt compressed image data: " + e.getMessage(), e);
            }
        }

        private void unfilter(int type, byte[] cur, byte[] prev, int bpp, int row) {
            int n = cur.length;
            switch (type) {
                case 0 -> { }
                case 1 -> {
                    for (int i = bpp; i < n; i++) {
                        cur[i] += cur[i - bpp];
                    }
                }
                case 2 -> {
                    for (int i = 0; i < n; i++) {
                        cur[i] += prev[i];
                    }
                }
                case 3 -> {
                    for (int i = 0; i < n; i++) {
                        int left = i >= bpp ? cur[i - bpp] & 0xFF : 0;
                        cur[i] += (byte) ((left + (prev[i] & 0xFF)) >>> 1);
                    }
                }
                case 4 -> {
                    for (int i = 0; i < n; i++) {
                        int a = i >= bpp ? cur[i - bpp] & 0xFF : 0;
                        int b = prev[i] & 0xFF;
                        int c = i >= bpp ? prev[i - bpp] & 0xFF : 0;
                        int p = a + b - c;
                        int pa = Math.abs(p - a);
                        int pb = Math.abs(p - b);
                        int pc = Math.abs(p - c);
                        int pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
                        cur[i] += (byte) pred;
                    }
                }
                default -> throw new ImageDecodeException("PNG: unknown filter type " + type + " in row " + row);
            }
        }

        /** Writes one (sub-)row into the output at row {@code y}, columns {@code x0 + i * dx}. */
        private void emitRow(byte[] row, int y, int x0, int dx, int pw) {
            int depth = h.bitDepth;
            int base = y * h.width;
            switch (h.colorType) {
                case 0 -> {
                    if (depth == 16) {
                        for (int i = 0; i < pw; i++) {
                            outInt[base + x0 + i * dx] = ((row[2 * i] & 0xFF) << 8) | (row[2 * i + 1] & 0xFF);
                        }
                    } else {
                        // Pillow's unpackers: "1" -> 0/255, "L;2" -> v*85, "L;4" -> v*17, "L" -> v.
                        int scale = depth == 1 ? 255 : depth == 2 ? 85 : depth == 4 ? 17 : 1;
                        for (int i = 0; i < pw; i++) {
                            out[base + x0 + i * dx] = (byte) (packed(row, i, depth) * scale);
                        }
                    }
                }
                case 3 -> {
                    int entries = palette.length / 3;
                    for (int i = 0; i < pw; i++) {
                        int idx = packed(row, i, depth);
                        int d = (base + x0 + i * dx) * 3;
                        if (idx < entries) {
                            out[d] = palette[idx * 3];
                            out[d + 1] = palette[idx * 3 + 1];
                            out[d + 2] = palette[idx * 3 + 2];
                        } else { // Pillow's palette is a grey ramp beyond the PLTE entries
                            out[d] = (byte) idx;
                            out[d + 1] = (byte) idx;
                            out[d + 2] = (byte) idx;
                        }
                    }
                }
                case 4 -> {
                    if (depth == 16) { // LA;16B -> RGBA: L, L, L, A (high bytes)
                        for (int i = 0; i < pw; i++) {
                            int d = (base + x0 + i * dx) * 4;
                            byte l = row[4 * i];
                            out[d] = l;
                            out[d + 1] = l;
                            out[d + 2] = l;
                            out[d + 3] = row[4 * i + 2];
                        }
                    } else {
                        copySamples(row, 2, y, x0, dx, pw);
                    }
                }
                default -> { // 2 and 6
                    int c = outChannels;
                    if (depth == 16) { // high byte of each big-endian sample
                        for (int i = 0; i < pw; i++) {
                            int d = (base + x0 + i * dx) * c;
                            for (int k = 0; k < c; k++) {
                                out[d + k] = row[2 * (i * c + k)];
                            }
                        }
                    } else {
                        copySamples(row, c, y, x0, dx, pw);
                    }
                }
            }
        }

        private void copySamples(byte[] row, int c, int y, int x0, int dx, int pw) {
            int base = (y * h.width + x0) * c;
            if (dx == 1) {
                System.arraycopy(row, 0, out, base, pw * c);
                return;
            }
            for (int i = 0; i < pw; i++) {
                System.arraycopy(row, i * c, out, base + i * dx * c, c);
            }
        }

        /** Sample {@code i} of a row packed at {@code depth} bits (MSB first), for depth &lt;= 8. */
        private static int packed(byte[] row, int i, int depth) {
            if (depth == 8) {
                return row[i] & 0xFF;
            }
            int bit = i * depth;
            int shift = 8 - depth - (bit & 7);
            return ((row[bit >> 3] & 0xFF) >> shift) & ((1 << depth) - 1);
        }
    }
}
