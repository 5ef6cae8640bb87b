package io.clip4j.text;

/**
 * Open-addressing hash map from a pair of token ids to its merge rank (immutable after
 * construction, so safe to share between threads). Avoids boxing in the BPE inner loop.
 */
final class PairRanks {
    private static final long EMPTY = -1L;
    private final long[] keys;
    private final int[] values;
    private final int mask;

    PairRanks(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[cap];
        values = new int[cap];
        mask = cap - 1;
        java.util.Arrays.fill(keys, EMPTY);
    }

    static long key(int first, int second) {
        return ((long) first << 32) | (second & 0xFFFFFFFFL);
    }

    /** Sets the rank of a pair (a later put for the same pair wins, like a Python dict). */
    void put(int first, int second, int rank) {
        long k = key(first, second);
        int slot = slot(k);
        while (keys[slot] != EMPTY && keys[slot] != k) {
            slot = (slot + 1) & mask;
        }
        keys[slot] = k;
        values[slot] = rank;
    }

    /** Rank of the pair, or -1 if it is not a merge. */
    int get(int first, int second) {
        long k = key(first, second);
        int slot = slot(k);
        while (true) {
            long stored = keys[slot];
            if (stored == k) {
                return values[slot];
            }
            if (stored == EMPTY) {
                return -1;
            }
            slot = (slot + 1) & mask;
        }
    }

    private int slot(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & mask;
    }
}
