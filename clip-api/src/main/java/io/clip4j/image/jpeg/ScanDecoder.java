package io.clip4j.image.jpeg;

import io.clip4j.image.ImageDecodeException;

import java.util.Arrays;

/**
 * Decodes the entropy-coded data of one scan into the components' coefficient arrays: walks the MCUs and
 * restart intervals, and decodes the blocks of sequential Huffman (libjpeg's {@code jdhuff.c}) and the four
 * progressive Huffman passes (DC first/refine, AC first/refine, {@code jdphuff.c}) itself, or hands them to an
 * {@link ArithmeticScan} for an arithmetic-coded frame.
 */
final class ScanDecoder {
    /**
     * Zig-zag index to natural (row-major) index, with 16 extra entries pointing at 63 so that corrupt
     * run lengths stay inside the block exactly like libjpeg's {@code jpeg_natural_order}.
     */
    static final int[] NATURAL_ORDER = {
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
        12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
        58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
        63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
    };

    private final Frame frame;
    private final Component[] comps;
    private final HuffmanTable[] dc;
    private final HuffmanTable[] ac;
    private final int ss;
    private final int se;
    private final int ah;
    private final int al;
    private final int restartInterval;
    private final int scanNumber;
    private final BitReader in;
    /** The arithmetic block decoder, or null for a Huffman-coded scan. */
    private final ArithmeticScan arith;
    private final int[] pred;
    private int eobrun;
    private int lastGoodImcuRow;
    /** A sequential Huffman-coded scan, read exactly like libjpeg. */
    private boolean exact;
    /** The DC predictions at the start of the MCU, for an MCU libjpeg decodes again. */
    private int[] savedPred;

    /**
     * @param frame           the frame
     * @param comps           the scan's components, in scan order
     * @param dc              each component's DC Huffman table (unused entries and arithmetic scans: null)
     * @param ac              each component's AC Huffman table (unused entries and arithmetic scans: null)
     * @param ss              spectral selection start
     * @param se              spectral selection end
     * @param ah              successive approximation high bit
     * @param al              successive approximation low bit
     * @param restartInterval MCUs per restart interval, 0 for none
     * @param scanNumber      the scan's number (1 for the first), for messages
     * @param in              the scan's input, at its first entropy-coded byte
     * @param arith           the arithmetic block decoder, or null for a Huffman-coded scan
     */
    ScanDecoder(Frame frame, Component[] comps, HuffmanTable[] dc, HuffmanTable[] ac, int ss, int se, int ah,
                int al, int restartInterval, int scanNumber, BitReader in, ArithmeticScan arith) {
        this.frame = frame;
        this.comps = comps;
        this.dc = dc;
        this.ac = ac;
        this.ss = ss;
        this.se = se;
        this.ah = ah;
        this.al = al;
        this.restartInterval = restartInterval;
        this.scanNumber = scanNumber;
        this.in = in;
        this.arith = arith;
        this.pred = new int[comps.length];
    }

    /**
     * Decodes every MCU of the scan; the reader is left after the last bits it consumed. A sequential
     * Huffman-coded scan is read like libjpeg ({@link BitReader#emulateLibjpeg}, which the caller has set up).
     */
    void decode() {
        exact = arith == null && !frame.progressive;
        savedPred = exact ? new int[pred.length] : null;
        int n = comps.length;
        int mcusX = n == 1 ? comps[0].blocksWide : frame.mcusX;
        int mcusY = n == 1 ? comps[0].blocksHigh : frame.mcusY;
        int restartsToGo = restartInterval;
        int nextRestart = 0;
        // libjpeg's insufficient_data: after running into a marker, the rest of the interval is left zero.
        boolean outOfData = false;
        for (int my = 0; my < mcusY; my++) {
            int imcuRow = n == 1 ? my / comps[0].v : my; // a single-component scan has v block rows per iMCU row
            for (int mx = 0; mx < mcusX; mx++) {
                if (!outOfData) {
                    // libjpeg's last_good_iMCU_row: consume_data tests insufficient_data before decode_mcu handles
                    // the restart marker, so the first MCU after a restart that clears it does not count yet.
                    lastGoodImcuRow = imcuRow;
                }
                if (restartInterval > 0) {
                    if (restartsToGo == 0) {
                        if (in.readRestart(nextRestart, scanNumber)) {
                            outOfData = false;
                        }
                        if (arith != null) {
                            arith.restart(); // left in front of a marker, it reads zero bytes (no outOfData)
                        }
                        nextRestart = (nextRestart + 1) & 7;
                        restartsToGo = restartInterval;
                        Arrays.fill(pred, 0);
                        eobrun = 0;
                    }
                    restartsToGo--;
                }
                if (!outOfData) {
                    if (exact) {
                        decodeMcuLikeLibjpeg(my, mx);
                    } else {
                        decodeMcu(my, mx);
                    }
                    // Arithmetic decoding meets a marker legally and reads zeros after it (T.81 D.2.6).
                    outOfData = arith == null && in.ranIntoMarker(scanNumber);
                }
            }
        }
    }

    /** One MCU of a sequential Huffman-coded scan, decoded again wherever libjpeg decodes it again. */
    private void decodeMcuLikeLibjpeg(int my, int mx) {
        boolean mayUseFast = restartInterval == 0;
        in.startMcu(mayUseFast);
        System.arraycopy(pred, 0, savedPred, 0, pred.length);
        decodeMcu(my, mx);
        while (in.redoMcu(mayUseFast)) {
            System.arraycopy(savedPred, 0, pred, 0, pred.length);
            decodeMcu(my, mx);
        }
    }

