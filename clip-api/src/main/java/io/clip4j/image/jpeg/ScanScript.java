package io.clip4j.image.jpeg;

import java.util.Arrays;

/**
 * Reads a JPEG's scan headers without decoding any data, to tell whether libjpeg will block-smooth the image:
 * a progressive file whose scans leave one of the first nine AC coefficients of some component not fully
 * refined ({@link BlockSmoothing}). Other decoders (OpenCV's newer libjpeg-turbo) smooth such files slightly
 * differently at the edges, so these are left to the pure-Java decoder.
 */
final class ScanScript {
    private ScanScript() {
    }

    /** @return true if {@code d} is a progressive JPEG that libjpeg-turbo 2.1 would smooth; false otherwise or if malformed */
    static boolean leavesCoefficientsIncomplete(byte[] d) {
        if (d == null || d.length < 4 || d[0] != (byte) 0xFF || d[1] != (byte) 0xD8) {
            return false;
        }
        int[] ids = null;
        int[][] bits = null;
        int p = 2;
        while (p + 4 <= d.length) {
            if (d[p] != (byte) 0xFF) {
                p++; // extraneous byte
                continue;
            }
            int m = d[p + 1] & 0xFF;
            if (m == 0xFF || m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
                p += m == 0xFF ? 1 : 2; // fill byte, stuffed zero, TEM or RSTn inside or between scans
                continue;
            }
            if (m == 0xD9) {
                break;
            }
            int len = ((d[p + 2] & 0xFF) << 8) | (d[p + 3] & 0xFF);
            int body = p + 4;
            if (len < 2 || body + len - 2 > d.length) {
                break;
            }
            if (m == 0xC2 && len >= 8) {
                int n = d[body + 5] & 0xFF;
                if (n < 1 || n > 4 || len < 8 + 3 * n) {
                    return false;
                }
                ids = new int[n];
                bits = new int[n][10];
                for (int i = 0; i < n; i++) {
                    ids[i] = d[body + 6 + 3 * i] & 0xFF;
                    Arrays.fill(bits[i], -1);
                }
            } else if ((m >= 0xC0 && m <= 0xCF) && m != 0xC4 && m != 0xC8 && m != 0xCC) {
                return false; // any other frame type: no progressive smoothing
            } else if (m == 0xDA && ids != null && len >= 6) {
                int n = d[body] & 0xFF;
                if (len != 6 + 2 * n) {
                    return false;
                }
                int ss = d[body + 1 + 2 * n] & 0xFF;
                int se = d[body + 2 + 2 * n] & 0xFF;
                int al = d[body + 3 + 2 * n] & 15;
                for (int i = 0; i < n; i++) {
                    int ci = indexOf(ids, d[body + 1 + 2 * i] & 0xFF);
                    for (int k = ss; ci >= 0 && k <= Math.min(se, 9); k++) {
                        bits[ci][k] = al;
                    }
                }
            }
            p = body + len - 2;
        }
        if (bits == null) {
            return false;
        }
        boolean incomplete = false;
        for (int[] b : bits) {
            if (b[0] < 0) {
                return false; // libjpeg does not smooth without every component's DC
            }
            for (int k = 1; k < 10; k++) {
                incomplete |= b[k] != 0;
            }
        }
        return incomplete;
    }

    private static int indexOf(int[] ids, int id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }
}
