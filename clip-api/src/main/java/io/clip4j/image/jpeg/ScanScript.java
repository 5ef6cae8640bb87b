package io.clip4j.image.jpeg;

import java.util.Arrays;

/**
 * Reads a JPEG's marker structure and scan headers without decoding any data, to tell whether it is plain: laid
 * out as an encoder writes it, so that any build of libjpeg-turbo decodes it as Pillow 9.4's does. Not plain: a
 * scan whose data runs into a marker libjpeg does not expect there (damage that wrote FF xx), restart markers out
 * of sequence, no EOI after the last scan, a progressive file whose scans leave one of the first nine AC
 * coefficients of a component not fully refined (libjpeg then block-smooths, and later versions smooth the
 * edges differently; {@link BlockSmoothing}), or an arithmetic-coded frame (SOF9 to SOF15: a libjpeg build may
 * lack arithmetic decoding, and Pillow's fails on such data that crosses one of its 64 KiB read blocks). Bit
 * errors inside the data keep a file plain.
 */
final class ScanScript {
    private ScanScript() {
    }

    /** @return true if {@code d} is a plain JPEG (see the class comment); false otherwise or if malformed */
    static boolean isPlain(byte[] d) {
        if (d == null || d.length < 4 || d[0] != (byte) 0xFF || d[1] != (byte) 0xD8) {
            return false;
        }
        int[] ids = null;
        int[][] bits = null;
        boolean scanned = false;
        int p = 2;
        while (true) {
            int m = nextMarker(d, p);
            if (m < 0) {
                return false; // no EOI
            }
            int code = d[m + 1] & 0xFF;
            if (code == 0xD9) {
                return scanned && (bits == null || !incomplete(bits));
            }
            if (scanned ? !betweenScans(code) : code == 0x01 || (code >= 0xD0 && code <= 0xD8)) {
                return false;
            }
            if (code >= 0xC9 && code <= 0xCF && code != 0xCC) {
                return false; // arithmetic-coded frame
            }
            if (m + 4 > d.length) {
                return false;
            }
            int len = ((d[m + 2] & 0xFF) << 8) | (d[m + 3] & 0xFF);
            int body = m + 4;
            if (len < 2 || body + len - 2 > d.length) {
                return false;
            }
            if (code == 0xC2 && len >= 8) {
                int n = d[body + 5] & 0xFF;
                ids = new int[n];
                bits = new int[n][10];
                for (int i = 0; i < n && body + 6 + 3 * i < d.length; i++) {
                    ids[i] = d[body + 6 + 3 * i] & 0xFF;
                    Arrays.fill(bits[i], -1);
                }
            }
            p = body + len - 2;
            if (code == 0xDA) {
                if (bits != null && !recordScan(d, body, len, ids, bits)) {
                    return false;
                }
                p = endOfScanData(d, p);
                if (p < 0) {
                    return false;
                }
                scanned = true;
            }
        }
    }

    /** The segments an encoder writes between scans, which libjpeg reads without complaint. */
    private static boolean betweenScans(int code) {
        return code == 0xC4 || code == 0xDB || code == 0xDD || code == 0xDA || code == 0xDC || code == 0xFE
                || (code >= 0xE0 && code <= 0xEF);
    }

    /** @return the index of the next marker's FF at or after p (skipping fill bytes), or -1 */
    private static int nextMarker(byte[] d, int p) {
        for (; p + 1 < d.length; p++) {
            if (d[p] == (byte) 0xFF && d[p + 1] != 0 && d[p + 1] != (byte) 0xFF) {
                return p;
            }
        }
        return -1;
    }

    /** @return where the scan data starting at p ends (the FF of the next non-RST marker), or -1 if malformed */
    private static int endOfScanData(byte[] d, int p) {
        int expected = 0;
        while (true) {
            int m = nextMarker(d, p);
            if (m < 0) {
                return -1;
            }
            int code = d[m + 1] & 0xFF;
            if (code < 0xD0 || code > 0xD7) {
                return m;
            }
            if (code - 0xD0 != expected) {
                return -1; // restart markers out of sequence: libjpeg resynchronises
            }
            expected = (expected + 1) & 7;
            p = m + 2;
        }
    }

    /** libjpeg's coef_bits: each scan sets its band to its Al. @return false if the SOS is malformed */
    private static boolean recordScan(byte[] d, int body, int len, int[] ids, int[][] bits) {
        int n = d[body] & 0xFF;
        if (len != 6 + 2 * n) {
            return false;
        }
        int ss = d[body + 1 + 2 * n] & 0xFF;
        int se = d[body + 2 + 2 * n] & 0xFF;
        int al = d[body + 3 + 2 * n] & 15;
        for (int i = 0; i < n; i++) {
            int id = d[body + 1 + 2 * i] & 0xFF;
            for (int ci = 0; ci < ids.length; ci++) {
                if (ids[ci] == id) {
                    BlockSmoothing.recordScan(bits[ci], ss, se, al);
                    break;
                }
            }
        }
        return true;
    }

    /** smoothing_ok's test (every component's DC known, some AC 1..9 not fully refined). */
    private static boolean incomplete(int[][] bits) {
        boolean incomplete = false;
        for (int[] b : bits) {
            if (b[0] < 0) {
                return false;
            }
            incomplete |= BlockSmoothing.acIncomplete(b);
        }
        return incomplete;
    }
}
