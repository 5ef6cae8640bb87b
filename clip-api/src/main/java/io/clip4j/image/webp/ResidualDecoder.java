package io.clip4j.image.webp;

import java.util.Arrays;

/**
 * Decodes the DCT/WHT tokens of one macroblock from its token partition and dequantizes them (RFC 6386
 * section 13), keeping the "has non-zero coefficients" contexts of the blocks above and to the left.
 *
 * <p>Coefficients are stored as 16-bit values like libwebp's {@code int16_t} buffers: a product that
 * does not fit wraps around exactly as it does there (only damaged streams get there).
 */
final class ResidualDecoder {
    private static final int[] ZIGZAG = {0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15};
    private static final int[] CAT3 = {173, 148, 140};
    private static final int[] CAT4 = {176, 155, 140, 135};
    private static final int[] CAT5 = {180, 157, 141, 134, 130};
    private static final int[] CAT6 = {254, 254, 243, 230, 196, 177, 153, 140, 133, 130, 129};
    private static final int[][] CATEGORIES = {CAT3, CAT4, CAT5, CAT6};

    private final int[] probas;
    private final Quantizer quantizer;
    /** Per luma/chroma column of the row above: whether its last block had non-zero coefficients. */
    private final byte[] aboveY;
    private final byte[] aboveU;
    private final byte[] aboveV;
    private final byte[] aboveDc;
    private final byte[] leftY = new byte[4];
    private final byte[] leftU = new byte[2];
    private final byte[] leftV = new byte[2];
    private int leftDc;

    /**
     * Dequantized coefficients of the current macroblock: 16 luma blocks, then 4 U and 4 V blocks, each 16
     * values in raster order.
     */
    final short[] coeffs = new short[384];
    /**
     * Per block (16 luma, then 4 U, 4 V): 0 all zero, 1 only the DC, 2 or more some AC coefficient (libwebp's
     * per-block code, which picks the inverse transform variant).
     */
    final int[] blockCodes = new int[24];
    private final short[] y2 = new short[16];
    private final InverseTransform transform = new InverseTransform();

    /**
     * @param header  the frame header (probabilities and quantizers)
     * @param mbWidth macroblocks per row
     */
    ResidualDecoder(FrameHeader header, int mbWidth) {
        probas = header.probabilities.probas;
        quantizer = header.quantizer;
        aboveY = new byte[mbWidth * 4];
        aboveU = new byte[mbWidth * 2];
        aboveV = new byte[mbWidth * 2];
        aboveDc = new byte[mbWidth];
    }

    /** Resets the left contexts at the start of a macroblock row. */
    void startRow() {
        Arrays.fill(leftY, (byte) 0);
        Arrays.fill(leftU, (byte) 0);
        Arrays.fill(leftV, (byte) 0);
        leftDc = 0;
    }

    /**
     * Marks a macroblock without coded coefficients (skip flag set): its blocks count as empty for the
     * neighbours' contexts, and so does its Y2 block unless it is coded with subblock modes (it has none).
     *
     * @param mbx    macroblock column
     * @param isI4x4 whether the macroblock uses subblock modes
     */
    void skip(int mbx, boolean isI4x4) {
        Arrays.fill(leftY, (byte) 0);
        Arrays.fill(leftU, (byte) 0);
        Arrays.fill(leftV, (byte) 0);
        Arrays.fill(aboveY, mbx * 4, mbx * 4 + 4, (byte) 0);
        Arrays.fill(aboveU, mbx * 2, mbx * 2 + 2, (byte) 0);
        Arrays.fill(aboveV, mbx * 2, mbx * 2 + 2, (byte) 0);
        if (!isI4x4) {
            leftDc = 0;
            aboveDc[mbx] = 0;
        }
        Arrays.fill(blockCodes, 0);
    }

