package io.clip4j.image.jpeg;

import java.util.Arrays;

/**
 * Decodes the blocks of one arithmetic-coded scan (ITU-T T.81 Annex F.1.4 and G.1.3, as libjpeg-turbo's
 * {@code jdarith.c} does): sequential blocks and the four progressive passes, with the DC and AC statistics
 * areas of the scan's conditioning tables and libjpeg's handling of corrupt codes. {@link ScanDecoder} walks
 * the MCUs and restart intervals and calls {@link #startMcu()}, {@link #decodeBlock} and {@link #restart()}.
 *
 * <p>Statistics belong to a table number, not to a component: components that name the same table adapt one
 * area. A corrupt code (a magnitude category past 15 bits, or a run past the end of the band) leaves the rest
 * of the restart interval undecoded (zero, or what earlier scans left), like libjpeg after its
 * {@code JWRN_ARITH_BAD_CODE} warning.
 */
final class ArithmeticScan {
    /** Statistics bins of a DC table (T.81 F.1.4.4.1.3 needs 49). */
    private static final int DC_BINS = 64;
    /** Statistics bins of an AC table (T.81 F.1.4.4.2 needs 245). */
    private static final int AC_BINS = 256;
    /** First bin of the DC magnitude categories (Table F.4: X1). */
    private static final int DC_X1 = 20;
    /** First AC magnitude-category bin for coefficients up to Kx, and for those after it (Table F.5). */
    private static final int AC_X2_LOW = 189;
    private static final int AC_X2_HIGH = 217;
    /** Offset from a magnitude-category bin to its magnitude-bit bin (X_n to M_n). */
    private static final int TO_MAGNITUDE_BITS = 14;

    private final ArithmeticDecoder dec;
    private final boolean progressive;
    private final int[] dcTable;
    private final int[] acTable;
    private final int ss;
    private final int se;
    private final int ah;
    private final int al;
    private final Tables tables;
    private final byte[][] dcStats = new byte[16][];
    private final byte[][] acStats = new byte[16][];
    private final byte[] fixedBin = {(byte) ArithmeticDecoder.FIXED_STATE};
    private final int[] lastDc;
    private final int[] dcContext;

    /**
     * @param dec         the bit-level decoder of the scan
     * @param progressive whether the frame is progressive (SOF10)
     * @param dcTable     each scan component's DC conditioning table number (0..15)
     * @param acTable     each scan component's AC conditioning table number (0..15)
     * @param ss          spectral selection start
     * @param se          spectral selection end
     * @param ah          successive approximation high bit
     * @param al          successive approximation low bit
     * @param tables      the file's tables, for the DAC conditioning values (read when used, as libjpeg does)
     */
    ArithmeticScan(ArithmeticDecoder dec, boolean progressive, int[] dcTable, int[] acTable, int ss, int se,
                   int ah, int al, Tables tables) {
        this.dec = dec;
        this.progressive = progressive;
        this.dcTable = dcTable;
        this.acTable = acTable;
        this.ss = ss;
        this.se = se;
        this.ah = ah;
        this.al = al;
        this.tables = tables;
        this.lastDc = new int[dcTable.length];
        this.dcContext = new int[dcTable.length];
        for (int i = 0; i < dcTable.length; i++) {
            if (usesDc()) {
                dcStats[dcTable[i]] = new byte[DC_BINS];
            }
            if (usesAc()) {
                acStats[acTable[i]] = new byte[AC_BINS];
            }
        }
    }

    private boolean usesDc() {
        return !progressive || (ss == 0 && ah == 0);
    }

    private boolean usesAc() {
        return !progressive || ss != 0;
    }

    /**
     * After a restart marker (libjpeg's {@code process_restart}): fresh statistics, DC predictions and code
     * stream. The caller has already moved past the marker.
     */
    void restart() {
        for (int i = 0; i < dcTable.length; i++) {
            if (usesDc()) {
                Arrays.fill(dcStats[dcTable[i]], (byte) 0);
                lastDc[i] = 0;
                dcContext[i] = 0;
            }
            if (usesAc()) {
                Arrays.fill(acStats[acTable[i]], (byte) 0);
            }
        }
        dec.reset();
    }

    /**
     * @return whether the next MCU is decoded: not after a corrupt code in this restart interval (DC refinement
     *         scans decode regardless, as in libjpeg, where they cannot meet one)
     */
    boolean startMcu() {
        return (progressive && ss == 0 && ah != 0) || !dec.failed();
    }

    /**
     * Decodes one block of the current MCU into {@code coef}.
     *
     * @param ci   the block's component position in the scan
     * @param coef the component's coefficients (natural order)
     * @param off  the block's offset in {@code coef}
     * @return false if a corrupt code ended the MCU (its remaining blocks are not decoded)
     */
    boolean decodeBlock(int ci, short[] coef, int off) {
        if (!progressive) {
            return decodeDc(ci, coef, off, 0) && decodeAc(acTable[ci], coef, off, 1, 63, 0);
        }
        if (ss == 0) {
            if (ah == 0) {
                return decodeDc(ci, coef, off, al);
            }
            // The refinement bit is the next bit of the two's-complement DC value.
            if (dec.decode(fixedBin, 0) != 0) {
                coef[off] |= (short) (1 << al);
            }
            return true;
        }
        return ah == 0 ? decodeAc(acTable[ci], coef, off, ss, se, al) : refineAc(acTable[ci], coef, off);
    }

