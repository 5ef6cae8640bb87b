package io.clip4j.image.webp;

import io.clip4j.image.Exif;
import io.clip4j.image.ImageDecodeException;

import java.util.ArrayList;
import java.util.List;

/**
 * The RIFF structure of a WebP file, checked as libwebp 1.2.4's {@code WebPAnimDecoderNew} checks it, since Pillow
 * opens every WebP file through it: first {@link FileFeatures} ({@code WebPGetFeatures}), then the demuxer
 * ({@code WebPDemux}, demux.c): simple files (one 'VP8 ' or 'VP8L' chunk)
 * and extended ones ('VP8X' first: 'ALPH' + 'VP8 ', 'VP8L', or an animation of 'ANMF' frames after 'ANIM';
 * 'ICCP', 'EXIF', 'XMP ' and unknown chunks are skipped). A file shorter than its RIFF size is refused (Pillow does
 * not load partial WebP files); bytes after the RIFF chunk are ignored. Only what decoding the first frame needs
 * is kept.
 */
final class WebpContainer {
    private static final long MAX_CHUNK_PAYLOAD = 0xFFFFFFFFL - 8 - 1;
    private static final int FLAG_ANIMATION = 0x02;
    private static final int FLAG_XMP = 0x04;
    private static final int FLAG_EXIF = 0x08;
    private static final int FLAG_ALPHA = 0x10;
    private static final int FLAG_ICCP = 0x20;
    private static final int VALID_FLAGS = FLAG_ANIMATION | FLAG_XMP | FLAG_EXIF | FLAG_ALPHA | FLAG_ICCP;

    /**
     * One frame's image chunks (demux.c's Frame): offsets are of payloads; the alpha length is the 'ALPH' chunk's
     * declared size, the image length its padded size (what WebPDecode gives each decoder).
     */
    static final class Frame {
        int frameNumber;
        int xOffset;
        int yOffset;
        int width;
        int height;
        int alphaOffset = -1;
        long alphaLength;
        int imageOffset = -1;
        long imageLength;
        boolean lossless;
    }

    private final byte[] d;
    private long end;
    private int pos;
    private boolean extended;
    private int flags;
    private int canvasWidth = -1;
    private int canvasHeight = -1;
    private final List<Frame> frames = new ArrayList<>();
    private boolean alpha;
    private int exifOffset = -1;
    private int exifLength;

    private WebpContainer(byte[] d) {
        this.d = d;
    }

    /**
     * @param file the whole file
     * @return the parsed, validated structure
     * @throws ImageDecodeException where libwebp's demuxer fails: not RIFF/WEBP, a file shorter than its RIFF
     *                              size, chunk sizes past the RIFF end, a bad 'VP8X', 'ANIM' or 'ANMF' chunk, an
     *                              image chunk whose header libwebp rejects, frames outside the canvas, no frame
     */
    static WebpContainer parse(byte[] file) {
        WebpContainer c = new WebpContainer(file);
        c.parse();
        return c;
    }

    /** @return the canvas width (the image's width for a still image) */
    int canvasWidth() {
        return canvasWidth;
    }

    /** @return the canvas height */
    int canvasHeight() {
        return canvasHeight;
    }

    /** @return the first frame (the one Pillow shows) */
    Frame firstFrame() {
        return frames.get(0);
    }

    /** @return true when Pillow opens the file as RGBA (false: RGB), see {@link FileFeatures} */
    boolean hasAlpha() {
        return alpha;
    }

    /** @return the EXIF Orientation of the first 'EXIF' chunk (1 when there is none), as Pillow reads it */
    int exifOrientation() {
        return exifOffset < 0 ? 1 : Exif.orientation(d, exifOffset, exifLength);
    }

    private static ImageDecodeException corrupt(String why) {
        return new ImageDecodeException("WebP: corrupt file (" + why + ")");
    }

    private long remaining() {
        return end - pos;
    }

    private long u32(int p) {
        return (d[p] & 0xFFL) | (d[p + 1] & 0xFFL) << 8 | (d[p + 2] & 0xFFL) << 16 | (d[p + 3] & 0xFFL) << 24;
    }

    private int u24(int p) {
        return (d[p] & 0xFF) | (d[p + 1] & 0xFF) << 8 | (d[p + 2] & 0xFF) << 16;
    }

    private String tag(int p) {
        char[] t = new char[4];
        for (int i = 0; i < 4; i++) {
            int b = d[p + i] & 0xFF;
            t[i] = b >= 0x20 && b < 0x7F ? (char) b : '?';
        }
        return new String(t);
    }

    private boolean isTag(int p, String t) {
        return d[p] == t.charAt(0) && d[p + 1] == t.charAt(1) && d[p + 2] == t.charAt(2) && d[p + 3] == t.charAt(3);
    }

