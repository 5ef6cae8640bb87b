package io.clip4j.image.jpeg;

import io.clip4j.image.DecodedImage;
import io.clip4j.image.ImageDecodeException;

/**
 * Decodes one JPEG file: walks its markers (libjpeg's {@code jdmarker.c} rules), decodes every scan
 * into coefficients and hands them to {@link PixelAssembler}. Single use.
 */
final class JpegReader {
    /** libjpeg-turbo's fuzzers stop at 500 scans; real files have at most a few dozen. */
    private static final int MAX_SCANS = 1000;

    private final byte[] d;
    private final int end;
    private final long maxPixels;
    private final int[][] quantTables = new int[4][];
    private final HuffmanTable[] dcTables = new HuffmanTable[4];
    private final HuffmanTable[] acTables = new HuffmanTable[4];
    private int restartInterval;
    private Frame frame;
    private boolean sawJfif;
    private int adobeTransform = -1;
    private int orientation = 1;
    private boolean sawExif;
    private int scans;

    JpegReader(byte[] file, long maxPixels) {
        this.d = file;
        this.end = file.length;
        this.maxPixels = maxPixels;
        // Like libjpeg-turbo (std_huff_tables): slots 0 and 1 default to the standard tables.
        for (int slot = 0; slot < 2; slot++) {
            dcTables[slot] = StandardHuffmanTables.TABLES[0][slot];
            acTables[slot] = StandardHuffmanTables.TABLES[1][slot];
        }
    }

