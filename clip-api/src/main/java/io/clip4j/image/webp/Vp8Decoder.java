package io.clip4j.image.webp;

import io.clip4j.image.ImageDecodeException;

import java.util.Arrays;

/**
 * Decodes a lossy WebP image: the VP8 key frame in a 'VP8 ' chunk (RFC 6386), to the Y, U and V planes
 * libwebp 1.2.4 produces.
 *
 * <p>Macroblock rows are decoded like libwebp's {@code ParseFrame}: the row's modes from the first
 * partition, then each macroblock's tokens from its row's token partition, reconstructed in a work buffer
 * (prediction plus inverse transforms; the edges are the unfiltered samples of the neighbours), copied to
 * macroblock-aligned planes, and the row is loop-filtered once complete. Any partition read past its end
 * fails the decode, as in libwebp. The planes are cropped to the picture size at the end.
 */
final class Vp8Decoder {
    private static final int BPS = IntraPredictor.BPS;
    /** Work buffer layout: luma with one row above and 4 columns right, then chroma U and V side by side. */
    private static final int Y_OFF = BPS + 8;
    private static final int U_OFF = 18 * BPS + 8;
    private static final int V_OFF = U_OFF + 16;

    private final int mbWidth;
    private final int mbHeight;
    private final byte[] planeY;
    private final byte[] planeU;
    private final byte[] planeV;
    private final int yStride;
    private final int uvStride;
    private final byte[] work = new byte[26 * BPS];
    /** Unfiltered bottom rows of the previous macroblock row (read) and of the current one (written). */
    private byte[] topY;
    private byte[] topU;
    private byte[] topV;
    private byte[] nextTopY;
    private byte[] nextTopU;
    private byte[] nextTopV;
    private final InverseTransform transform = new InverseTransform();

    private Vp8Decoder(int width, int height) {
        mbWidth = (width + 15) >> 4;
        mbHeight = (height + 15) >> 4;
        yStride = mbWidth * 16;
        uvStride = mbWidth * 8;
        planeY = new byte[yStride * mbHeight * 16];
        planeU = new byte[uvStride * mbHeight * 8];
        planeV = new byte[uvStride * mbHeight * 8];
        topY = new byte[yStride];
        topU = new byte[uvStride];
        topV = new byte[uvStride];
        nextTopY = new byte[yStride];
        nextTopU = new byte[uvStride];
        nextTopV = new byte[uvStride];
    }

