package io.clip4j.image.jpeg;

import io.clip4j.image.ImageDecodeException;

import java.util.Arrays;

/**
 * The quantization, Huffman and arithmetic conditioning table slots of a file (DQT, DHT, DAC), with libjpeg's
 * rules for when a table is checked and which tables a scan may use.
 */
final class Tables {
    private final int[][] quant = new int[4][];
    /** [class 0 = DC, 1 = AC][slot] */
    private final HuffmanTable[][] huffman = new HuffmanTable[2][4];
    /** Tables a DHT defined: progressive scans may use only those (libjpeg's defaults are sequential-only). */
    private final boolean[][] defined = new boolean[2][4];
    /** Why a DHT table is unusable: libjpeg rejects it when a scan uses it (jpeg_make_d_derived_tbl), not sooner. */
    private final String[][] invalid = new String[2][4];
    /** Arithmetic DC conditioning bounds L and U and AC conditioning Kx per table 0..15 (T.81 F.1.4.4). */
    private final int[] arithDcL = new int[16];
    private final int[] arithDcU = new int[16];
    private final int[] arithAcK = new int[16];

    /** Empty slots, with libjpeg-turbo's defaults: the standard Huffman tables, and L = 0, U = 1, Kx = 5. */
    Tables() {
        Arrays.fill(arithDcU, 1);
        Arrays.fill(arithAcK, 5);
        // Like libjpeg-turbo (std_huff_tables): slots 0 and 1 default to the standard tables.
        for (int slot = 0; slot < 2; slot++) {
            huffman[0][slot] = StandardHuffmanTables.TABLES[0][slot];
            huffman[1][slot] = StandardHuffmanTables.TABLES[1][slot];
        }
    }

    /** Reads a DQT segment's tables (natural order); any nonzero precision means 16-bit values, as in libjpeg. */
    void readQuant(byte[] d, int p, int len) {
        int e = p + len;
        while (p < e) {
            int pq = (d[p] & 0xFF) >> 4;
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
            quant[tq] = q;
            p += size;
        }
    }

    /** Reads a DHT segment's tables; a table with impossible code lengths is remembered, not rejected yet. */
    void readHuffman(byte[] d, int p, int len) {
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
            invalid[tc][th] = null;
            try {
                t = new HuffmanTable(counts, symbols);
            } catch (ImageDecodeException bad) {
                invalid[tc][th] = bad.getMessage();
            }
            defined[tc][th] = true;
            huffman[tc][th] = t;
        }
    }

    /**
     * The Huffman table a scan uses, checked then like libjpeg's jpeg_make_d_derived_tbl.
     *
     * @param tc          0 for DC, 1 for AC
     * @param slot        the scan's table number
     * @param progressive whether the frame is progressive (no default tables then)
     * @return the table, or null if the slot holds none the scan may use
     * @throws ImageDecodeException if the slot's table is invalid
     */
    HuffmanTable huffman(int tc, int slot, boolean progressive) {
        if (slot >= 4 || (progressive && !defined[tc][slot])) {
            return null;
        }
        if (invalid[tc][slot] != null) {
            throw new ImageDecodeException(invalid[tc][slot]);
        }
        HuffmanTable t = huffman[tc][slot];
        if (t != null && tc == 0) {
            for (int s : t.symbols) {
                if (s > 15) {
                    throw new ImageDecodeException("JPEG: corrupt Huffman table (DC symbol " + s + " > 15)");
                }
            }
        }
        return t;
    }

    /**
     * Stores a DAC segment's conditioning values, which {@link MarkerChecks#suspends} has validated as libjpeg's
     * {@code get_dac} does (index below 32; for DC tables L &lt;= U).
     *
     * @param d   file bytes
     * @param p   offset of the segment body
     * @param len body length (even)
     */
    void readArithConditioning(byte[] d, int p, int len) {
        for (int e = p + len; p + 1 < e; p += 2) {
            int index = d[p] & 0xFF;
            int val = d[p + 1] & 0xFF;
            if (index >= 16) {
                arithAcK[index - 16] = val;
            } else {
                arithDcL[index] = val & 15;
                arithDcU[index] = val >> 4;
            }
        }
    }

    /**
     * @param tbl the DC conditioning table, 0..15
     * @return its lower bound L: differences below 2^(L-1) in magnitude count as zero
     */
    int arithDcL(int tbl) {
        return arithDcL[tbl];
    }

    /**
     * @param tbl the DC conditioning table, 0..15
     * @return its upper bound U: differences above 2^(U-1) in magnitude count as large
     */
    int arithDcU(int tbl) {
        return arithDcU[tbl];
    }

    /**
     * @param tbl the AC conditioning table, 0..15
     * @return its Kx: coefficients up to this zig-zag index use the low-frequency magnitude statistics
     */
    int arithAcK(int tbl) {
        return arithAcK[tbl];
    }

    /** @return the quantization table of a slot 0..3, natural order, or null if no DQT defined it */
    int[] quant(int slot) {
        return quant[slot];
    }
}