    /**
     * Reads the coefficients of one macroblock into {@link #coeffs} and {@link #blockCodes}.
     *
     * @param br      the macroblock row's token partition
     * @param mbx     macroblock column
     * @param segment the macroblock's segment (selects the quantizer)
     * @param isI4x4  whether the macroblock uses subblock modes (no Y2 block)
     * @return whether all coefficients are zero (libwebp's {@code skip}: no inner-edge filtering then)
     */
    boolean parse(BoolDecoder br, int mbx, int segment, boolean isI4x4) {
        short[] out = coeffs;
        Arrays.fill(out, (short) 0);
        int first;
        int lumaType;
        boolean anyNonZero = false;
        if (!isI4x4) {
            short[] dc = y2;
            Arrays.fill(dc, (short) 0);
            int ctx = aboveDc[mbx] + leftDc;
            int nz = coefficients(br, 1, ctx, quantizer.y2[segment], 0, dc, 0);
            int flag = nz > 0 ? 1 : 0;
            aboveDc[mbx] = (byte) flag;
            leftDc = flag;
            transform.walsh(dc, out);
            first = 1;
            lumaType = 0;
        } else {
            first = 0;
            lumaType = 3;
        }
        int[] q = quantizer.y1[segment];
        for (int y = 0; y < 4; y++) {
            int l = leftY[y];
            for (int x = 0; x < 4; x++) {
                int ctx = l + aboveY[mbx * 4 + x];
                int block = y * 4 + x;
                int nz = coefficients(br, lumaType, ctx, q, first, out, block * 16);
                l = nz > first ? 1 : 0;
                aboveY[mbx * 4 + x] = (byte) l;
                int code = nz > 3 ? 3 : nz > 1 ? 2 : out[block * 16] != 0 ? 1 : 0;
                blockCodes[block] = code;
                anyNonZero |= code != 0;
            }
            leftY[y] = (byte) l;
        }
        int[] quv = quantizer.uv[segment];
        anyNonZero |= chroma(br, mbx, quv, aboveU, leftU, 16);
        anyNonZero |= chroma(br, mbx, quv, aboveV, leftV, 20);
        return !anyNonZero;
    }

    private boolean chroma(BoolDecoder br, int mbx, int[] q, byte[] above, byte[] left, int firstBlock) {
        boolean any = false;
        for (int y = 0; y < 2; y++) {
            int l = left[y];
            for (int x = 0; x < 2; x++) {
                int ctx = l + above[mbx * 2 + x];
                int block = firstBlock + y * 2 + x;
                int nz = coefficients(br, 2, ctx, q, 0, coeffs, block * 16);
                l = nz > 0 ? 1 : 0;
                above[mbx * 2 + x] = (byte) l;
                int code = nz > 3 ? 3 : nz > 1 ? 2 : coeffs[block * 16] != 0 ? 1 : 0;
                blockCodes[block] = code;
                any |= code != 0;
            }
            left[y] = (byte) l;
        }
        return any;
    }

    /**
     * Decodes the tokens of one block (section 13.2 to 13.3).
     *
     * @return the position after the last non-zero token (in zigzag order), {@code n} when there is none
     */
    private int coefficients(BoolDecoder br, int type, int ctx, int[] dq, int n, short[] out, int outOff) {
        int[] pr = probas;
        int p = CoefficientProbabilities.offset(type, CoefficientProbabilities.BAND[n], ctx);
        for (; n < 16; n++) {
            if (br.readBit(pr[p]) == 0) {
                return n; // end of block
            }
            while (br.readBit(pr[p + 1]) == 0) { // a zero token
                n++;
                if (n == 16) {
                    return 16;
                }
                p = CoefficientProbabilities.offset(type, CoefficientProbabilities.BAND[n], 0);
            }
            int v;
            int nextBand = CoefficientProbabilities.BAND[n + 1];
            if (br.readBit(pr[p + 2]) == 0) {
                v = 1;
                p = CoefficientProbabilities.offset(type, nextBand, 1);
            } else {
                v = largeValue(br, pr, p);
                p = CoefficientProbabilities.offset(type, nextBand, 2);
            }
            out[outOff + ZIGZAG[n]] = (short) (br.readSign(v) * dq[n > 0 ? 1 : 0]);
        }
        return 16;
    }

    /** Reads a token of magnitude two or more and its extra bits. */
    private static int largeValue(BoolDecoder br, int[] pr, int p) {
        if (br.readBit(pr[p + 3]) == 0) {
            if (br.readBit(pr[p + 4]) == 0) {
                return 2;
            }
            return 3 + br.readBit(pr[p + 5]);
        }
        if (br.readBit(pr[p + 6]) == 0) {
            if (br.readBit(pr[p + 7]) == 0) {
                return 5 + br.readBit(159); // category 1: 5..6
            }
            int v = 7 + 2 * br.readBit(165); // category 2: 7..10
            return v + br.readBit(145);
        }
        int bit1 = br.readBit(pr[p + 8]);
        int bit0 = br.readBit(pr[p + 9 + bit1]);
        int cat = 2 * bit1 + bit0;
        int v = 0;
        for (int prob : CATEGORIES[cat]) {
            v += v + br.readBit(prob);
        }
        return v + 3 + (8 << cat);
    }
}