    private void decodeMcu(int my, int mx) {
        if (arith != null && !arith.startMcu()) {
            return;
        }
        if (comps.length == 1) {
            Component c = comps[0];
            decodeBlock(0, c.coefficients, (my * c.blocksPerLine + mx) * 64);
            return;
        }
        for (int i = 0; i < comps.length; i++) {
            Component c = comps[i];
            for (int by = 0; by < c.v; by++) {
                int rowBase = (my * c.v + by) * c.blocksPerLine + mx * c.h;
                for (int bx = 0; bx < c.h; bx++) {
                    if (!decodeBlock(i, c.coefficients, (rowBase + bx) * 64)) {
                        return;
                    }
                }
            }
        }
    }

    /** @return the iMCU row of the last MCU decoded while data remained (libjpeg's last_good_iMCU_row) */
    int lastGoodImcuRow() {
        return lastGoodImcuRow;
    }

    /** @return false if the rest of the MCU is not decoded (an arithmetic scan met a corrupt code) */
    private boolean decodeBlock(int ci, short[] coef, int off) {
        if (arith != null) {
            return arith.decodeBlock(ci, coef, off);
        }
        if (!frame.progressive) {
            decodeSequential(ci, coef, off);
        } else if (ss == 0) {
            if (ah == 0) {
                int d = in.receiveExtend(in.decode(dc[ci]));
                int p = pred[ci];
                if ((p >= 0 && d > Integer.MAX_VALUE - p) || (p < 0 && d < Integer.MIN_VALUE - p)) {
                    // jdphuff.c decode_mcu_DC_first: JERR_BAD_DCT_COEF (the sequential decoder wraps instead)
                    throw new ImageDecodeException("JPEG: corrupt progressive DC coefficients (overflow in scan "
                            + scanNumber + ")");
                }
                pred[ci] += d;
                coef[off] = (short) (pred[ci] << al);
            } else if (in.bit() != 0) {
                coef[off] |= (short) (1 << al);
            }
        } else if (ah == 0) {
            decodeAcFirst(ac[ci], coef, off);
        } else {
            decodeAcRefine(ac[ci], coef, off);
        }
        return true;
    }

    private void decodeSequential(int ci, short[] coef, int off) {
        BitReader r = in;
        int d = r.receiveExtend(r.decode(dc[ci]));
        pred[ci] += d;
        coef[off] = (short) pred[ci];
        HuffmanTable t = ac[ci];
        for (int k = 1; k < 64; k++) {
            int rs = r.decode(t);
            int run = rs >>> 4;
            int s = rs & 15;
            if (s != 0) {
                k += run;
                coef[off + NATURAL_ORDER[k]] = (short) r.receiveExtend(s);
            } else {
                if (run != 15) {
                    break;
                }
                k += 15;
            }
        }
    }

    private void decodeAcFirst(HuffmanTable t, short[] coef, int off) {
        if (eobrun > 0) {
            eobrun--;
            return;
        }
        for (int k = ss; k <= se; k++) {
            int rs = in.decode(t);
            int run = rs >>> 4;
            int s = rs & 15;
            if (s != 0) {
                k += run;
                coef[off + NATURAL_ORDER[k]] = (short) (in.receiveExtend(s) << al);
            } else if (run == 15) {
                k += 15;
            } else {
                eobrun = (1 << run) - 1;
                if (run != 0) {
                    eobrun += in.bits(run);
                }
                break;
            }
        }
    }

    private void decodeAcRefine(HuffmanTable t, short[] coef, int off) {
        int p1 = 1 << al;
        int m1 = -1 << al;
        int k = ss;
        if (eobrun == 0) {
            for (; k <= se; k++) {
                int rs = in.decode(t);
                int r = rs >>> 4;
                int s = rs & 15;
                if (s != 0) {
                    // s must be 1 here; libjpeg only warns otherwise and reads one sign bit anyway.
                    s = in.bit() != 0 ? p1 : m1;
                } else if (r != 15) {
                    eobrun = 1 << r;
                    if (r != 0) {
                        eobrun += in.bits(r);
                    }
                    break;
                }
                // Skip r zero coefficients, refining the non-zero ones passed on the way.
                do {
                    int pos = off + NATURAL_ORDER[k];
                    int c = coef[pos];
                    if (c != 0) {
                        if (in.bit() != 0 && (c & p1) == 0) {
                            coef[pos] = (short) (c >= 0 ? c + p1 : c + m1);
                        }
                    } else if (--r < 0) {
                        break;
                    }
                    k++;
                } while (k <= se);
                if (s != 0) {
                    coef[off + NATURAL_ORDER[k]] = (short) s;
                }
            }
        }
        if (eobrun > 0) {
            for (; k <= se; k++) {
                int pos = off + NATURAL_ORDER[k];
                int c = coef[pos];
                if (c != 0 && in.bit() != 0 && (c & p1) == 0) {
                    coef[pos] = (short) (c >= 0 ? c + p1 : c + m1);
                }
            }
            eobrun--;
        }
    }

    /**
     * Validates progressive scan parameters like libjpeg's {@code start_pass_phuff_decoder}.
     *
     * @throws ImageDecodeException on an impossible spectral selection or successive approximation
     */
    static void checkProgression(int ss, int se, int ah, int al, int ncomp) {
        boolean bad;
        if (ss == 0) {
            bad = se != 0;
        } else {
            bad = ss > se || se > 63 || ncomp != 1;
        }
        if (ah != 0 && al != ah - 1) {
            bad = true;
        }
        if (al > 13) {
            bad = true;
        }
        if (bad) {
            throw new ImageDecodeException("JPEG: corrupt progressive scan parameters (Ss=" + ss + " Se=" + se
                    + " Ah=" + ah + " Al=" + al + ")");
        }
    }
}
