package io.clip4j.image.tiff;

import io.clip4j.image.ImageDecodeException;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The strip/tile decompressors other than LZW (none, PackBits, Deflate) and the horizontal predictor,
 * each filling an output of exactly the chunk's size like libtiff's {@code TIFFReadEncodedStrip}.
 */
final class TiffCodecs {
    private TiffCodecs() {
    }

    /**
     * Decodes one strip or tile.
     *
     * @param compression the TIFF compression code (already validated)
     * @param in          the file
     * @param off         start of the chunk's data
     * @param len         its byte count
     * @param out         receives exactly {@code out.length} bytes
     * @throws ImageDecodeException on corrupt or short data
     */
    static void decode(int compression, byte[] in, int off, int len, byte[] out) {
        switch (compression) {
            case TiffLayout.COMPRESSION_LZW -> TiffLzw.decode(in, off, len, out);
            case TiffLayout.COMPRESSION_PACKBITS -> packBits(in, off, len, out);
            case TiffLayout.COMPRESSION_DEFLATE, TiffLayout.COMPRESSION_DEFLATE_OLD -> inflate(in, off, len, out);
            default -> System.arraycopy(in, off, out, 0, Math.min(len, out.length));
        }
    }

    /** PackBits as libtiff decodes it: runs that overflow the output are cut, short data is an error. */
    static void packBits(byte[] in, int off, int len, byte[] out) {
        int p = off;
        int end = off + len;
        int o = 0;
        while (p < end && o < out.length) {
            int n = in[p++];
            if (n < 0) {
                if (n == -128) {
                    continue; // no-op
                }
                if (p >= end) {
                    break;
                }
                int run = Math.min(1 - n, out.length - o);
                byte b = in[p++];
                for (int i = 0; i < run; i++) {
                    out[o++] = b;
                }
            } else {
                int run = Math.min(n + 1, out.length - o);
                if (end - p < run) {
                    break;
                }
                System.arraycopy(in, p, out, o, run);
                o += run;
                p += n + 1;
            }
        }
        if (o < out.length) {
            throw new ImageDecodeException("TIFF: PackBits data ends early (" + o + " of " + out.length + " bytes)");
        }
    }

    /** zlib stream (Deflate, codes 8 and 32946); data after the filled output is ignored, as libtiff does. */
    static void inflate(byte[] in, int off, int len, byte[] out) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(in, off, len);
            int o = 0;
            while (o < out.length) {
                int n = inflater.inflate(out, o, out.length - o);
                o += n;
                if (n == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
            }
            if (o < out.length) {
                throw new ImageDecodeException("TIFF: Deflate data ends early (" + o + " of " + out.length + " bytes)");
            }
        } catch (DataFormatException e) {
            throw new ImageDecodeException("TIFF: corrupt Deflate data (" + e.getMessage() + ")", e);
        } finally {
            inflater.end();
        }
    }

    /**
     * Undoes horizontal differencing (Predictor 2) on 8-bit samples, row by row.
     *
     * @param data     the decoded chunk
     * @param rowBytes bytes per chunk row
     * @param samples  samples per pixel in the chunk (the distance to the same sample of the previous pixel)
     */
    static void undoPredictor(byte[] data, int rowBytes, int samples) {
        for (int row = 0; row + rowBytes <= data.length; row += rowBytes) {
            for (int i = row + samples; i < row + rowBytes; i++) {
                data[i] += data[i - samples];
            }
        }
    }

    /**
     * Reverses the bit order of every byte (FillOrder 2).
     *
     * @param data the bytes, changed in place
     * @param off  first byte
     * @param len  number of bytes
     */
    static void reverseBits(byte[] data, int off, int len) {
        for (int i = off; i < off + len; i++) {
            data[i] = (byte) (Integer.reverse(data[i] & 0xFF) >>> 24);
        }
    }
}