    /** T.81 F.2.4.1 and F.1.4.4.1: a DC difference, conditioned on the previous one of the component. */
    private boolean decodeDc(int ci, short[] coef, int off, int shift) {
        int tbl = dcTable[ci];
        byte[] st = dcStats[tbl];
        int bin = dcContext[ci];
        if (dec.decode(st, bin) == 0) {
            dcContext[ci] = 0;
        } else {
            int sign = dec.decode(st, bin + 1);
            bin += 2 + sign;
            int m = dec.decode(st, bin);
            if (m != 0) {
                bin = DC_X1;
                while (dec.decode(st, bin) != 0) {
                    m <<= 1;
                    if (m == 0x8000) {
                        dec.fail(); // magnitude category beyond 15 bits
                        return false;
                    }
                    bin++;
                }
            }
            // F.1.4.4.1.2: the next difference is conditioned on this one's size (L and U of the DAC).
            if (m < (1 << tables.arithDcL(tbl)) >> 1) {
                dcContext[ci] = 0;
            } else if (m > (1 << tables.arithDcU(tbl)) >> 1) {
                dcContext[ci] = 12 + sign * 4;
            } else {
                dcContext[ci] = 4 + sign * 4;
            }
            int v = magnitude(st, bin + TO_MAGNITUDE_BITS, m);
            lastDc[ci] += sign != 0 ? -v : v;
        }
        coef[off] = (short) (lastDc[ci] << shift);
        return true;
    }

    /** The low bits of a magnitude whose top bit is {@code m}, all from one bin; returns it plus one. */
    private int magnitude(byte[] st, int bin, int m) {
        int v = m;
        while ((m >>= 1) != 0) {
            if (dec.decode(st, bin) != 0) {
                v |= m;
            }
        }
        return v + 1;
    }

    /** T.81 F.2.4.2 and F.1.4.4.2 (and G.1.3.2 for a first AC pass): coefficients {@code k0..kEnd}. */
    private boolean decodeAc(int tbl, short[] coef, int off, int k0, int kEnd, int shift) {
        byte[] st = acStats[tbl];
        for (int k = k0; k <= kEnd; k++) {
            int bin = 3 * (k - 1);
            if (dec.decode(st, bin) != 0) {
                break; // end of block
            }
            while (dec.decode(st, bin + 1) == 0) {
                bin += 3;
                k++;
                if (k > kEnd) {
                    dec.fail(); // a zero run past the end of the band
                    return false;
                }
            }
            int sign = dec.decode(fixedBin, 0);
            bin += 2;
            int m = dec.decode(st, bin);
            if (m != 0 && dec.decode(st, bin) != 0) {
                m <<= 1;
                bin = k <= tables.arithAcK(tbl) ? AC_X2_LOW : AC_X2_HIGH;
                while (dec.decode(st, bin) != 0) {
                    m <<= 1;
                    if (m == 0x8000) {
                        dec.fail();
                        return false;
                    }
                    bin++;
                }
            }
            int v = magnitude(st, bin + TO_MAGNITUDE_BITS, m);
            coef[off + ScanDecoder.NATURAL_ORDER[k]] = (short) ((sign != 0 ? -v : v) << shift);
        }
        return true;
    }

    /** T.81 G.1.3.3: one more bit of the band's known coefficients, and the ones that become nonzero. */
    private boolean refineAc(int tbl, short[] coef, int off) {
        byte[] st = acStats[tbl];
        int p1 = 1 << al;
        int m1 = -1 << al;
        // End of block of the earlier passes: no end-of-block decision is coded before it.
        int kex = se;
        while (kex > 0 && coef[off + ScanDecoder.NATURAL_ORDER[kex]] == 0) {
            kex--;
        }
        for (int k = ss; k <= se; k++) {
            int bin = 3 * (k - 1);
            if (k > kex && dec.decode(st, bin) != 0) {
                break;
            }
            while (true) {
                int pos = off + ScanDecoder.NATURAL_ORDER[k];
                int c = coef[pos];
                if (c != 0) {
                    if (dec.decode(st, bin + 2) != 0) {
                        coef[pos] = (short) (c + (c < 0 ? m1 : p1));
                    }
                    break;
                }
                if (dec.decode(st, bin + 1) != 0) {
                    coef[pos] = (short) (dec.decode(fixedBin, 0) != 0 ? m1 : p1);
                    break;
                }
                bin += 3;
                k++;
                if (k > se) {
                    dec.fail();
                    return false;
                }
            }
        }
        return true;
    }
}
