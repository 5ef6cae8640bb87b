package io.clip4j.train;

import io.clip4j.ClipConfig;

import java.util.SplittableRandom;

/** Small configurations that train in milliseconds, and synthetic batches. */
final class TinyConfigs {
    private TinyConfigs() {
    }

    /** ViT: 32 px, patch 8 (16 patches), width 64 (1 head), 1 block; text width 64, 1 block, context 16. */
    static ClipConfig vit() {
        return new ClipConfig(32, 32, new int[]{1}, 64, 8, 16, 49408, 64, 1, 1, 1);
    }

    /** ResNet: 32 px, stages [1,1,1,1], stem width 8 (attention pooling 256 wide, 4 heads); text as {@link #vit}. */
    static ClipConfig resnet() {
        return new ClipConfig(32, 32, new int[]{1, 1, 1, 1}, 8, 0, 16, 49408, 64, 1, 1, 4);
    }

    /** @return {@code n} random images {@code [n,3,S,S]} in about the normalised range */
    static float[] pixels(ClipConfig c, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = new float[n * 3 * c.imageResolution() * c.imageResolution()];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return p;
    }

    /** @return {@code n} token rows: start, 3 distinct words per row, end-of-text, zero padding */
    static long[] ids(ClipConfig c, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int ctx = c.contextLength();
        long[] ids = new long[n * ctx];
        for (int i = 0; i < n; i++) {
            ids[i * ctx] = 49406;
            for (int k = 1; k <= 3; k++) {
                ids[i * ctx + k] = 1 + r.nextInt(49000);
            }
            ids[i * ctx + 4] = 49407;
        }
        return ids;
    }
}
