package io.clip4j.image.webp;

/**
 * The entropy coding of one image stream: its Huffman groups, the entropy ("meta Huffman") image that picks a
 * group per tile, and the colour cache size.
 */
final class HuffmanGroups {
    private final HuffmanGroup[] groups;
    /** Group index per tile, or {@code null} when the whole image uses group 0. */
    private final int[] groupImage;
    private final int tileBits;
    private final int tilesPerRow;
    /** Column mask within a tile: the group can change only where {@code (x & mask) == 0}. */
    final int mask;
    /** Colour cache bits, 0 (none) or 1 to 11. */
    final int cacheBits;

    /**
     * @param groups      the groups
     * @param groupImage  group per tile (already reduced to indices), or {@code null}
     * @param tileBits    log2 of the tile size (0 without entropy image)
     * @param tilesPerRow tiles per row of the entropy image
     * @param cacheBits   colour cache bits
     */
    HuffmanGroups(HuffmanGroup[] groups, int[] groupImage, int tileBits, int tilesPerRow, int cacheBits) {
        this.groups = groups;
        this.groupImage = groupImage;
        this.tileBits = tileBits;
        this.tilesPerRow = tilesPerRow;
        this.mask = groupImage == null ? ~0 : (1 << tileBits) - 1;
        this.cacheBits = cacheBits;
    }

    /**
     * @param x column
     * @param y row
     * @return the group coding the pixel at (x, y)
     */
    HuffmanGroup at(int x, int y) {
        if (groupImage == null) {
            return groups[0];
        }
        return groups[groupImage[(y >> tileBits) * tilesPerRow + (x >> tileBits)]];
    }

    /** @return whether every group reads red, blue and alpha with zero bits */
    boolean allTrivialRedBlueAlpha() {
        for (HuffmanGroup g : groups) {
            if (!g.hasTrivialRedBlueAlpha()) {
                return false;
            }
        }
        return true;
    }
}