    /** demux.c ReadHeader, then the parser its first chunk selects, then the format's validity check. */
    private void parse() {
        if (d.length < 20) {
            throw new ImageDecodeException("WebP: file is truncated (" + d.length + " bytes, less than a header)");
        }
        if (!isTag(0, "RIFF") || !isTag(8, "WEBP")) {
            throw new ImageDecodeException("WebP: not a WebP file (no RIFF/WEBP header)");
        }
        long riffSize = u32(4);
        if (riffSize < 8 || riffSize > MAX_CHUNK_PAYLOAD) {
            throw corrupt("RIFF size " + riffSize);
        }
        end = riffSize + 8;
        if (d.length < end) {
            throw new ImageDecodeException("WebP: file is truncated (" + d.length + " bytes, the RIFF header says "
                    + end + ")");
        }
        alpha = FileFeatures.hasAlpha(d);
        pos = 12;
        if (isTag(pos, "VP8 ") || isTag(pos, "VP8L")) {
            parseSingleImage();
            checkSimple();
        } else if (isTag(pos, "VP8X")) {
            parseVp8x();
            checkExtended();
        } else {
            throw corrupt("the first chunk is '" + tag(pos) + "', not 'VP8 ', 'VP8L' or 'VP8X'");
        }
    }

    /** A chunk header must follow unless the RIFF chunk ends here (libwebp needs more data, which never comes). */
    private void expectChunkOrEnd() {
        if (pos != end && remaining() < 8) {
            throw corrupt(remaining() + " stray bytes at the end of the RIFF chunk");
        }
    }

    private void parseSingleImage() {
        if (!frames.isEmpty()) {
            throw corrupt("more than one image in a still image");
        }
        if (remaining() < 8) {
            throw corrupt("no room for an image chunk");
        }
        Frame f = new Frame();
        storeFrame(1, 0, f);
        if ((flags & FLAG_ALPHA) == 0 && f.alphaOffset >= 0) {
            f.alphaOffset = -1; // an 'ALPH' chunk without the VP8X alpha flag is ignored
        }
        if (!extended && f.width > 0 && f.height > 0) {
            canvasWidth = f.width;
            canvasHeight = f.height;
        }
        frames.add(f);
    }

    /**
     * @param start the chunk's header
     * @param size  its declared payload size
     * @return the size with the padding byte, checked to end inside the RIFF chunk
     */
    private long paddedSize(int start, long size) {
        long padded = size + (size & 1);
        if (size > MAX_CHUNK_PAYLOAD || padded > end - (start + 8)) {
            throw corrupt("chunk '" + tag(start) + "' of " + size + " bytes runs past the end of the file");
        }
        return padded;
    }

    /** demux.c StoreFrame: the 'ALPH' and image chunks of one frame, stopping at any other chunk. */
    private void storeFrame(int frameNumber, long minSize, Frame f) {
        if (remaining() < 8 || remaining() < minSize) {
            throw corrupt("a frame shorter than its header says");
        }
        int alphaChunks = 0;
        int imageChunks = 0;
        while (true) {
            int start = pos;
            long size = u32(pos + 4);
            long padded = paddedSize(start, size);
            boolean alph = isTag(start, "ALPH");
            boolean vp8l = isTag(start, "VP8L");
            boolean image = vp8l || isTag(start, "VP8 ");
            if (alph && alphaChunks == 0) {
                alphaChunks++;
                f.alphaOffset = start + 8;
                f.alphaLength = size;
                f.frameNumber = frameNumber;
            } else if (image && vp8l && alphaChunks > 0) {
                throw corrupt("an 'ALPH' chunk before a lossless image");
            } else if (image && imageChunks == 0) {
                ImageFeatures features = ImageFeatures.read(d, start + 8, padded, size, vp8l);
                if (features == null) {
                    throw corrupt("bad '" + tag(start) + "' bitstream header");
                }
                imageChunks++;
                f.imageOffset = start + 8;
                f.imageLength = padded; // libwebp's decoders see the padding byte too (the demuxer's chunk size)
                f.lossless = vp8l;
                f.width = features.width();
                f.height = features.height();
                f.frameNumber = frameNumber;
            } else {
                return; // another chunk ends the frame; the caller reads it
            }
            pos = start + 8 + (int) padded;
            if (pos == end) {
                return;
            }
            expectChunkOrEnd();
        }
    }

