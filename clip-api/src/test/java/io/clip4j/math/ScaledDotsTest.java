package io.clip4j.math;

import io.clip4j.Features;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The blocked product behind {@link Similarity#logits} must give, bit for bit, the values of the plain loop it
 * replaced (a sequential double sum per logit): at sizes around its block of 4 rows, 4 steps of k and
 * {@link ScaledDots#COLS} columns, and with non-finite, signed-zero and subnormal values.
 */
class ScaledDotsTest {
    /** The loop Similarity.logits ran before the blocked product. */
    private static float[] plain(float[] a, int n, float[] b, int m, int d, float scale) {
        float[] out = new float[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) {
                    s += (double) a[i * d + k] * b[j * d + k];
                }
                out[i * m + j] = (float) (scale * s);
            }
        }
        return out;
    }

    private static float[] blocked(float[] a, int n, float[] b, int m, int d, float scale) {
        float[] out = new float[n * m];
        java.util.Arrays.fill(out, 42f); // every value must be written
        ScaledDots.compute(a, n, b, m, d, scale, out);
        return out;
    }

    /** Values whose double sums depend on the order they are added in, even after rounding to float. */
    private static final float[] CANCELLING = {0x1p30f, -0x1p30f, 1f, -0.75f, 1.25f, 0x1p-20f};

    private static float[] random(Random rnd, int len) {
        float[] v = new float[len];
        for (int i = 0; i < len; i++) {
            // Huge products that cancel each other swallow small ones or not, depending on the order of the sum.
            v[i] = rnd.nextBoolean() ? CANCELLING[rnd.nextInt(CANCELLING.length)] : (float) rnd.nextGaussian();
        }
        return v;
    }

    @Test
    void oddSizesAroundTheBlocksGiveThePlainLoopsBits() {
        Random rnd = new Random(11);
        int[] ns = {0, 1, 2, 3, 4, 5, 7, 8, 9};
        int[] ms = {0, 1, 3, ScaledDots.COLS - 1, ScaledDots.COLS, ScaledDots.COLS + 1, 2 * ScaledDots.COLS + 5};
        int[] ds = {1, 2, 3, 4, 5, 7, 8, 13, 512};
        for (int n : ns) {
            for (int m : ms) {
                for (int d : ds) {
                    float[] a = random(rnd, n * d);
                    float[] b = random(rnd, m * d);
                    float scale = 100f * rnd.nextFloat();
                    assertArrayEquals(plain(a, n, b, m, d, scale), blocked(a, n, b, m, d, scale),
                            "n " + n + ", m " + m + ", d " + d);
                }
            }
        }
    }

    @Test
    void nonFiniteSignedZeroAndSubnormalValuesGiveThePlainLoopsBits() {
        float[] palette = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, Float.MIN_VALUE,
            -Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f, 3e-20f};
        Random rnd = new Random(3);
        int n = 6;
        int m = ScaledDots.COLS + 3;
        int d = 9;
        for (int round = 0; round < 20; round++) {
            float[] a = new float[n * d];
            float[] b = new float[m * d];
            for (int i = 0; i < a.length; i++) {
                a[i] = palette[rnd.nextInt(palette.length)];
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = rnd.nextInt(4) == 0 ? palette[rnd.nextInt(palette.length)] : (float) rnd.nextGaussian();
            }
            float[] expected = plain(a, n, b, m, d, 100f);
            float[] actual = blocked(a, n, b, m, d, 100f);
            for (int i = 0; i < expected.length; i++) {
                // Bits, so that -0.0 differs from 0.0 (NaNs compare as one value).
                assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
                        "round " + round + ", value " + i + ": " + expected[i] + " vs " + actual[i]);
            }
        }
        // A row of zeros scores 0 everywhere; a NaN anywhere in a row makes that row's logits NaN.
        float[] zeroAndNaN = new float[2 * 3];
        zeroAndNaN[4] = Float.NaN;
        float[] t = blocked(zeroAndNaN, 2, new float[] {1f, 2f, 3f}, 1, 3, 100f);
        assertEquals(0f, t[0]);
        assertTrue(Float.isNaN(t[1]));
    }

    /** Rows longer than 2^20 values run one column per block (the buffer is capped at 8 MB). */
    @Test
    void veryLongRowsGiveThePlainLoopsBits() {
        Random rnd = new Random(5);
        int d = (1 << 20) + 3;
        float[] a = random(rnd, 2 * d);
        float[] b = random(rnd, 3 * d);
        assertArrayEquals(plain(a, 2, b, 3, d, 7f), blocked(a, 2, b, 3, d, 7f));
    }

    /** Similarity.logits itself, at the benchmark's size: 256 x 1000 x 512. */
    @Test
    void logitsAtBenchmarkSizeGiveThePlainLoopsBits() {
        Random rnd = new Random(9);
        Features img = new Features(random(rnd, 256 * 512), 256, 512);
        Features txt = new Features(random(rnd, 1000 * 512), 1000, 512);
        float[] expected = plain(img.normalized().toArray(), 256, txt.normalized().toArray(), 1000, 512, 100f);
        assertArrayEquals(expected, Similarity.logits(img, txt, 100f));
    }
}
