package io.clip4j.image.tiff;

import io.clip4j.image.DecodedImage;
import io.clip4j.image.ExifTransform;
import io.clip4j.image.ImageDecodeException;
import io.clip4j.image.ImageDecoder;

/**
 * Pure-Java decoder for baseline TIFF files, giving what Pillow 9.4 (with libtiff 4.5.0) holds after
 * {@code Image.open} for the first image of the file.
 *
 * <p>Supported: classic TIFF in either byte order; compression none, PackBits, LZW and Deflate (8 and
 * 32946), horizontal predictor on 8-bit samples; strips or tiles; bilevel (mode {@code 1}, stored as
 * L 0/255, nearest-only), 2/4/8-bit grey ({@code L}, WhiteIsZero inverted), 8-bit grey + alpha
 * ({@code LA}), 8-bit RGB, RGBA (unassociated alpha, or associated alpha un-premultiplied as Pillow
 * does), RGBX (returned as RGB), 1/2/4/8-bit palette ({@code P}, expanded to RGB, nearest-only),
 * planar RGB/RGBA, FillOrder 2.
 *
 * <p>Orientation: Pillow's TIFF plugin transposes the pixels by the Orientation tag when it loads them, and
 * {@code getexif()} still reports the tag; this decoder does both too, and keeps the stored size as the image's
 * {@link DecodedImage#openedWidth() opened size} (see {@link ExifTransform#transposeOnLoad}).
 *
 * <p>Everything else (BigTIFF, JPEG/CCITT/LZMA/ZSTD/WebP compression, 16-bit or float samples, CMYK,
 * YCbCr, Lab, palette + alpha, old-style LZW, floating-point predictor) is an {@link ImageDecodeException}.
 *
 * <p>The directory is read as Pillow reads it (it stops at a tag whose values lie past the end of the file,
 * ignores tags without values, and cannot use BYTE-typed values where it needs numbers). Damaged files give
 * Pillow's result in 592 of 600 seeded cases (DamagedTiffTest); the rest, listed there, are damaged strip
 * offsets or heights that leave rows without data (Pillow keeps them at zero) and directories that libtiff
 * repairs or refuses: clip4j rejects or decodes those where Pillow does the opposite.
 */
public final class TiffDecoder implements ImageDecoder {
    /** Creates the decoder (stateless, thread-safe). */
    public TiffDecoder() {
    }

    @Override
    public boolean canDecode(byte[] header) {
        // BigTIFF is claimed too, so that it is rejected by name rather than as an unknown format.
        return TiffDirectory.isTiff(header) || TiffDirectory.isBigTiff(header);
    }

    @Override
    public String name() {
        return "tiff (java)";
    }

    @Override
    public DecodedImage decode(byte[] file, long maxPixels) {
        TiffLayout layout = new TiffLayout(TiffDirectory.read(file), maxPixels);
        DecodedImage img = TiffPixels.toImage(TiffChunks.read(file, layout), layout);
        // Pillow's TiffImageFile.load_end transposes by the Orientation tag while getexif() keeps reporting it; before
        // the load, Image.open reports the stored size, which the reference Resize and CenterCrop read.
        return ExifTransform.transposeOnLoad(img);
    }
}
