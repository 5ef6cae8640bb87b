package io.clip4j.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Hand-built image files with known pixels (independent encoders written for the tests). */
final class TestImages {
    private TestImages() {
    }

    /** A PNG chunk with a valid CRC. */
    static byte[] chunk(String type, byte[] data) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        writeBe32(o, data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        o.writeBytes(t);
        o.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        writeBe32(o, (int) crc.getValue());
        return o.toByteArray();
    }

    static byte[] ihdr(int w, int h, int depth, int colorType, int interlace) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        writeBe32(o, w);
        writeBe32(o, h);
        o.write(depth);
        o.write(colorType);
        o.write(0);
        o.write(0);
        o.write(interlace);
        return o.toByteArray();
    }

    /**
     * A PNG from already packed scanlines (without filter bytes); filter type {@code f(row)} is
     * applied per row with a straightforward encoder.
     *
     * @param rows     packed scanlines (all passes in order for interlaced images)
     * @param bpp      bytes per complete pixel, min 1 (for the filters)
     * @param passRows row index where each Adam7 pass starts (filters restart there), or null
     */
    static byte[] png(byte[] ihdr, byte[] plte, byte[][] rows, int bpp, int[] passStarts, byte[] extraChunk) {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        byte[] prev = null;
        for (int r = 0; r < rows.length; r++) {
            if (passStarts != null) {
                for (int s : passStarts) {
                    if (s == r) {
                        prev = null;
                    }
                }
            }
            byte[] cur = rows[r];
            if (prev != null && prev.length != cur.length) {
                prev = null;
            }
            int f = r % 5;
            raw.write(f);
            raw.writeBytes(filter(f, cur, prev == null ? new byte[cur.length] : prev, bpp));
            prev = cur;
        }
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        o.writeBytes(chunk("IHDR", ihdr));
        if (extraChunk != null) {
            o.writeBytes(extraChunk);
        }
        if (plte != null) {
            o.writeBytes(chunk("PLTE", plte));
        }
        byte[] z = deflate(raw.toByteArray());
        // Split the stream over two IDAT chunks to exercise chunk concatenation.
        int half = z.length / 2;
        o.writeBytes(chunk("IDAT", java.util.Arrays.copyOfRange(z, 0, half)));
        o.writeBytes(chunk("IDAT", java.util.Arrays.copyOfRange(z, half, z.length)));
        o.writeBytes(chunk("IEND", new byte[0]));
        return o.toByteArray();
    }

    private static byte[] filter(int f, byte[] cur, byte[] prev, int bpp) {
        byte[] out = new byte[cur.length];
        for (int i = 0; i < cur.length; i++) {
            int a = i >= bpp ? cur[i - bpp] & 0xFF : 0;
            int b = prev[i] & 0xFF;
            int c = i >= bpp ? prev[i - bpp] & 0xFF : 0;
            int pred = switch (f) {
                case 0 -> 0;
                case 1 -> a;
                case 2 -> b;
                case 3 -> (a + b) / 2;
                default -> {
                    int p = a + b - c;
                    int pa = Math.abs(p - a);
                    int pb = Math.abs(p - b);
                    int pc = Math.abs(p - c);
                    yield pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                }
            };
            out[i] = (byte) ((cur[i] & 0xFF) - pred);
        }
        return out;
    }

    static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(9);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (!d.finished()) {
            int n = d.deflate(buf);
            o.write(buf, 0, n);
        }
        d.end();
        return o.toByteArray();
    }

    /** Packs samples of {@code depth} bits MSB-first into a scanline. */
    static byte[] pack(int[] samples, int depth) {
        byte[] row = new byte[(samples.length * depth + 7) / 8];
        for (int i = 0; i < samples.length; i++) {
            int bit = i * depth;
            row[bit >> 3] |= (byte) (samples[i] << (8 - depth - (bit & 7)));
        }
        return row;
    }

    static void writeBe32(ByteArrayOutputStream o, int v) {
        o.write(v >>> 24);
        o.write(v >>> 16);
        o.write(v >>> 8);
        o.write(v);
    }

    static void writeLe16(ByteArrayOutputStream o, int v) {
        o.write(v);
        o.write(v >>> 8);
    }

    static void writeLe32(ByteArrayOutputStream o, int v) {
        writeLe16(o, v);
        writeLe16(o, v >>> 16);
    }

    /**
     * A GIF89a with one frame, encoded with a textbook LZW encoder (dictionary of strings) whose code
     * size follows the decoder's schedule.
     */
    static byte[] gif(int screenW, int screenH, byte[] globalTable, int fx, int fy, int fw, int fh,
                      byte[] localTable, int transparency, byte[] indices, int minCodeSize) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes("GIF89a".getBytes(StandardCharsets.US_ASCII));
        writeLe16(o, screenW);
        writeLe16(o, screenH);
        o.write(globalTable == null ? 0 : 0x80 | (log2(globalTable.length / 3) - 1));
        o.write(0);
        o.write(0);
        if (globalTable != null) {
            o.writeBytes(globalTable);
        }
        // An unrelated application extension first, to exercise extension skipping.
        o.writeBytes(new byte[] {0x21, (byte) 0xFF, 3, 'a', 'b', 'c', 0});
        if (transparency >= 0) {
            o.writeBytes(new byte[] {0x21, (byte) 0xF9, 4, 1, 0, 0, (byte) transparency, 0});
        }
        o.write(0x2C);
        writeLe16(o, fx);
        writeLe16(o, fy);
        writeLe16(o, fw);
        writeLe16(o, fh);
        o.write(localTable == null ? 0 : 0x80 | (log2(localTable.length / 3) - 1));
        if (localTable != null) {
            o.writeBytes(localTable);
        }
        o.write(minCodeSize);
        byte[] data = lzw(indices, minCodeSize);
        for (int p = 0; p < data.length; p += 255) {
            int n = Math.min(255, data.length - p);
            o.write(n);
            o.write(data, p, n);
        }
        o.write(0);
        o.write(0x3B);
        return o.toByteArray();
    }

    private static int log2(int v) {
        return 31 - Integer.numberOfLeadingZeros(v);
    }

    static byte[] lzw(byte[] indices, int mcs) {
        int clear = 1 << mcs;
        BitWriter bw = new BitWriter();
        Map<String, Integer> dict = new HashMap<>();
        int encNext = clear + 2;
        int codeSize = mcs + 1;
        int decNext = clear + 2;
        boolean firstAfterClear = true;
        bw.write(clear, codeSize);
        String w = "";
        for (byte b : indices) {
            String wk = w + (char) (b & 0xFF);
            if (w.isEmpty() || dict.containsKey(wk)) {
                w = wk;
                continue;
            }
            // emit w
            int code = w.length() == 1 ? w.charAt(0) : dict.get(w);
            bw.write(code, codeSize);
            if (!firstAfterClear && decNext < 4096) {
                decNext++;
                if (decNext == (1 << codeSize) && codeSize < 12) {
                    codeSize++;
                }
            }
            firstAfterClear = false;
            dict.put(wk, encNext++);
            w = String.valueOf((char) (b & 0xFF));
            if (encNext == 4096) {
                bw.write(clear, codeSize);
                dict.clear();
                encNext = clear + 2;
                decNext = clear + 2;
                codeSize = mcs + 1;
                firstAfterClear = true;
            }
        }
        if (w.isEmpty()) {
            bw.write(clear + 1, codeSize);
            return bw.toByteArray();
        }
        int code = w.length() == 1 ? w.charAt(0) : dict.get(w);
        bw.write(code, codeSize);
        if (!firstAfterClear && decNext < 4096) {
            decNext++;
            if (decNext == (1 << codeSize) && codeSize < 12) {
                codeSize++;
            }
        }
        bw.write(clear + 1, codeSize);
        return bw.toByteArray();
    }

    private static final class BitWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int acc;
        private int bits;

        void write(int code, int n) {
            acc |= code << bits;
            bits += n;
            while (bits >= 8) {
                out.write(acc & 0xFF);
                acc >>>= 8;
                bits -= 8;
            }
        }

        byte[] toByteArray() {
            if (bits > 0) {
                out.write(acc & 0xFF);
            }
            return out.toByteArray();
        }
    }

    /**
     * A BMP with a BITMAPINFOHEADER (40 bytes).
     *
     * @param rowsTopDown pixel rows in display order, each already in file layout (unpadded)
     * @param palette     BGRX entries or null
     * @param masks       BI_BITFIELDS masks (r, g, b) written after the header, or null for BI_RGB
     */
    static byte[] bmp(int w, int h, int bits, boolean topDown, byte[][] rowsTopDown, byte[] palette, int[] masks) {
        int stride = ((w * bits + 31) >> 3) & ~3;
        int extra = (masks != null ? 12 : 0) + (palette != null ? palette.length : 0);
        int offset = 14 + 40 + extra;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write('B');
        o.write('M');
        writeLe32(o, offset + stride * h);
        writeLe32(o, 0);
        writeLe32(o, offset);
        writeLe32(o, 40);
        writeLe32(o, w);
        writeLe32(o, topDown ? -h : h);
        writeLe16(o, 1);
        writeLe16(o, bits);
        writeLe32(o, masks != null ? 3 : 0);
        writeLe32(o, stride * h);
        writeLe32(o, 2835);
        writeLe32(o, 2835);
        writeLe32(o, palette != null ? palette.length / 4 : 0);
        writeLe32(o, 0);
        if (masks != null) {
            for (int m : masks) {
                writeLe32(o, m);
            }
        }
        if (palette != null) {
            o.writeBytes(palette);
        }
        for (int i = 0; i < h; i++) {
            byte[] row = rowsTopDown[topDown ? i : h - 1 - i];
            byte[] padded = java.util.Arrays.copyOf(row, stride);
            o.writeBytes(padded);
        }
        return o.toByteArray();
    }
}