    DecodedImage read() {
        if (end < 4 || d[0] != (byte) 0xFF || d[1] != (byte) 0xD8) {
            throw new ImageDecodeException("JPEG: not a JPEG file (no SOI marker)");
        }
        int pos = 2;
        boolean sawEoi = false;
        // Every iteration consumes at least one byte, so the loop ends.
        while (!sawEoi) {
            int m = findMarker(pos);
            if (m < 0) {
                break;
            }
            int marker = d[m] & 0xFF;
            pos = m + 1;
            if (marker == 0xD9) {
                sawEoi = true;
            } else if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
                continue; // parameterless markers (stray RSTn, TEM): ignored like libjpeg does
            } else if (marker == 0xD8) {
                throw new ImageDecodeException("JPEG: corrupt file (second SOI marker)");
            } else {
                if (pos + 2 > end) {
                    throw truncated();
                }
                int segLen = Frame.u16(d, pos);
                if (segLen < 2) {
                    throw new ImageDecodeException(String.format("JPEG: corrupt marker 0x%02X (length %d)",
                            marker, segLen));
                }
                if (pos + segLen > end) {
                    throw truncated();
                }
                int body = pos + 2;
                int len = segLen - 2;
                pos += segLen;
                pos = segment(marker, body, len, pos);
            }
        }
        if (frame == null) {
            throw new ImageDecodeException("JPEG: no frame header (SOF marker) found");
        }
        if (scans == 0) {
            throw new ImageDecodeException("JPEG: no image data (SOS marker) found");
        }
        if (!sawEoi) {
            // libjpeg suspends waiting for more data; Pillow then reports "image file is truncated".
            throw truncated();
        }
        return PixelAssembler.assemble(frame, colorSpace(), orientation);
    }

    private static ImageDecodeException truncated() {
        return new ImageDecodeException("JPEG: file is truncated (image data or EOI marker missing)");
    }

    /** @return index of the marker code byte at or after {@code p} (after 0xFF and fill bytes), or -1 */
    private int findMarker(int p) {
        while (p < end) {
            if (d[p] != (byte) 0xFF) {
                p++; // extraneous bytes: libjpeg skips them with a warning
                continue;
            }
            int q = p + 1;
            while (q < end && d[q] == (byte) 0xFF) {
                q++;
            }
            if (q >= end) {
                return -1;
            }
            if (d[q] != 0) {
                return q;
            }
            p = q + 1;
        }
        return -1;
    }

    /** Handles one marker segment; returns where parsing continues. */
    private int segment(int marker, int body, int len, int next) {
        switch (marker) {
            case 0xC0:
            case 0xC1:
            case 0xC2:
                if (frame != null) {
                    throw new ImageDecodeException("JPEG: corrupt file (more than one SOF marker)");
                }
                frame = Frame.parse(d, body, len, marker == 0xC2, maxPixels);
                return next;
            case 0xC3:
                throw unsupported("lossless (SOF3)");
            case 0xC5:
            case 0xC6:
            case 0xC7:
                throw unsupported("hierarchical (SOF" + (marker - 0xC0) + ")");
            case 0xC9:
            case 0xCA:
            case 0xCB:
            case 0xCD:
            case 0xCE:
            case 0xCF:
                throw unsupported("arithmetic-coded (SOF" + (marker - 0xC0) + ")");
            case 0xC4:
                readHuffmanTables(body, len);
                return next;
            case 0xDB:
                readQuantTables(body, len);
                return next;
            case 0xDD:
                if (len < 2) {
                    throw new ImageDecodeException("JPEG: corrupt DRI marker");
                }
                restartInterval = Frame.u16(d, body);
                return next;
            case 0xDA:
                return readScan(body, len, next);
            case 0xE0:
                // libjpeg's examine_app0 needs the full 14-byte JFIF header.
                if (len >= 14 && startsWith(body, "JFIF\0")) {
                    sawJfif = true;
                }
                return next;
            case 0xE1:
                if (!sawExif && len >= 6 && startsWith(body, "Exif\0\0")) {
                    sawExif = true; // Pillow keeps the first EXIF block
                    orientation = io.clip4j.image.Exif.orientation(d, body, len);
                }
                return next;
            case 0xEE:
                if (len >= 12 && startsWith(body, "Adobe")) {
                    adobeTransform = d[body + 11] & 0xFF;
                }
                return next;
            case 0xCC: // DAC (arithmetic conditioning; irrelevant without an arithmetic SOF)
            case 0xDC: // DNL
            case 0xFE: // COM
                return next;
            default:
                if (marker >= 0xE0 && marker <= 0xEF) {
                    return next;
                }
                throw new ImageDecodeException(String.format("JPEG: corrupt file (unknown marker 0x%02X)", marker));
        }
    }

    private static ImageDecodeException unsupported(String what) {
        return new ImageDecodeException("JPEG: unsupported " + what + " JPEG (only baseline, extended "
                + "sequential and progressive Huffman-coded 8-bit JPEGs are supported)");
    }

    private boolean startsWith(int p, String sig) {
        for (int i = 0; i < sig.length(); i++) {
            if (d[p + i] != (byte) sig.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void readQuantTables(int p, int len) {
        int e = p + len;
        while (p < e) {
            int pq = (d[p] & 0xFF) >> 4;
            int tq = d[p] & 15;
            p++;
            if (pq > 1 || tq > 3) {
                throw new ImageDecodeException("JPEG: corrupt DQT marker (precision " + pq + ", table " + tq + ")");
            }
            int size = pq == 0 ? 64 : 128;
            if (p + size > e) {
                throw new ImageDecodeException("JPEG: corrupt DQT marker (segment too short)");
            }
            int[] q = new int[64];
            for (int k = 0; k < 64; k++) {
                int v = pq == 0 ? d[p + k] & 0xFF : Frame.u16(d, p + 2 * k);
                q[ScanDecoder.NATURAL_ORDER[k]] = v;
            }
            quantTables[tq] = q;
            p += size;
        }
    }

    private void readHuffmanTables(int p, int len) {
        int e = p + len;
        while (p < e) {
            int tc = (d[p] & 0xFF) >> 4;
            int th = d[p] & 15;
            if (tc > 1 || th > 3) {
                throw new ImageDecodeException("JPEG: corrupt DHT marker (class " + tc + ", table " + th + ")");
            }
            if (p + 17 > e) {
                throw new ImageDecodeException("JPEG: corrupt DHT marker (segment too short)");
            }
            int[] counts = new int[17];
            int total = 0;
            for (int i = 1; i <= 16; i++) {
                counts[i] = d[p + i] & 0xFF;
                total += counts[i];
            }
            p += 17;
            if (total > 256 || p + total > e) {
                throw new ImageDecodeException("JPEG: corrupt DHT marker (bad code counts)");
            }
            int[] symbols = new int[total];
            for (int i = 0; i < total; i++) {
                symbols[i] = d[p + i] & 0xFF;
            }
            p += total;
            HuffmanTable t = new HuffmanTable(counts, symbols, tc == 0);
            if (tc == 0) {
                dcTables[th] = t;
            } else {
                acTables[th] = t;
            }
        }
    }

    private int readScan(int p, int len, int dataStart) {
        if (frame == null) {
            throw new ImageDecodeException("JPEG: corrupt file (SOS marker before SOF marker)");
        }
        if (++scans > MAX_SCANS) {
            throw new ImageDecodeException("JPEG: corrupt file (more than " + MAX_SCANS + " scans)");
        }
        int n = len >= 1 ? d[p] & 0xFF : 0;
        if (n < 1 || n > 4 || len != 4 + 2 * n) {
            throw new ImageDecodeException("JPEG: corrupt SOS marker (" + n + " components, length " + len + ")");
        }
        Component[] comps = new Component[n];
        HuffmanTable[] dc = new HuffmanTable[n];
        HuffmanTable[] ac = new HuffmanTable[n];
        int ss = d[p + 1 + 2 * n] & 0xFF;
        int se = d[p + 2 + 2 * n] & 0xFF;
        int ah = (d[p + 3 + 2 * n] & 0xFF) >> 4;
        int al = d[p + 3 + 2 * n] & 15;
        boolean progressive = frame.progressive;
        if (progressive) {
            ScanDecoder.checkProgression(ss, se, ah, al, n);
        }
        boolean needDc = !progressive || (ss == 0 && ah == 0);
        boolean needAc = !progressive || ss != 0;
        int blocksInMcu = 0;
        for (int i = 0; i < n; i++) {
            int id = d[p + 1 + 2 * i] & 0xFF;
            int tables = d[p + 2 + 2 * i] & 0xFF;
            Component c = null;
            for (Component fc : frame.components) {
                if (fc.id == id) {
                    c = fc;
                }
            }
            if (c == null) {
                throw new ImageDecodeException("JPEG: corrupt SOS marker (unknown component id " + id + ")");
            }
            for (int j = 0; j < i; j++) {
                if (comps[j] == c) {
                    throw new ImageDecodeException("JPEG: corrupt SOS marker (component " + id + " listed twice)");
                }
            }
            comps[i] = c;
            blocksInMcu += c.h * c.v;
            int td = tables >> 4;
            int ta = tables & 15;
            if (needDc) {
                dc[i] = td < 4 ? dcTables[td] : null;
                if (dc[i] == null) {
                    throw new ImageDecodeException("JPEG: missing DC Huffman table " + td + " for component " + id);
                }
            }
            if (needAc) {
                ac[i] = ta < 4 ? acTables[ta] : null;
                if (ac[i] == null) {
                    throw new ImageDecodeException("JPEG: missing AC Huffman table " + ta + " for component " + id);
                }
            }
            if (c.quant == null) {
                int[] q = quantTables[c.quantTableId];
                if (q == null) {
                    throw new ImageDecodeException("JPEG: missing quantization table " + c.quantTableId
                            + " for component " + id);
                }
                c.quant = q.clone();
            }
        }
        if (n > 1 && blocksInMcu > 10) {
            throw new ImageDecodeException("JPEG: corrupt file (" + blocksInMcu + " blocks per MCU, at most 10)");
        }
        // Every block of a sequential scan takes at least 2 bits (DC code + EOB), of a DC scan at least 1:
        // a file too short for that is truncated, and is rejected before the coefficients are allocated.
        long scanBlocks = n == 1 ? (long) comps[0].blocksWide * comps[0].blocksHigh
                : (long) frame.mcusX * frame.mcusY * blocksInMcu;
        int minBits = !progressive ? 2 : ss == 0 ? 1 : 0;
        if (scanBlocks * minBits > (end - (long) dataStart) * 8) {
            throw new ImageDecodeException("JPEG: file is truncated (scan " + scans + " has " + scanBlocks
                    + " blocks but only " + (end - dataStart) + " bytes of data follow)");
        }
        for (Component c : comps) {
            if (c.coefficients == null) {
                c.coefficients = new short[c.blocksPerLine * c.blockRows * 64];
            }
        }
        BitReader in = new BitReader(d, dataStart, end);
        new ScanDecoder(frame, comps, dc, ac, ss, se, ah, al, restartInterval, scans, in).decode();
        return in.skipToMarker();
    }

    /** libjpeg-turbo's default_decompress_parms (jdapimin.c) for the file's colour space. */
    private ColorConverter.Space colorSpace() {
        Component[] c = frame.components;
        if (c.length == 1) {
            return ColorConverter.Space.GRAY;
        }
        if (c.length == 3) {
            if (sawJfif) {
                return ColorConverter.Space.YCBCR;
            }
            if (adobeTransform >= 0) {
                return adobeTransform == 0 ? ColorConverter.Space.RGB : ColorConverter.Space.YCBCR;
            }
            if (c[0].id == 'R' && c[1].id == 'G' && c[2].id == 'B') {
                return ColorConverter.Space.RGB;
            }
            return ColorConverter.Space.YCBCR;
        }
        if (adobeTransform >= 0) {
            return adobeTransform == 0 ? ColorConverter.Space.CMYK : ColorConverter.Space.YCCK;
        }
        return ColorConverter.Space.CMYK;
    }
}
