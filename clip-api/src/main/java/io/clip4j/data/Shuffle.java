package io.clip4j.data;

import java.util.SplittableRandom;

/**
 * Deterministic seeded shuffling: the same (seed, epoch) always gives the same order, independent of threads,
 * JVM or platform ({@link SplittableRandom} is specified bit for bit).
 */
public final class Shuffle {
    private Shuffle() {
    }

    /**
     * Returns the item order of one epoch.
     *
     * @param n     number of items, &ge; 0
     * @param seed  run seed
     * @param epoch epoch number (each epoch gets its own order)
     * @return a permutation of {@code 0..n-1} (Fisher-Yates)
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public static int[] permutation(int n, long seed, long epoch) {
        if (n < 0) {
            throw new IllegalArgumentException("number of items must be >= 0, got " + n);
        }
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom r = random(seed, 0x5348554646L, epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /**
     * Returns a random generator derived from a seed and further keys.
     *
     * @param seed run seed
     * @param keys further keys (purpose, epoch, item index, ...)
     * @return a generator determined by the seed and keys only
     */
    public static SplittableRandom random(long seed, long... keys) {
        long h = seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        for (long k : keys) {
            h = mix(h ^ mix(k + 0x9E3779B97F4A7C15L));
        }
        return new SplittableRandom(h);
    }

    /** The finaliser of SplitMix64 (a bijective 64-bit mixer). */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
