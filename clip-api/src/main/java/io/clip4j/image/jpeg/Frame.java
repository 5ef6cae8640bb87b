package io.clip4j.image.jpeg;

import io.clip4j.image.ImageDecodeException;

/**
 * The frame header (SOF0/SOF1/SOF2, arithmetic-coded SOF9/SOF10): image size, components and the MCU grid derived
 * from them.
 */
final class Frame {
    final boolean progressive;
    /** Arithmetic-coded (SOF9, SOF10) rather than Huffman-coded. */
    final boolean arithmetic;
    final int width;
    final int height;
    final Component[] components;
    final int hmax;
    final int vmax;
    /** MCUs per row and per column of an interleaved scan. */
    final int mcusX;
    final int mcusY;

    private Frame(boolean progressive, boolean arithmetic, int width, int height, Component[] components) {
        this.progressive = progressive;
        this.arithmetic = arithmetic;
        this.width = width;
        this.height = height;
        this.components = components;
        int hm = 1;
        int vm = 1;
        for (Component c : components) {
            hm = Math.max(hm, c.h);
            vm = Math.max(vm, c.v);
        }
        hmax = hm;
        vmax = vm;
        mcusX = ceilDiv(width, 8 * hmax);
        mcusY = ceilDiv(height, 8 * vmax);
        for (Component c : components) {
            c.sampleWidth = ceilDiv(width * c.h, hmax);
            c.sampleHeight = ceilDiv(height * c.v, vmax);
            c.blocksWide = ceilDiv(c.sampleWidth, 8);
            c.blocksHigh = ceilDiv(c.sampleHeight, 8);
            c.blocksPerLine = mcusX * c.h;
            c.blockRows = mcusY * c.v;
        }
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /**
     * Parses a SOF segment body.
     *
     * @param seg         file bytes
     * @param off         offset of the segment body (after the length field)
     * @param len         body length
     * @param progressive SOF2 or SOF10
     * @param arithmetic  SOF9 or SOF10
     * @param maxPixels   pixel limit, checked before anything is allocated
     * @return the frame
     * @throws ImageDecodeException if the header is corrupt or describes an image this decoder does not support
     */
    static Frame parse(byte[] seg, int off, int len, boolean progressive, boolean arithmetic, long maxPixels) {
        if (len < 6) {
            throw new ImageDecodeException("JPEG: corrupt frame header (SOF segment too short)");
        }
        int precision = seg[off] & 0xFF;
        int height = u16(seg, off + 1);
        int width = u16(seg, off + 3);
        int n = seg[off + 5] & 0xFF;
        if (precision != 8) {
            throw new ImageDecodeException("JPEG: unsupported sample precision of " + precision
                    + " bits (only 8-bit JPEGs are supported)");
        }
        if (width == 0 || height == 0) {
            throw new ImageDecodeException("JPEG: unsupported or empty image size " + width + "x" + height
                    + " (a zero height defined by a DNL marker is not supported)");
        }
        if (width > 65500 || height > 65500) {
            // libjpeg's JPEG_MAX_DIMENSION (JERR_IMAGE_TOO_BIG)
            throw new ImageDecodeException("JPEG: image of " + width + "x" + height + " exceeds libjpeg's maximum"
                    + " dimension of 65500");
        }
        if ((long) width * height > maxPixels) {
            throw new ImageDecodeException("JPEG: image of " + width + "x" + height + " = "
                    + ((long) width * height) + " pixels exceeds the limit of " + maxPixels + " pixels");
        }
        if (n != 1 && n != 3 && n != 4) {
            throw new ImageDecodeException("JPEG: unsupported number of components: " + n
                    + " (Pillow handles 1, 3 or 4)");
        }
        if (len != 6 + 3 * n) {
            // libjpeg's get_sof: JERR_BAD_LENGTH
            throw new ImageDecodeException("JPEG: corrupt frame header (SOF length " + (len + 2) + " for " + n
                    + " components)");
        }
        Component[] comps = new Component[n];
        for (int i = 0; i < n; i++) {
            int p = off + 6 + 3 * i;
            int id = seg[p] & 0xFF;
            int h = (seg[p + 1] >> 4) & 15;
            int v = seg[p + 1] & 15;
            int tq = seg[p + 2] & 0xFF;
            if (h < 1 || h > 4 || v < 1 || v > 4) {
                throw new ImageDecodeException("JPEG: corrupt frame header (sampling factors " + h + "x" + v
                        + " of component " + id + " are outside 1..4)");
            }
            if (tq > 3) {
                throw new ImageDecodeException("JPEG: corrupt frame header (quantization table " + tq + ")");
            }
            // Duplicate ids are accepted, as libjpeg does; an SOS then picks among them (JpegReader.scanComponents).
            comps[i] = new Component(id, i, h, v, tq);
        }
        Frame f = new Frame(progressive, arithmetic, width, height, comps);
        for (Component c : comps) {
            // libjpeg only supports integral upsampling ratios (JERR_FRACT_SAMPLE_NOTIMPL otherwise).
            if (f.hmax % c.h != 0 || f.vmax % c.v != 0) {
                throw new ImageDecodeException("JPEG: unsupported fractional sampling factors (component "
                        + c.id + " is " + c.h + "x" + c.v + ", maximum " + f.hmax + "x" + f.vmax + ")");
            }
            long blocks = (long) c.blocksPerLine * c.blockRows;
            if (blocks * 64 > Integer.MAX_VALUE - 16) {
                throw new ImageDecodeException("JPEG: image of " + width + "x" + height
                        + " is too large for this decoder");
            }
        }
        return f;
    }

    /**
     * The frame components an SOS names, found like libjpeg 2.1's get_sos: the first component with the id whose
     * frame index is not an already filled scan position (its check of {@code cur_comp_info[ci]}). That rejects
     * an id listed twice, and also a component whose frame index is below its position in the scan (order 3,1,2).
     *
     * @param ids the component ids of the SOS, in scan order
     * @return the frame index of each scan component
     * @throws ImageDecodeException for an id no usable frame component has
     */
    int[] scanComponents(int[] ids) {
        int[] index = new int[ids.length];
        boolean[] filled = new boolean[4];
        for (int i = 0; i < ids.length; i++) {
            index[i] = -1;
            for (int ci = 0; ci < Math.min(components.length, 4) && index[i] < 0; ci++) {
                if (components[ci].id == ids[i] && !filled[ci]) {
                    index[i] = ci;
                }
            }
            if (index[i] < 0) {
                throw new ImageDecodeException("JPEG: corrupt SOS marker (component id " + ids[i]
                        + " unknown, repeated or out of order)");
            }
            filled[i] = true;
        }
        return index;
    }

    static int u16(byte[] b, int p) {
        return ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
    }
}
