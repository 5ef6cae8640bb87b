package io.clip4j.image.webp;

import io.clip4j.image.ImageDecodeException;

/**
 * libwebp's {@code WebPGetFeatures} on a whole file ({@code ParseHeadersInternal} without headers, webp_dec.c).
 * {@code WebPAnimDecoderNew} refuses a file it fails on before demuxing, and Pillow takes the mode from its
 * {@code has_alpha}: RGBA when set, else RGB. It is stricter than the demuxer in places (a 'VP8X' chunk must be
 * exactly 10 bytes) and decides alpha differently: the 'VP8X' flag, overridden by a 'VP8L' header's alpha bit, or
 * any 'ALPH' chunk before the image of a still image; for an animation only the flag counts.
 */
final class FileFeatures {
    private static final long MAX_CHUNK_PAYLOAD = 0xFFFFFFFFL - 8 - 1;
    private static final int FLAG_ANIMATION = 0x02;
    private static final int FLAG_ALPHA = 0x10;

    private FileFeatures() {
    }

    private static ImageDecodeException rejected(String why) {
        return new ImageDecodeException("WebP: corrupt file (" + why + ")");
    }

    private static long u32(byte[] d, int p) {
        return (d[p] & 0xFFL) | (d[p + 1] & 0xFFL) << 8 | (d[p + 2] & 0xFFL) << 16 | (d[p + 3] & 0xFFL) << 24;
    }

    private static boolean isTag(byte[] d, int p, String t) {
        return d[p] == t.charAt(0) && d[p + 1] == t.charAt(1) && d[p + 2] == t.charAt(2) && d[p + 3] == t.charAt(3);
    }

    /**
     * @param d a file that starts with a RIFF/WEBP header of at least 20 bytes
     * @return {@code has_alpha}
     * @throws ImageDecodeException where {@code WebPGetFeatures} fails
     */
    static boolean hasAlpha(byte[] d) {
        long riffSize = u32(d, 4);
        if (riffSize < 12 || riffSize > MAX_CHUNK_PAYLOAD) {
            throw rejected("RIFF size " + riffSize);
        }
        int p = 12;
        boolean vp8x = isTag(d, p, "VP8X");
        boolean flag = false;
        boolean sawAlph = false;
        if (vp8x) {
            if (u32(d, p + 4) != 10) {
                throw rejected("'VP8X' chunk of " + u32(d, p + 4) + " bytes, not 10");
            }
            if (d.length < p + 18) {
                return false; // cannot happen after the demuxer's checks; libwebp reports missing data here
            }
            int flags = d[p + 8] & 0xFF;
            long w = 1 + ((d[p + 12] & 0xFF) | (d[p + 13] & 0xFF) << 8 | (d[p + 14] & 0xFF) << 16);
            long h = 1 + ((d[p + 15] & 0xFF) | (d[p + 16] & 0xFF) << 8 | (d[p + 17] & 0xFF) << 16);
            if (w * h >= (1L << 32)) {
                throw rejected("canvas " + w + "x" + h + " too large");
            }
            flag = (flags & FLAG_ALPHA) != 0;
            if ((flags & FLAG_ANIMATION) != 0) {
                return flag;
            }
            p += 18;
            // ParseOptionalChunks: skip to the image chunk, noting any 'ALPH'; running out of data is fine here.
            long total = 22;
            while (true) {
                if (d.length - p < 8) {
                    return flag || sawAlph;
                }
                long size = u32(d, p + 4);
                if (size > MAX_CHUNK_PAYLOAD) {
                    throw rejected("chunk of " + size + " bytes");
                }
                long disk = (8 + size + 1) & ~1L;
                total = (total + disk) & 0xFFFFFFFFL; // libwebp sums in 32 bits
                if (total > riffSize) {
                    throw rejected("chunks larger than the RIFF size");
                }
                if (isTag(d, p, "VP8 ") || isTag(d, p, "VP8L")) {
                    break;
                }
                if (d.length - p < disk) {
                    return flag || sawAlph;
                }
                if (isTag(d, p, "ALPH")) {
                    sawAlph = true;
                }
                p += (int) disk;
            }
        }
        return imageChunk(d, p, riffSize, vp8x, flag, sawAlph);
    }

    /**
     * ParseVP8Header and the VP8GetInfo / VP8LGetInfo checks on the image chunk at {@code p}: a VP8L header's alpha
     * bit replaces the VP8X flag; an 'ALPH' chunk seen before counts either way.
     */
    private static boolean imageChunk(byte[] d, int p, long riffSize, boolean vp8x, boolean flag, boolean sawAlph) {
        boolean alpha = flag || sawAlph;
        if (d.length - p < 8) {
            if (vp8x) {
                return alpha;
            }
            throw rejected("no image chunk");
        }
        boolean lossless = isTag(d, p, "VP8L");
        if (!lossless && !isTag(d, p, "VP8 ")) {
            throw rejected("no 'VP8 ' or 'VP8L' chunk where the image should start");
        }
        long size = u32(d, p + 4);
        if (size > riffSize - 12) {
            throw rejected("image chunk larger than the RIFF size");
        }
        int payload = p + 8;
        long available = d.length - payload;
        if (available < (lossless ? 5 : 10)) {
            if (vp8x) {
                return alpha;
            }
            throw rejected("image chunk too short");
        }
        ImageFeatures f = ImageFeatures.read(d, payload, available, size, lossless);
        if (f == null) {
            throw rejected("bad '" + (lossless ? "VP8L" : "VP8 ") + "' bitstream header");
        }
        if (vp8x) {
            long cw = 1 + ((d[24] & 0xFF) | (d[25] & 0xFF) << 8 | (d[26] & 0xFF) << 16);
            long ch = 1 + ((d[27] & 0xFF) | (d[28] & 0xFF) << 8 | (d[29] & 0xFF) << 16);
            if (cw != f.width() || ch != f.height()) {
                throw rejected("image " + f.width() + "x" + f.height() + " differs from the canvas " + cw + "x" + ch);
            }
        }
        return lossless ? f.alpha() || sawAlph : alpha;
    }
}
