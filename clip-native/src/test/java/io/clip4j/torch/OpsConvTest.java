package io.clip4j.torch;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Ops#conv2d} against a direct float64 convolution in Java. LibTorch 2.10's oneDNN (avx512_core, float32,
 * NCHW) gave wrong and run-to-run different results, sometimes NaN, for every convolution with a kernel larger than
 * 1x1 and more than 16 input channels that are not a multiple of 16 (seen on an AMD EPYC; OpenAI's RN50x4 has such
 * convolutions in its stem, 40 channels, and its image features were 22% off the reference). Shapes cover the
 * channel counts around that condition, the stem's 3 channels and 1x1 convolutions.
 */
class OpsConvTest {
    @BeforeAll
    static void natives() {
        NativeLibraries.ensureLoaded();
    }

    @ParameterizedTest(name = "n={0} cin={1} hw={2} cout={3} k={4} stride={5} pad={6}")
    @CsvSource({
            "2, 40, 12, 40, 3, 1, 1",  // RN50x4's stem: conv2 and conv3 read 40 channels
            "2, 40, 12, 80, 3, 1, 1",
            "1, 24, 11, 16, 3, 2, 1",
            "2, 56, 9, 8, 2, 1, 0",
            "1, 17, 10, 33, 5, 1, 2",
            "2, 48, 10, 40, 3, 1, 1",  // multiples of 16 and small counts were right already
            "2, 3, 16, 40, 3, 2, 1",
            "2, 12, 8, 20, 3, 1, 1",
            "2, 40, 8, 40, 1, 1, 0",
    })
    void matchesADirectConvolution(int n, int cin, int hw, int cout, int k, int stride, int pad) {
        SplittableRandom random = new SplittableRandom(cin * 1000L + cout);
        float[] x = new float[n * cin * hw * hw];
        float[] w = new float[cout * cin * k * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextDouble() * 2 - 1);
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextDouble() * 2 - 1);
        }
        int out = (hw + 2 * pad - k) / stride + 1;
        double[] expected = direct(x, w, n, cin, hw, cout, k, stride, pad, out);
        for (int threads : new int[]{1, 2}) {
            int previous = torch.get_num_threads();
            torch.set_num_threads(threads);
            try (PointerScope scope = new PointerScope()) {
                Tensor y = Ops.conv2d(TensorIo.floats(x, n, cin, hw, hw), TensorIo.floats(w, cout, cin, k, k),
                        stride, pad);
                assertEquals(4, y.dim());
                assertEquals(cout, y.size(1));
                assertEquals(out, y.size(2));
                float[] actual = TensorIo.toFloats(y);
                assertEquals(expected.length, actual.length);
                double max = 0;
                for (int i = 0; i < actual.length; i++) {
                    double d = Math.abs(actual[i] - expected[i]);
                    max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(max, d);
                }
                // Sums of cin * k * k products of values in [-1, 1]: float32 rounding stays far below 1e-4.
                assertTrue(max <= 1e-4, "max |conv2d - direct| = " + max + " with " + threads + " threads");
            } finally {
                torch.set_num_threads(previous);
            }
        }
    }

    private static double[] direct(float[] x, float[] w, int n, int cin, int hw, int cout, int k, int stride,
                                   int pad, int out) {
        double[] y = new double[n * cout * out * out];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < cout; o++) {
                for (int i = 0; i < out; i++) {
                    for (int j = 0; j < out; j++) {
                        double s = 0;
                        for (int c = 0; c < cin; c++) {
                            for (int p = 0; p < k; p++) {
                                for (int q = 0; q < k; q++) {
                                    int r = i * stride - pad + p;
                                    int col = j * stride - pad + q;
                                    if (r >= 0 && r < hw && col >= 0 && col < hw) {
                                        s += (double) x[((b * cin + c) * hw + r) * hw + col]
                                                * w[((o * cin + c) * k + p) * k + q];
                                    }
                                }
                            }
                        }
                        y[((b * cout + o) * out + i) * out + j] = s;
                    }
                }
            }
        }
        return y;
    }
}
