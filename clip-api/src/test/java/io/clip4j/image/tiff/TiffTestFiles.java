package io.clip4j.image.tiff;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Hand-built little-endian TIFF directories for edge cases Pillow and libtiff refuse to write. */
final class TiffTestFiles {
    private TiffTestFiles() {
    }

    /**
     * @param entries {tag, type, count, value} each; the value is stored inline (count -1 means 2^32-1)
     * @return header, one directory, 64 zero bytes of "data"
     */
    static byte[] directory(int[][] entries) {
        ByteBuffer b = ByteBuffer.allocate(8 + 2 + 12 * entries.length + 4 + 64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {'I', 'I', 42, 0}).putInt(8).putShort((short) entries.length);
        for (int[] e : entries) {
            b.putShort((short) e[0]).putShort((short) e[1]).putInt(e[2]);
            if (e[1] == 3) {
                b.putShort((short) e[3]).putShort((short) 0);
            } else {
                b.putInt(e[3]);
            }
        }
        return b.array();
    }
}
