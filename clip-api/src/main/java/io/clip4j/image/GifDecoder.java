package io.clip4j.image;

import io.clip4j.math.ArraySizes;

/**
 * Pure-Java GIF decoder for the first frame, matching what Pillow 9.4's {@code GifImagePlugin} holds
 * for frame 0:
 * <ul>
 * <li>the image size is the logical screen, grown to contain the first frame's rectangle;</li>
 * <li>pixels outside the frame rectangle are the transparency index when a Graphic Control Extension
 *     gives one, else index 0;</li>
 * <li>mode {@code P} (here: expanded to RGB with {@link DecodedImage#nearestOnly()}, since Pillow
 *     resizes palette images with nearest neighbour), except when there is no colour table or the
 *     table is the identity grey ramp {@code (i, i, i)}, where Pillow opens mode {@code L} (here: L,
 *     resized bicubic);</li>
 * <li>indices beyond the colour table map to grey {@code (i, i, i)} (Pillow's initial palette ramp).</li>
 * </ul>
 * Later frames are ignored. Interlaced frames are de-interlaced.
 */
public final class GifDecoder implements ImageDecoder {
    private static final int MAX_CODES = 4096;

    /** Creates the decoder (stateless, thread-safe). */
    public GifDecoder() {
    }

    @Override
    public boolean canDecode(byte[] header) {
        return header != null && header.length >= 6 && header[0] == 'G' && header[1] == 'I' && header[2] == 'F'
                && header[3] == '8' && (header[4] == '7' || header[4] == '9') && header[5] == 'a';
    }

    @Override
    public String name() {
        return "gif (java)";
    }

    @Override
    public DecodedImage decode(byte[] file, long maxPixels) {
        if (!canDecode(file)) {
            throw new ImageDecodeException("GIF: missing GIF87a/GIF89a signature");
        }
        need(file, 13, "logical screen descriptor");
        int screenW = u16(file, 6);
        int screenH = u16(file, 8);
        int flags = file[10] & 0xFF;
        int pos = 13;
        byte[] globalTable = null;
        if ((flags & 0x80) != 0) {
            int n = 3 << ((flags & 7) + 1);
            need(file, pos + n, "global colour table");
            globalTable = java.util.Arrays.copyOfRange(file, pos, pos + n);
            pos += n;
        }
        int transparency = -1;
        while (true) {
            need(file, pos + 1, "block");
            int b = file[pos++] & 0xFF;
            if (b == 0x3B) {
                throw new ImageDecodeException("GIF: no image in file");
            } else if (b == 0x21) {
                need(file, pos + 1, "extension");
                int label = file[pos++] & 0xFF;
                if (label == 0xF9) {
                    need(file, pos + 5, "graphic control extension");
                    if ((file[pos] & 0xFF) >= 4 && (file[pos + 1] & 1) != 0) {
                        transparency = file[pos + 4] & 0xFF;
                    }
                }
                pos = skipSubBlocks(file, pos);
            } else if (b == 0x2C) {
                return readFrame(file, pos, screenW, screenH, globalTable, transparency, maxPixels);
            } else {
                throw new ImageDecodeException("GIF: unknown block type 0x" + Integer.toHexString(b) + " at byte " + (pos - 1));
            }
        }
    }

    private static DecodedImage readFrame(byte[] file, int pos, int screenW, int screenH, byte[] globalTable,
                                          int transparency, long maxPixels) {
        need(file, pos + 9, "image descriptor");
        int fx = u16(file, pos);
        int fy = u16(file, pos + 2);
        int fw = u16(file, pos + 4);
        int fh = u16(file, pos + 6);
        int flags = file[pos + 8] & 0xFF;
        pos += 9;
        byte[] table = globalTable;
        if ((flags & 0x80) != 0) {
            int n = 3 << ((flags & 7) + 1);
            need(file, pos + n, "local colour table");
            table = java.util.Arrays.copyOfRange(file, pos, pos + n);
            pos += n;
        }
        boolean interlaced = (flags & 0x40) != 0;
        int width = Math.max(screenW, fx + fw);
        int height = Math.max(screenH, fy + fh);
        if (width == 0 || height == 0) {
            throw new ImageDecodeException("GIF: zero-sized image (" + width + "x" + height + ")");
        }
        if ((long) width * height > maxPixels) {
            throw new ImageDecodeException("GIF: image is " + width + "x" + height + " = " + ((long) width * height)
                    + " pixels, more than the limit of " + maxPixels + " (decompression bomb guard)");
        }
        // With maxPixels lifted, width * height (or its RGB expansion) may pass the largest Java array.
        int channels = table == null || isGreyRamp(table) ? 1 : 3;
        if ((long) width * height * channels > ArraySizes.MAX_LENGTH) {
            throw new ImageDecodeException("GIF: image " + width + "x" + height + " is too large to hold");
        }
        need(file, pos + 1, "LZW minimum code size");
        int minCodeSize = file[pos++] & 0xFF;
        if (minCodeSize < 1 || minCodeSize > 11) {
            throw new ImageDecodeException("GIF: invalid LZW minimum code size " + minCodeSize);
        }
        // Concatenate the data sub-blocks (bounded by the file size).
        int end = skipSubBlocks(file, pos);
        byte[] lzw = new byte[end - pos];
        int n = 0;
        for (int p = pos; ; ) {
            int len = file[p++] & 0xFF;
            if (len == 0) {
                break;
            }
            System.arraycopy(file, p, lzw, n, len);
            n += len;
            p += len;
        }
        byte[] indices = new byte[width * height];
        if (transparency > 0) {
            java.util.Arrays.fill(indices, (byte) transparency);
        }
        byte[] frame = new byte[fw * fh];
        int produced = lzwDecode(lzw, n, minCodeSize, frame);
        for (int r = 0; r < fh; r++) {
            int srcRow = interlaced ? interlacedRow(r, fh) : r;
            // Rows the stream did not reach keep the fill value, like a short LZW stream in Pillow.
            int avail = Math.min(fw, Math.max(0, produced - r * fw));
            System.arraycopy(frame, r * fw, indices, (fy + srcRow) * width + fx, avail);
        }
        return expand(indices, width, height, table);
    }

