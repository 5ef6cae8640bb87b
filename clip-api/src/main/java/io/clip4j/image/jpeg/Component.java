package io.clip4j.image.jpeg;

/**
 * One colour component of a frame (SOF) with its geometry and its quantized DCT coefficients.
 *
 * <p>Geometry follows libjpeg's {@code jdinput.c}: the component holds
 * {@code ceil(width * h / hmax)} x {@code ceil(height * v / vmax)} samples
 * ({@link #sampleWidth} x {@link #sampleHeight}), covered by {@link #blocksWide} x {@link #blocksHigh}
 * 8x8 blocks; interleaved scans also decode dummy blocks up to the MCU grid, so the coefficient
 * storage is {@link #blocksPerLine} x {@link #blockRows} blocks.
 */
final class Component {
    final int id;
    final int index;
    final int h;
    final int v;
    final int quantTableId;

    int sampleWidth;
    int sampleHeight;
    int blocksWide;
    int blocksHigh;
    int blocksPerLine;
    int blockRows;
    /** 64 coefficients per block, natural (row-major) order, blocks row-major over the MCU-padded grid. */
    short[] coefficients;
    /** Dequantization table in natural order, latched when the component's first scan starts (like libjpeg). */
    int[] quant;
    /**
     * libjpeg's {@code coef_bits} for zig-zag positions 0..9: -1 until a progressive scan covers the
     * coefficient, then that scan's Al (0 = fully known). Decides whether libjpeg would block-smooth.
     */
    final int[] coefBits = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
    /** libjpeg's saved {@code coef_bits} from before the component's latest scan (for rows that scan missed). */
    final int[] prevCoefBits = new int[10];

    Component(int id, int index, int h, int v, int quantTableId) {
        this.id = id;
        this.index = index;
        this.h = h;
        this.v = v;
        this.quantTableId = quantTableId;
    }
}
