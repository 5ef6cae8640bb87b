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
    /** Tables a DHT defined: progressive scans may use only those (libjpeg's defaults are sequential-only). */
    private final boolean[][] defined = new boolean[2][4];
    /** A DHT table libjpeg would reject when a scan uses it (jpeg_make_d_derived_tbl), not when it is defined. */
    private final ImageDecodeException[][] invalid = new ImageDecodeException[2][4];
    private int restartInterval;
    private Frame frame;
    private boolean sawJfif;
    private int adobeTransform = -1;
    private int orientation = 1;
    private boolean sawExif;
    private int scans;
    /**
     * A sequential frame whose first scan covered every component (libjpeg's single-scan mode, decided at the
     * first SOS) and was followed by a marker or by at least 8 more data bytes is complete: libjpeg has output
     * every row without reaching the end of the file, and Pillow accepts a file that ends after it (it still
     * fails on a bad marker).
     */
    private boolean complete;
    /** libjpeg's last_good_iMCU_row: the last iMCU row of the latest scan decoded before its data ran out. */
    private int lastGoodImcuRow;

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
            if (!known(marker) || (marker == 0x01 && scans == 0)) {
                // libjpeg stops at an unknown marker before reading any length; before the first scan, Pillow's
                // own header parser does not know TEM either
                throw new ImageDecodeException(String.format("JPEG: corrupt file (unknown marker 0x%02X)", marker));
            }
            checkSupportedSof(marker);
            if (complete && m + 3 > end) {
                break; // a marker cut before its length: libjpeg suspends
            }
            if (marker == 0xD9) {
                sawEoi = true;
            } else if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
                continue; // parameterless markers (stray RSTn, TEM): ignored like libjpeg does
            } else if (marker == 0xD8) {
                throw new ImageDecodeException("JPEG: corrupt file (second SOI marker)");
            } else {
                if (pos + 2 > end) {
                    if (complete) {
                        break;
                    }
                    throw truncated();
                }
                int segLen = Frame.u16(d, pos);
                boolean skipped = (marker >= 0xE0 && marker <= 0xEF) || marker == 0xFE || marker == 0xDC;
                if (segLen < 2 && skipped) {
                    pos += 2; // libjpeg's skip_variable skips nothing
                    continue;
                }
                if (segLen < 2) {
                    throw new ImageDecodeException(String.format("JPEG: corrupt marker 0x%02X (length %d)",
                            marker, segLen));
                }
                if (complete && MarkerChecks.suspends(d, marker, pos + 2, segLen, frame)) {
                    break; // libjpeg runs out of data after every row is out: Pillow returns the image
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
        if (!sawEoi && !complete) {
            // libjpeg suspends waiting for more data; Pillow then reports "image file is truncated".
            throw truncated();
        }
        if (frame.progressive) {
            BlockSmoothing.apply(frame, scans, lastGoodImcuRow);
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
            case 0xC4:
                readHuffmanTables(body, len);
                return next;
            case 0xDB:
                readQuantTables(body, len);
                return next;
            case 0xDD:
                if (len != 2) {
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
            case 0xCC: // DAC (arithmetic conditioning; irrelevant without an arithmetic SOF, but checked)
                MarkerChecks.suspends(d, marker, body, len + 2, frame);
                return next;
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

    /**
     * The frame components an SOS names, found like libjpeg 2.1's get_sos: the first component with the id whose
     * frame index is not an already filled scan position (its check of {@code cur_comp_info[ci]}). That rejects
     * an id listed twice, and also a component whose frame index is below its position in the scan (order 3,1,2).
     *
     * @return the frame index of each scan component
     * @throws ImageDecodeException for an id no usable frame component has
     */
    static int[] scanComponents(Frame frame, int[] ids) {
        int[] index = new int[ids.length];
        boolean[] filled = new boolean[4];
        for (int i = 0; i < ids.length; i++) {
            index[i] = -1;
            for (int ci = 0; ci < Math.min(frame.components.length, 4) && index[i] < 0; ci++) {
                if (frame.components[ci].id == ids[i] && !filled[ci]) {
                    index[i] = ci;
                }
            }
            if (index[i] < 0) {
                throw new ImageDecodeException("JPEG: corrupt SOS marker (component id " + ids[i]
                        + " unknown, repeated or out of order)");
            }
            filled[i] = true;
        }
        return index;
    }

    /** libjpeg rejects the SOF types it cannot decode as soon as it sees the marker, before any length. */
    private static void checkSupportedSof(int marker) {
        switch (marker) {
            case 0xC3:
                throw unsupported("lossless (SOF3)");
            case 0xC5:
            case 0xC6:
            case 0xC7:
                throw unsupported("hierarchical (SOF" + (marker - 0xC0) + ")");
            case 0xC8:
                throw unsupported("JPG extension (SOF8)");
            case 0xC9:
            case 0xCA:
            case 0xCB:
            case 0xCD:
            case 0xCE:
            case 0xCF:
                throw unsupported("arithmetic-coded (SOF" + (marker - 0xC0) + ")");
            default:
        }
    }

    /**
     * The markers libjpeg's {@code read_markers} handles (or rejects as unsupported) rather than as unknown:
     * SOFn, DHT, DAC, RSTn, SOI, EOI, SOS, DQT, DNL, DRI, APPn, COM, TEM.
     */
    private static boolean known(int marker) {
        return (marker >= 0xC0 && marker <= 0xDD) || (marker >= 0xE0 && marker <= 0xEF) || marker == 0xFE
                || marker == 0x01;
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
            int pq = (d[p] & 0xFF) >> 4; // libjpeg: any nonzero precision means 16-bit values
            int tq = d[p] & 15;
            p++;
            if (tq > 3) {
                throw new ImageDecodeException("JPEG: corrupt DQT marker (table " + tq + ")");
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
            HuffmanTable t = null;
            try {
                t = new HuffmanTable(counts, symbols);
                invalid[tc][th] = null;
            } catch (ImageDecodeException bad) {
                invalid[tc][th] = bad;
            }
            defined[tc][th] = true;
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
        if (complete) {
            // libjpeg: JERR_EOI_EXPECTED ("Oops, I wasn't expecting this!")
            throw new ImageDecodeException("JPEG: corrupt file (a second scan after the single scan of a sequential"
                    + " JPEG)");
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
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = d[p + 1 + 2 * i] & 0xFF;
        }
        int[] index = scanComponents(frame, ids);
        for (int i = 0; i < n; i++) {
            int id = ids[i];
            int tables = d[p + 2 + 2 * i] & 0xFF;
            Component c = frame.components[index[i]];
            comps[i] = c;
            blocksInMcu += c.h * c.v;
            int td = tables >> 4;
            int ta = tables & 15;
            if (needDc) {
                dc[i] = td < 4 && (!progressive || defined[0][td]) ? usable(0, td, dcTables[td]) : null;
                if (dc[i] == null) {
                    throw new ImageDecodeException("JPEG: missing DC Huffman table " + td + " for component " + id);
                }
            }
            if (needAc) {
                ac[i] = ta < 4 && (!progressive || defined[1][ta]) ? usable(1, ta, acTables[ta]) : null;
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
        // a file too short for that is truncated or corrupt.
        long scanBlocks = n == 1 ? (long) comps[0].blocksWide * comps[0].blocksHigh
                : (long) frame.mcusX * frame.mcusY * blocksInMcu;
        int minBits = !progressive ? 2 : ss == 0 ? 1 : 0;
        long coefficientBytes = 0;
        for (Component c : frame.components) {
            coefficientBytes += (long) c.blocksPerLine * c.blockRows * 128;
        }
        // libjpeg decodes such a file (the rest reads as gray once the data meets a marker); this guard keeps a
        // tiny file from claiming a huge image, so it applies only above 64 MiB of coefficients.
        if (coefficientBytes > (64L << 20) && scanBlocks * minBits > (end - (long) dataStart) * 8) {
            throw new ImageDecodeException("JPEG: file is truncated (scan " + scans + " has " + scanBlocks
                    + " blocks but only " + (end - dataStart) + " bytes of data follow)");
        }
        for (Component c : comps) {
            if (c.coefficients == null) {
                c.coefficients = new short[c.blocksPerLine * c.blockRows * 64];
            }
        }
        if (progressive) {
            for (Component c : comps) {
                // Set when the scan starts, like libjpeg (jdphuff.c start_pass), however the scan ends; libjpeg
                // saves MIN(Ss,1)..MAX(Se,9), of which smoothing reads 1..9.
                for (int k = Math.min(ss, 1); k <= 9; k++) {
                    c.prevCoefBits[k] = scans > 1 ? c.coefBits[k] : 0;
                }
                for (int k = ss; k <= Math.min(se, 9); k++) {
                    c.coefBits[k] = al;
                }
            }
        }
        BitReader in = new BitReader(d, dataStart, end);
        ScanDecoder scan = new ScanDecoder(frame, comps, dc, ac, ss, se, ah, al, restartInterval, scans, in);
        scan.decode();
        lastGoodImcuRow = scan.lastGoodImcuRow();
        // The rows are all out unless libjpeg's look-ahead (8 data bytes at most) reached the end of the file.
        boolean lookAheadInFile = in.dataBytesAfterConsumed() >= 8;
        int next = in.skipToMarker();
        complete = !progressive && scans == 1 && n == frame.components.length && (next < end || lookAheadInFile);
        return next;
    }

    /** The table of a slot for a scan that uses it, checked then like libjpeg's jpeg_make_d_derived_tbl. */
    private HuffmanTable usable(int tc, int th, HuffmanTable t) {
        if (invalid[tc][th] != null) {
            throw invalid[tc][th];
        }
        if (t != null && tc == 0) {
            for (int s : t.symbols) {
                if (s > 15) {
                    throw new ImageDecodeException("JPEG: corrupt Huffman table (DC symbol " + s + " > 15)");
                }
            }
        }
        return t;
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