    /** Row position in the image of the {@code r}-th stored row of an interlaced frame. */
    private static int interlacedRow(int r, int h) {
        int n1 = (h + 7) / 8;
        if (r < n1) {
            return r * 8;
        }
        r -= n1;
        int n2 = (h + 3) / 8;
        if (r < n2) {
            return 4 + r * 8;
        }
        r -= n2;
        int n3 = (h + 1) / 4;
        if (r < n3) {
            return 2 + r * 4;
        }
        r -= n3;
        return 1 + r * 2;
    }

    private static DecodedImage expand(byte[] indices, int width, int height, byte[] table) {
        if (table == null || isGreyRamp(table)) {
            return DecodedImage.ofBytes(width, height, PixelMode.L, indices, false, 1);
        }
        int entries = table.length / 3;
        byte[] rgb = new byte[indices.length * 3];
        for (int i = 0, d = 0; i < indices.length; i++, d += 3) {
            int idx = indices[i] & 0xFF;
            if (idx < entries) {
                rgb[d] = table[idx * 3];
                rgb[d + 1] = table[idx * 3 + 1];
                rgb[d + 2] = table[idx * 3 + 2];
            } else {
                rgb[d] = (byte) idx;
                rgb[d + 1] = (byte) idx;
                rgb[d + 2] = (byte) idx;
            }
        }
        return DecodedImage.ofBytes(width, height, PixelMode.RGB, rgb, true, 1);
    }

    /** Pillow's {@code _is_palette_needed} negated: entry i is (i, i, i) for every entry. */
    private static boolean isGreyRamp(byte[] table) {
        for (int i = 0; i < table.length / 3; i++) {
            if ((table[3 * i] & 0xFF) != i || (table[3 * i + 1] & 0xFF) != i || (table[3 * i + 2] & 0xFF) != i) {
                return false;
            }
        }
        return true;
    }

    /**
     * Variable-length-code LZW decoding into {@code out}; stops at the end code, the end of the data or
     * when {@code out} is full. Work is bounded by the input size times the longest string (4096).
     *
     * @return number of indices produced
     */
    static int lzwDecode(byte[] data, int dataLen, int minCodeSize, byte[] out) {
        int clear = 1 << minCodeSize;
        int eoi = clear + 1;
        short[] prefix = new short[MAX_CODES];
        byte[] suffix = new byte[MAX_CODES];
        byte[] first = new byte[MAX_CODES];
        byte[] stack = new byte[MAX_CODES + 1];
        for (int i = 0; i < clear; i++) {
            suffix[i] = (byte) i;
            first[i] = (byte) i;
        }
        int codeSize = minCodeSize + 1;
        int next = clear + 2;
        int old = -1;
        long bitPos = 0;
        long totalBits = (long) dataLen * 8;
        int o = 0;
        while (o < out.length && bitPos + codeSize <= totalBits) {
            int code = readBits(data, bitPos, codeSize);
            bitPos += codeSize;
            if (code == clear) {
                codeSize = minCodeSize + 1;
                next = clear + 2;
                old = -1;
                continue;
            }
            if (code == eoi) {
                break;
            }
            int sp = 0;
            int c;
            if (old == -1) {
                if (code >= clear) {
                    throw new ImageDecodeException("GIF: corrupt LZW data (code " + code + " before any string)");
                }
                out[o++] = (byte) code;
                old = code;
                continue;
            }
            if (code < next) {
                c = code;
            } else if (code == next && next < MAX_CODES) {
                stack[sp++] = first[old];
                c = old;
            } else {
                throw new ImageDecodeException("GIF: corrupt LZW data (code " + code + " > next " + next + ")");
            }
            while (c >= clear) {
                stack[sp++] = suffix[c];
                c = prefix[c];
            }
            stack[sp++] = (byte) c;
            if (next < MAX_CODES) {
                prefix[next] = (short) old;
                suffix[next] = (byte) c; // c is now the first index of the current string
                first[next] = first[old];
                next++;
                if (next == (1 << codeSize) && codeSize < 12) {
                    codeSize++;
                }
            }
            while (sp > 0 && o < out.length) {
                out[o++] = stack[--sp];
            }
            old = code;
        }
        return o;
    }

    private static int readBits(byte[] data, long bitPos, int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
            long b = bitPos + i;
            v |= ((data[(int) (b >> 3)] >> (b & 7)) & 1) << i;
        }
        return v;
    }

    private static int skipSubBlocks(byte[] file, int pos) {
        while (true) {
            need(file, pos + 1, "data sub-block");
            int len = file[pos] & 0xFF;
            pos++;
            if (len == 0) {
                return pos;
            }
            need(file, pos + len, "data sub-block");
            pos += len;
        }
    }

    private static void need(byte[] file, int end, String what) {
        if (end > file.length) {
            throw new ImageDecodeException("GIF: file is truncated (" + what + ")");
        }
    }

    private static int u16(byte[] b, int p) {
        return (b[p] & 0xFF) | ((b[p + 1] & 0xFF) << 8);
    }
}
