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
    /** Pillow's ImageFile.MAXBLOCK: it hands libjpeg the file in blocks of this size, one more per suspension. */
    private static final int PILLOW_BLOCK = 65536;

    private final byte[] d;
    private final int end;
    private final long maxPixels;
    private final Tables tables = new Tables();
    private int restartInterval;
    private Frame frame;
    private boolean sawJfif;
    private int adobeTransform = -1;
    private int orientation = 1;
    private boolean sawExif;
    private int scans;
    /**
     * A sequential frame whose first scan covered every component (libjpeg's single-scan mode, decided at the
     * first SOS) and was decoded without libjpeg asking for data past the end of the file is complete: libjpeg has
     * output every row, and Pillow accepts a file that ends after it (it still fails on a bad marker).
     */
    private boolean complete;
    /** libjpeg's last_good_iMCU_row: the last iMCU row of the latest scan decoded before its data ran out. */
    private int lastGoodImcuRow;
    /**
     * How much of an arithmetic-coded file Pillow has handed libjpeg: a block at the start, one more each time
     * libjpeg suspends (its marker reader needs bytes past what it has). What an arithmetic-coded scan may read.
     */
    private long pillowRead = PILLOW_BLOCK;

    /**
     * Where libjpeg's marker reader stops: the end of the file, or, once every row is out, the end of the data
     * Pillow had handed it by then (it feeds the file in 64 KiB blocks and stops feeding when all rows are out:
     * libjpeg then suspends at the end of that data and Pillow returns the image).
     */
    private int markerEnd;

    JpegReader(byte[] file, long maxPixels) {
        this.d = file;
        this.end = file.length;
        this.markerEnd = file.length;
        this.maxPixels = maxPixels;
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
            if (!MarkerChecks.known(marker) || (marker == 0x01 && scans == 0)) {
                // libjpeg stops at an unknown marker before reading any length; before the first scan, Pillow's
                // own header parser does not know TEM either
                throw new ImageDecodeException(String.format("JPEG: corrupt file (unknown marker 0x%02X)", marker));
            }
            MarkerChecks.checkSupportedSof(marker);
            if (marker == 0xD9) {
                sawEoi = true;
            } else if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
                continue; // parameterless markers (stray RSTn, TEM): ignored like libjpeg does
            } else if (marker == 0xD8) {
                throw new ImageDecodeException("JPEG: corrupt file (second SOI marker)");
            } else {
                if (pos + 2 > markerEnd) {
                    if (complete) {
                        break; // a marker cut before its length: libjpeg suspends
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
                if (complete && MarkerChecks.suspends(d, marker, pos + 2, segLen, frame, markerEnd)) {
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
        while (p < markerEnd) {
            if (d[p] != (byte) 0xFF) {
                p++; // extraneous bytes: libjpeg skips them with a warning
                continue;
            }
            int q = p + 1;
            while (q < markerEnd && d[q] == (byte) 0xFF) {
                q++;
            }
            if (q >= markerEnd) {
                return -1;
            }
            if (d[q] != 0) {
                return q;
            }
            p = q + 1;
        }
        return -1;
    }

    /**
     * Handles one marker segment.
     *
     * @param marker the marker code
     * @param body   offset of the segment body
     * @param len    body length
     * @param next   offset after the segment
     * @return where parsing continues
     */
    private int segment(int marker, int body, int len, int next) {
        switch (marker) {
            case 0xC0:
            case 0xC1:
            case 0xC2:
            case 0xC9:
            case 0xCA:
                if (frame != null) {
                    throw new ImageDecodeException("JPEG: corrupt file (more than one SOF marker)");
                }
                frame = Frame.parse(d, body, len, marker == 0xC2 || marker == 0xCA, marker >= 0xC9, maxPixels);
                return next;
            case 0xC4:
                tables.readHuffman(d, body, len);
                return next;
            case 0xDB:
                tables.readQuant(d, body, len);
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
            case 0xCC: // DAC: libjpeg reads it in any file (it matters only to an arithmetic-coded one)
                MarkerChecks.suspends(d, marker, body, len + 2, frame, end);
                tables.readArithConditioning(d, body, len);
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


    private boolean startsWith(int p, String sig) {
        for (int i = 0; i < sig.length(); i++) {
            if (d[p + i] != (byte) sig.charAt(i)) {
                return false;
            }
        }
        return true;
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
        int[] dcSlot = new int[n];
        int[] acSlot = new int[n];
        boolean arithmetic = frame.arithmetic;
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
        int[] index = frame.scanComponents(ids);
        for (int i = 0; i < n; i++) {
            int id = ids[i];
            int selectors = d[p + 2 + 2 * i] & 0xFF;
            Component c = frame.components[index[i]];
            comps[i] = c;
            blocksInMcu += c.h * c.v;
            int td = selectors >> 4;
            int ta = selectors & 15;
            dcSlot[i] = td;
            acSlot[i] = ta;
            // Arithmetic scans name conditioning tables 0..15, all defined by default (libjpeg's
            // JERR_NO_ARITH_TABLE, for a number of 16 or more, cannot occur with 4-bit fields).
            if (needDc && !arithmetic) {
                dc[i] = tables.huffman(0, td, progressive);
                if (dc[i] == null) {
                    throw new ImageDecodeException("JPEG: missing DC Huffman table " + td + " for component " + id);
                }
            }
            if (needAc && !arithmetic) {
                ac[i] = tables.huffman(1, ta, progressive);
                if (ac[i] == null) {
                    throw new ImageDecodeException("JPEG: missing AC Huffman table " + ta + " for component " + id);
                }
            }
            if (c.quant == null) {
                int[] q = tables.quant(c.quantTableId);
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
        // An arithmetic-coded block can take less than a bit.
        int minBits = arithmetic ? 0 : !progressive ? 2 : ss == 0 ? 1 : 0;
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
                BlockSmoothing.recordScan(c.coefBits, ss, se, al);
            }
        }
        // Pillow hands libjpeg more of the file only when it suspends, which in an arithmetic-coded file only its
        // marker reader does: while the headers up to here lay past what it had. (Huffman-coded scans suspend
        // anywhere and may read to the end of the file.)
        while (pillowRead < dataStart) {
            pillowRead += PILLOW_BLOCK;
        }
        BitReader in = new BitReader(d, dataStart, end, arithmetic ? (int) Math.min(pillowRead, end) : end);
        if (!arithmetic && !progressive) {
            // libjpeg's blocks_in_MCU: a single-component scan has one block per MCU
            in.emulateLibjpeg((int) Math.min(pillowRead, end), n == 1 ? 1 : blocksInMcu);
        }
        ArithmeticScan arith = arithmetic
                ? new ArithmeticScan(new ArithmeticDecoder(in), progressive, dcSlot, acSlot, ss, se, ah, al, tables)
                : null;
        ScanDecoder scan = new ScanDecoder(frame, comps, dc, ac, ss, se, ah, al, restartInterval, scans, in, arith);
        scan.decode();
        lastGoodImcuRow = scan.lastGoodImcuRow();
        // A sequential scan got here only if libjpeg never asked for a byte past the end of the file (the Huffman
        // decoder would have suspended there, BitReader.suspend), and the arithmetic decoder would have failed on
        // a missing byte: its rows are all out.
        long requested = in.bytesRequested();
        int next = in.skipToMarker();
        complete = !progressive && scans == 1 && n == frame.components.length;
        if (complete) {
            long fed = Math.max(pillowRead, (requested + PILLOW_BLOCK - 1) / PILLOW_BLOCK * PILLOW_BLOCK);
            markerEnd = (int) Math.min(end, fed);
        }
        return next;
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