    /**
     * Decodes the payload of a 'VP8 ' chunk.
     *
     * <p>libwebp gives its decoder everything from the payload start to the end of the frame data it was
     * handed; through Pillow's demuxer that is the chunk payload including its padding byte, which only
     * matters when damaged data is read past its end.
     *
     * @param data      buffer holding the payload
     * @param offset    start of the payload (the 3-byte frame tag)
     * @param length    bytes available from {@code offset}
     * @param maxPixels largest accepted {@code width * height}, checked before any plane is allocated
     * @return the Y, U and V planes, cropped to the picture size
     * @throws ImageDecodeException ("WebP: ...") on a frame libwebp rejects: not a key frame, bad start code,
     *                              partition sizes past the data, data ending before the last macroblock, or
     *                              more pixels than {@code maxPixels}
     */
    static Vp8Frame decode(byte[] data, int offset, int length, long maxPixels) {
        if (offset < 0 || length < 0 || offset > data.length - length) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " outside " + data.length);
        }
        FrameHeader header = new FrameHeader(data, offset, length, maxPixels);
        Vp8Decoder dec = new Vp8Decoder(header.width, header.height);
        dec.decodeMacroblocks(header);
        return dec.crop(header.width, header.height);
    }

    private void decodeMacroblocks(FrameHeader header) {
        IntraModeParser modes = new IntraModeParser(header, mbWidth);
        ResidualDecoder residuals = new ResidualDecoder(header, mbWidth);
        LoopFilter filter = new LoopFilter(header);
        boolean[] inner = new boolean[mbWidth];
        BoolDecoder[] parts = header.tokens;
        for (int mby = 0; mby < mbHeight; mby++) {
            BoolDecoder tokens = parts[mby & (parts.length - 1)];
            modes.parseRow(header.modes);
            if (header.modes.eof()) {
                throw FrameHeader.error("Premature end-of-partition0 encountered");
            }
            residuals.startRow();
            for (int mbx = 0; mbx < mbWidth; mbx++) {
                boolean i4 = modes.isI4x4[mbx];
                boolean noCoefficients;
                if (modes.skip[mbx]) {
                    residuals.skip(mbx, i4);
                    noCoefficients = true;
                } else {
                    noCoefficients = residuals.parse(tokens, mbx, modes.segment[mbx], i4);
                }
                if (tokens.eof()) {
                    throw FrameHeader.error("Premature end-of-file encountered");
                }
                inner[mbx] = i4 || !noCoefficients;
                reconstruct(modes, residuals, mbx, mby);
            }
            if (filter.type != 0) {
                for (int mbx = 0; mbx < mbWidth; mbx++) {
                    filter.filter(planeY, planeU, planeV, yStride, uvStride, mbx, mby, modes.segment[mbx],
                            modes.isI4x4[mbx], inner[mbx]);
                }
            }
            byte[] t = topY;
            topY = nextTopY;
            nextTopY = t;
            t = topU;
            topU = nextTopU;
            nextTopU = t;
            t = topV;
            topV = nextTopV;
            nextTopV = t;
        }
    }

    /** Fills the work buffer's edges, predicts, adds the residuals and stores the macroblock. */
    private void reconstruct(IntraModeParser modes, ResidualDecoder residuals, int mbx, int mby) {
        byte[] b = work;
        boolean hasTop = mby > 0;
        boolean hasLeft = mbx > 0;
        if (!hasLeft) {
            for (int j = 0; j < 16; j++) {
                b[Y_OFF - 1 + j * BPS] = (byte) 129;
            }
            for (int j = 0; j < 8; j++) {
                b[U_OFF - 1 + j * BPS] = (byte) 129;
                b[V_OFF - 1 + j * BPS] = (byte) 129;
            }
        } else {
            // The left neighbour's unfiltered right column, still in the work buffer.
            for (int j = 0; j < 16; j++) {
                b[Y_OFF - 1 + j * BPS] = b[Y_OFF + 15 + j * BPS];
            }
            for (int j = 0; j < 8; j++) {
                b[U_OFF - 1 + j * BPS] = b[U_OFF + 7 + j * BPS];
                b[V_OFF - 1 + j * BPS] = b[V_OFF + 7 + j * BPS];
            }
        }
        if (!hasTop) {
            Arrays.fill(b, Y_OFF - BPS - 1, Y_OFF - BPS + 20, (byte) 127);
            Arrays.fill(b, U_OFF - BPS - 1, U_OFF - BPS + 8, (byte) 127);
            Arrays.fill(b, V_OFF - BPS - 1, V_OFF - BPS + 8, (byte) 127);
        } else {
            System.arraycopy(topY, mbx * 16, b, Y_OFF - BPS, 16);
            System.arraycopy(topU, mbx * 8, b, U_OFF - BPS, 8);
            System.arraycopy(topV, mbx * 8, b, V_OFF - BPS, 8);
            b[Y_OFF - BPS - 1] = hasLeft ? topY[mbx * 16 - 1] : (byte) 129;
            b[U_OFF - BPS - 1] = hasLeft ? topU[mbx * 8 - 1] : (byte) 129;
            b[V_OFF - BPS - 1] = hasLeft ? topV[mbx * 8 - 1] : (byte) 129;
            if (mbx < mbWidth - 1) {
                System.arraycopy(topY, mbx * 16 + 16, b, Y_OFF - BPS + 16, 4);
            } else {
                // Rightmost macroblock: the last sample above is repeated as the above-right samples.
                Arrays.fill(b, Y_OFF - BPS + 16, Y_OFF - BPS + 20, topY[mbx * 16 + 15]);
            }
        }

        short[] coeffs = residuals.coeffs;
        int[] codes = residuals.blockCodes;
        if (modes.isI4x4[mbx]) {
            // Subblocks on the right edge below the first row see the macroblock's above-right samples.
            for (int r = 3; r < 16; r += 4) {
                System.arraycopy(b, Y_OFF - BPS + 16, b, Y_OFF + r * BPS + 16, 4);
            }
            for (int n = 0; n < 16; n++) {
                int off = Y_OFF + (n >> 2) * 4 * BPS + (n & 3) * 4;
                IntraPredictor.luma4(modes.lumaModes[mbx * 16 + n], b, off);
                addResidual(codes[n], coeffs, n * 16, b, off);
            }
        } else {
            IntraPredictor.luma16(modes.lumaModes[mbx * 16], b, Y_OFF, hasTop, hasLeft);
            for (int n = 0; n < 16; n++) {
                addResidual(codes[n], coeffs, n * 16, b, Y_OFF + (n >> 2) * 4 * BPS + (n & 3) * 4);
            }
        }
        int uvMode = modes.chromaMode[mbx];
        IntraPredictor.chroma8(uvMode, b, U_OFF, hasTop, hasLeft);
        IntraPredictor.chroma8(uvMode, b, V_OFF, hasTop, hasLeft);
        addChromaResidual(codes, coeffs, 16, b, U_OFF);
        addChromaResidual(codes, coeffs, 20, b, V_OFF);

        int yDst = mby * 16 * yStride + mbx * 16;
        for (int j = 0; j < 16; j++) {
            System.arraycopy(b, Y_OFF + j * BPS, planeY, yDst + j * yStride, 16);
        }
        int uvDst = mby * 8 * uvStride + mbx * 8;
        for (int j = 0; j < 8; j++) {
            System.arraycopy(b, U_OFF + j * BPS, planeU, uvDst + j * uvStride, 8);
            System.arraycopy(b, V_OFF + j * BPS, planeV, uvDst + j * uvStride, 8);
        }
        System.arraycopy(b, Y_OFF + 15 * BPS, nextTopY, mbx * 16, 16);
        System.arraycopy(b, U_OFF + 7 * BPS, nextTopU, mbx * 8, 8);
        System.arraycopy(b, V_OFF + 7 * BPS, nextTopV, mbx * 8, 8);
    }

    /** Adds one luma block's residual with the transform variant libwebp picks from its code. */
    private void addResidual(int code, short[] coeffs, int inOff, byte[] b, int off) {
        if (code == 3) {
            transform.idct(coeffs, inOff, b, off, BPS);
        } else if (code == 2) {
            transform.idctAc3(coeffs, inOff, b, off, BPS);
        } else if (code == 1) {
            transform.idctDc(coeffs, inOff, b, off, BPS);
        }
    }

    /**
     * Adds the residual of one 8x8 chroma block: the full transform on all four 4x4 blocks if any has an AC
     * coefficient, else the DC-only one where the DC is not zero (libwebp's {@code DoUVTransform}).
     */
    private void addChromaResidual(int[] codes, short[] coeffs, int firstBlock, byte[] b, int off) {
        boolean any = false;
        boolean anyAc = false;
        for (int n = 0; n < 4; n++) {
            any |= codes[firstBlock + n] != 0;
            anyAc |= codes[firstBlock + n] >= 2;
        }
        if (!any) {
            return; // also when skipped: the coefficient buffer then still holds another macroblock's
        }
        for (int n = 0; n < 4; n++) {
            int inOff = (firstBlock + n) * 16;
            int dst = off + (n >> 1) * 4 * BPS + (n & 1) * 4;
            if (anyAc) {
                transform.idct(coeffs, inOff, b, dst, BPS);
            } else if (coeffs[inOff] != 0) {
                transform.idctDc(coeffs, inOff, b, dst, BPS);
            }
        }
    }

    private Vp8Frame crop(int width, int height) {
        byte[] y = new byte[width * height];
        for (int j = 0; j < height; j++) {
            System.arraycopy(planeY, j * yStride, y, j * width, width);
        }
        int cw = (width + 1) >> 1;
        int ch = (height + 1) >> 1;
        byte[] u = new byte[cw * ch];
        byte[] v = new byte[cw * ch];
        for (int j = 0; j < ch; j++) {
            System.arraycopy(planeU, j * uvStride, u, j * cw, cw);
            System.arraycopy(planeV, j * uvStride, v, j * cw, cw);
        }
        return new Vp8Frame(width, height, y, u, v);
    }
}
