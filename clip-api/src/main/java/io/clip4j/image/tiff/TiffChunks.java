package io.clip4j.image.tiff;

import io.clip4j.image.ImageDecodeException;
import java.util.Arrays;

/**
 * Reads every strip or tile, decompresses it and places its rows in an image-sized buffer of stored
 * samples (one image-sized plane per sample when the file is planar), cropping tiles at the edges.
 */
final class TiffChunks {
    private TiffChunks() {
    }

    /**
     * @param file the whole file
     * @param l    the validated layout
     * @return {@code planes * height * rowBytes} stored bytes, rows padded to whole bytes
     * @throws ImageDecodeException when a chunk lies outside the file or its data is corrupt
     */
    static byte[] read(byte[] file, TiffLayout l) {
        l.checkChunks(file.length);
        int rowBytes = l.rowBytes();
        int chunkRowBytes = l.chunkRowBytes();
        byte[] image = new byte[l.planes() * l.height * rowBytes];
        byte[] chunk = new byte[chunkRowBytes * l.chunkHeight];
        int index = 0;
        for (int plane = 0; plane < l.planes(); plane++) {
            for (int cy = 0; cy < l.down; cy++) {
                for (int cx = 0; cx < l.across; cx++, index++) {
                    int y0 = cy * l.chunkHeight;
                    int rows = Math.min(l.chunkHeight, l.height - y0);
                    // libtiff decodes whole tiles but only the image's rows of the last strip.
                    int decodedBytes = (l.tiled ? l.chunkHeight : rows) * chunkRowBytes;
                    decodeChunk(file, l, index, rows * chunkRowBytes, chunk, decodedBytes);
                    int xByte = (int) ((long) cx * l.chunkWidth * l.chunkSamples() * l.bits / 8);
                    int len = Math.min(chunkRowBytes, rowBytes - xByte);
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(chunk, r * chunkRowBytes, image,
                                (plane * l.height + y0 + r) * rowBytes + xByte, len);
                    }
                }
            }
        }
        return image;
    }

    private static void decodeChunk(byte[] file, TiffLayout l, int index, int rawNeeded, byte[] chunk, int size) {
        long off = l.offsets[index];
        // Pillow reads uncompressed rows itself, from the offset on, whatever StripByteCounts says.
        long count = l.compression == TiffLayout.COMPRESSION_NONE ? rawNeeded : l.byteCounts[index]; // checked
        byte[] src = file;
        int start = (int) off;
        if (l.reverseBits) {
            src = Arrays.copyOfRange(file, start, start + (int) count);
            start = 0;
            TiffCodecs.reverseBits(src, 0, src.length);
        }
        byte[] out = size == chunk.length ? chunk : new byte[size];
        TiffCodecs.decode(l.compression, src, start, (int) count, out);
        if (l.predictor) {
            TiffCodecs.undoPredictor(out, l.chunkRowBytes(), l.chunkSamples());
        }
        if (out != chunk) {
            System.arraycopy(out, 0, chunk, 0, size);
        }
    }
}