    private void parseVp8x() {
        extended = true;
        long size = u32(pos + 4);
        if (size > MAX_CHUNK_PAYLOAD || size < 10) {
            throw corrupt("'VP8X' chunk of " + size + " bytes");
        }
        long padded = size + (size & 1);
        if (padded > end - (pos + 8)) {
            throw corrupt("'VP8X' chunk runs past the end of the file");
        }
        int p = pos + 8;
        flags = d[p] & 0xFF;
        canvasWidth = 1 + u24(p + 4);
        canvasHeight = 1 + u24(p + 7);
        if ((long) canvasWidth * canvasHeight >= (1L << 32)) {
            throw corrupt("canvas " + canvasWidth + "x" + canvasHeight + " too large");
        }
        pos = p + (int) padded;
        if (remaining() < 8) {
            throw corrupt("no chunk after 'VP8X'");
        }
        parseVp8xChunks();
    }

    /** demux.c ParseVP8XChunks. */
    private void parseVp8xChunks() {
        boolean animation = (flags & FLAG_ANIMATION) != 0;
        int animChunks = 0;
        while (true) {
            int start = pos;
            long size = u32(pos + 4);
            long padded = paddedSize(start, size);
            pos = start + 8;
            if (isTag(start, "VP8X")) {
                throw corrupt("a second 'VP8X' chunk");
            } else if (isTag(start, "ALPH") || isTag(start, "VP8 ") || isTag(start, "VP8L")) {
                if (animChunks > 0 || animation) {
                    throw corrupt("an image chunk outside the frames of an animation");
                }
                pos = start;
                parseSingleImage();
            } else if (isTag(start, "ANIM")) {
                if (padded < 6) {
                    throw corrupt("'ANIM' chunk of " + size + " bytes");
                }
                animChunks++;
                pos += (int) padded;
            } else if (isTag(start, "ANMF")) {
                if (animChunks == 0) {
                    throw corrupt("an 'ANMF' frame before the 'ANIM' chunk");
                }
                parseAnimationFrame(padded, animation);
            } else {
                if (isTag(start, "EXIF") && (flags & FLAG_EXIF) != 0 && exifOffset < 0) {
                    exifOffset = pos; // Pillow reads the first stored 'EXIF' chunk
                    exifLength = (int) size;
                }
                pos += (int) padded;
            }
            if (pos == end) {
                return;
            }
            expectChunkOrEnd();
        }
    }

    /** demux.c ParseAnimationFrame: the frame header, then its image chunks (kept only in an animation). */
    private void parseAnimationFrame(long frameChunkSize, boolean animation) {
        if (16 > end - pos || frameChunkSize < 16) {
            throw corrupt("'ANMF' chunk of " + frameChunkSize + " bytes");
        }
        Frame f = new Frame();
        f.xOffset = 2 * u24(pos);
        f.yOffset = 2 * u24(pos + 3);
        int declaredWidth = 1 + u24(pos + 6);
        int declaredHeight = 1 + u24(pos + 9);
        if ((long) declaredWidth * declaredHeight >= (1L << 32)) {
            throw corrupt("frame " + declaredWidth + "x" + declaredHeight + " too large");
        }
        pos += 16;
        int framePayload = pos;
        storeFrame(frames.size() + 1, frameChunkSize - 16, f);
        if (pos - framePayload > frameChunkSize - 16) {
            throw corrupt("the image chunks of an 'ANMF' frame run past its end");
        }
        if (animation && f.frameNumber > 0) {
            if (!frames.isEmpty() && frames.get(frames.size() - 1).imageOffset < 0) {
                throw corrupt("a frame after an incomplete frame");
            }
            frames.add(f);
        }
    }

    /** demux.c IsValidSimpleFormat. */
    private void checkSimple() {
        if (canvasWidth <= 0 || canvasHeight <= 0 || frames.isEmpty() || frames.get(0).width <= 0) {
            throw corrupt("no image");
        }
    }

    /** demux.c IsValidExtendedFormat. */
    private void checkExtended() {
        boolean animation = (flags & FLAG_ANIMATION) != 0;
        if (frames.isEmpty()) {
            throw corrupt(animation ? "an animation without frames" : "no image chunk");
        }
        if ((flags & ~VALID_FLAGS) != 0) {
            throw corrupt(String.format("reserved 'VP8X' flags set (0x%02X)", flags));
        }
        for (Frame f : frames) {
            if (f.imageOffset < 0) {
                throw corrupt("frame " + f.frameNumber + " has no image chunk");
            }
            if (f.alphaOffset >= 0 && f.alphaOffset > f.imageOffset) {
                throw corrupt("'ALPH' after the image chunk");
            }
            boolean inside = animation
                    ? f.xOffset + (long) f.width <= canvasWidth && f.yOffset + (long) f.height <= canvasHeight
                    : f.xOffset == 0 && f.yOffset == 0 && f.width == canvasWidth && f.height == canvasHeight;
            if (!inside) {
                throw corrupt("frame " + f.frameNumber + " (" + f.width + "x" + f.height + " at " + f.xOffset + ","
                        + f.yOffset + ") does not fit the " + canvasWidth + "x" + canvasHeight + " canvas");
            }
        }
    }
}
