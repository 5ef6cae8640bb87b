package io.clip4j.image.jpeg;

import io.clip4j.image.ImageDecodeException;

/**
 * libjpeg's marker rules ({@code jdmarker.c} of 2.1): which markers it knows, which frame types it rejects on
 * sight, and its reading of a marker segment, in its order, up to where the file ends.
 * Used for DAC segments (validated before {@link Tables} stores them, in libjpeg's order) and for
 * every segment after a single-scan sequential image is complete: libjpeg suspends when the data runs out,
 * which Pillow accepts (every row is out), but a check that fails on the bytes that are there is still an error
 * (Pillow: "broken data stream").
 */
final class MarkerChecks {
    private MarkerChecks() {
    }

    /**
     * @param d      the file
     * @param marker the marker code
     * @param body   index of the first byte after the 2-byte length
     * @param segLen the declared length (including its own 2 bytes)
     * @param frame  the frame (for an SOS's component ids), or null before it
     * @param end    the end of the data libjpeg has been given (Pillow feeds the file in blocks)
     * @return true if libjpeg runs out of data inside the segment (it would suspend), false if it reads it whole
     * @throws ImageDecodeException where libjpeg would stop with an error before running out of data
     */
    static boolean suspends(byte[] d, int marker, int body, int segLen, Frame frame, int end) {
        int length = segLen - 2;
        switch (marker) {
            case 0xC4: // get_dht
                for (int p = body; length > 16; ) {
                    if (p + 17 > end) {
                        return true;
                    }
                    int index = d[p] & 0xFF;
                    int count = 0;
                    for (int i = 1; i <= 16; i++) {
                        count += d[p + i] & 0xFF;
                    }
                    p += 17;
                    length -= 17;
                    if (count > 256 || count > length) {
                        throw corrupt("DHT", "bad code counts");
                    }
                    if (p + count > end) {
                        return true;
                    }
                    p += count;
                    length -= count;
                    if ((index & 0x0F) > 3 || index > 0x1F) {
                        throw corrupt("DHT", "table index 0x" + Integer.toHexString(index));
                    }
                }
                return checkLength("DHT", length);
            case 0xCC: // get_dac
                for (int p = body; length > 0; p += 2, length -= 2) {
                    if (p + 2 > end) {
                        return true;
                    }
                    int index = d[p] & 0xFF;
                    int val = d[p + 1] & 0xFF;
                    if (index >= 32 || (index < 16 && (val & 15) > (val >> 4))) {
                        throw corrupt("DAC", "index " + index + ", value " + val);
                    }
                }
                return checkLength("DAC", length);
            case 0xDB: // get_dqt: every table is read whole (64 or 128 bytes), even past the segment's end
                for (int p = body; length > 0; ) {
                    if (p >= end) {
                        return true;
                    }
                    int n = d[p] & 0xFF;
                    if ((n & 15) > 3) {
                        throw corrupt("DQT", "table " + (n & 15));
                    }
                    int bytes = (n >> 4) != 0 ? 128 : 64;
                    if (p + 1 + bytes > end) {
                        return true;
                    }
                    p += 1 + bytes;
                    length -= 1 + bytes;
                }
                return checkLength("DQT", length);
            case 0xDA: // get_sos: length against the component count, then the ids
                if (body >= end) {
                    return true;
                }
                int n = d[body] & 0xFF;
                if (segLen != n * 2 + 6 || n < 1 || n > 4) {
                    throw corrupt("SOS", n + " components, length " + segLen);
                }
                int whole = Math.min(n, (end - body - 1) / 2);
                if (frame != null && whole > 0) {
                    int[] ids = new int[whole];
                    for (int i = 0; i < whole; i++) {
                        ids[i] = d[body + 1 + 2 * i] & 0xFF;
                    }
                    frame.scanComponents(ids);
                }
                return body + length > end;
            case 0xDD: // get_dri
                if (segLen != 4) {
                    throw corrupt("DRI", "length " + segLen);
                }
                return body + length > end;
            default:
                if (marker >= 0xC0 && marker <= 0xCF && body + 6 <= end) {
                    throw new ImageDecodeException("JPEG: corrupt file (more than one SOF marker)");
                }
                // APPn, COM, DNL: skipped; an SOF cut before its header is complete: suspended.
                return body + length > end;
        }
    }

    /** libjpeg rejects the SOF types it cannot decode as soon as it sees the marker, before any length. */
    static void checkSupportedSof(int marker) {
        switch (marker) {
            case 0xC3:
                throw unsupported("lossless (SOF3)");
            case 0xC5:
            case 0xC6:
            case 0xC7:
                throw unsupported("hierarchical (SOF" + (marker - 0xC0) + ")");
            case 0xC8:
                throw unsupported("JPG extension (SOF8)");
            case 0xCB:
            case 0xCD:
            case 0xCE:
            case 0xCF:
                // libjpeg-turbo decodes only sequential and progressive arithmetic coding (SOF9, SOF10)
                throw unsupported("arithmetic-coded " + (marker == 0xCB ? "lossless" : "hierarchical") + " (SOF"
                        + (marker - 0xC0) + ")");
            default:
        }
    }

    /**
     * The markers libjpeg's {@code read_markers} handles (or rejects as unsupported) rather than as unknown:
     * SOFn, DHT, DAC, RSTn, SOI, EOI, SOS, DQT, DNL, DRI, APPn, COM, TEM.
     */
    static boolean known(int marker) {
        return (marker >= 0xC0 && marker <= 0xDD) || (marker >= 0xE0 && marker <= 0xEF) || marker == 0xFE
                || marker == 0x01;
    }

    static ImageDecodeException unsupported(String what) {
        return new ImageDecodeException("JPEG: unsupported " + what + " JPEG (only baseline, extended "
                + "sequential and progressive 8-bit JPEGs, Huffman- or arithmetic-coded, are supported)");
    }

    private static boolean checkLength(String marker, int length) {
        if (length != 0) {
            throw corrupt(marker, "bad length");
        }
        return false;
    }

    private static ImageDecodeException corrupt(String marker, String what) {
        return new ImageDecodeException("JPEG: corrupt " + marker + " marker (" + what + ")");
    }
}
