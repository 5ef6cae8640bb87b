package io.clip4j.image.jpeg;

import io.clip4j.image.DecodedImage;
import io.clip4j.image.ImageDecodeException;
import io.clip4j.image.ImageDecoder;

/**
 * Pure-Java JPEG decoder (no {@code javax.imageio}/{@code java.awt}, usable on Android) that
 * reproduces what Pillow 9.4 gets from libjpeg-turbo 2.1.5 with its default settings:
 * accurate integer IDCT ({@code JDCT_ISLOW} in the integer widths of libjpeg-turbo's x86-64 SIMD code), fancy
 * (triangle) upsampling of subsampled chroma (jdsample.c), libjpeg's fixed-point YCbCr-&gt;RGB
 * (jdcolor.c).
 *
 * <p>Supported: baseline, extended sequential and progressive JPEGs with 8-bit samples, Huffman- or
 * arithmetic-coded (SOF9, SOF10, with DAC conditioning; libjpeg-turbo's {@code jdarith.c}), 1, 3 or 4
 * components, any integral sampling factors 1..4, restart markers. Output modes
 * follow Pillow: 1 component -&gt; {@link io.clip4j.image.PixelMode#L}; 3 -&gt;
 * {@link io.clip4j.image.PixelMode#RGB} (YCbCr converted, or RGB copied when an Adobe marker with
 * transform 0 or component ids 'R','G','B' say so, libjpeg's rules); 4 -&gt;
 * {@link io.clip4j.image.PixelMode#CMYK}, YCCK converted to CMYK by libjpeg's formula and every
 * sample inverted as Pillow's {@code CMYK;I} raw mode does for Adobe files. The EXIF Orientation tag
 * (APP1, either byte order) is reported in {@link DecodedImage#exifOrientation()}; pixels are never
 * rotated.
 *
 * <p>Lossless and hierarchical JPEGs (Huffman- or arithmetic-coded) and 12-bit JPEGs are rejected as
 * unsupported, as libjpeg-turbo 2.1 rejects them. An arithmetic-coded scan is an error, as in Pillow, when
 * its decoding (restart markers included) needs a byte past what Pillow has read when the scan starts: Pillow
 * reads the file in 64 KiB blocks, one more each time libjpeg suspends for data, so it has read the smallest
 * multiple of 64 KiB that holds the scan's header, and libjpeg's arithmetic decoder cannot suspend (Pillow:
 * "broken data stream"). Arithmetic-coded files larger than 64 KiB therefore mostly fail, in Pillow and here. A
 * truncated file is an error, as it is in Pillow without {@code LOAD_TRUNCATED_IMAGES}: image data ending
 * inside a scan, or no EOI marker, except after the first scan of a sequential image that covered every
 * component (libjpeg has then output every row, so Pillow returns the image). For a Huffman-coded scan that
 * exception holds only if libjpeg never asked for a byte past the end of the file while decoding it: its bit
 * buffer reads ahead (up to 57 bits, or 6 bytes at a time in its fast path), so a file whose scan data is followed
 * by no EOI, or by a few junk bytes, decodes or fails depending on the exact refill points, which this decoder
 * reproduces (libjpeg-turbo's fast and slow paths, chosen per MCU as in {@code jdhuff.c}, and Pillow's 64 KiB
 * blocks). After such an image only the markers inside the 64 KiB blocks Pillow had read by then are checked (it
 * stops feeding libjpeg once every row is out). More than 1000 scans is an error (libjpeg-turbo's own fuzzers
 * stop at 500). Thread-safe (stateless; each call uses its own buffers).
 *
 * <p>Damaged data decodes the way libjpeg-turbo decodes it, so a damaged file gives Pillow's pixels: an
 * invalid Huffman code reads as 0, a marker inside a scan leaves the rest of the restart interval at zero
 * coefficients (gray), restart markers out of sequence are resynchronised like {@code jpeg_resync_to_restart},
 * markers after the image are checked as libjpeg checks them, and a progressive file whose scans leave the
 * first AC coefficients incomplete (cut short and closed by EOI, or a scan script that never refines them) is
 * block-smoothed like libjpeg-turbo 2.1 ({@code decompress_smooth_data}). In arithmetic-coded data a marker is
 * legal: the decoder reads zero bytes from there on, and a corrupt code (libjpeg's {@code JWRN_ARITH_BAD_CODE})
 * leaves the rest of its restart interval undecoded. Checked against Pillow on 600 seeded damaged Huffman-coded
 * files, 360 arithmetic-coded ones and 540 files without their EOI (DamagedJpegTest) and against OpenCV's
 * libjpeg-turbo on damaged real photos.
 */
public final class JpegDecoder implements ImageDecoder {

    /** Creates the decoder (it holds no state). */
    public JpegDecoder() {
    }

    /** {@return true if the header starts with the JPEG SOI marker followed by another marker (FF D8 FF)} */
    @Override
    public boolean canDecode(byte[] header) {
        return header != null && header.length >= 3 && header[0] == (byte) 0xFF && header[1] == (byte) 0xD8
                && header[2] == (byte) 0xFF;
    }

    /**
     * Whether the file is laid out as an encoder writes it, so that any libjpeg-turbo build decodes it as Pillow
     * 9.4 does: every scan's data ends at a marker libjpeg expects there (DHT, DQT, DRI, SOS, DNL, APPn, COM or
     * the final EOI), restart markers come in sequence, the last scan is followed by EOI, and it is not a
     * progressive file that libjpeg block-smooths (its edges differ between versions). Bit errors inside the
     * data keep a file plain; damage that wrote a marker, or a cut file, does not; an arithmetic-coded file never
     * is (a libjpeg build may lack arithmetic decoding). Only markers and scan headers
     * are read. clip-native's OpenCV decoder (a newer libjpeg-turbo, which also ignores bad markers after the
     * image) takes plain files only and leaves the rest to this decoder, which matches Pillow on them.
     *
     * @param file the JPEG file's bytes (any content; null or malformed gives false)
     * @return true if the file is plain
     */
    public static boolean isPlain(byte[] file) {
        return ScanScript.isPlain(file);
    }

    /**
     * Decodes a whole JPEG file.
     *
     * @param file      the JPEG file's bytes
     * @param maxPixels largest accepted {@code width * height}, checked against the frame header before
     *                  pixel memory is allocated
     * @return {@code L}, {@code RGB} or {@code CMYK} pixels, row-major interleaved, with the EXIF orientation
     * @throws ImageDecodeException if the file is not a JPEG, is truncated or corrupt, uses an unsupported
     *                              coding process or precision, or has more than {@code maxPixels} pixels
     */
    @Override
    public DecodedImage decode(byte[] file, long maxPixels) {
        if (file == null) {
            throw new ImageDecodeException("JPEG: no data (null byte array)");
        }
        try {
            return new JpegReader(file, maxPixels).read();
        } catch (ImageDecodeException e) {
            throw e;
        } catch (RuntimeException e) {
            // Safety net: any inconsistency not caught by the explicit checks is still corrupt input.
            throw new ImageDecodeException("JPEG: corrupt file (" + e + ")", e);
        }
    }

    /** {@return the decoder's name, {@code "jpeg (java)"}} */
    @Override
    public String name() {
        return "jpeg (java)";
    }
}
