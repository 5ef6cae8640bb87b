package io.clip4j.train;

import io.clip4j.io.Npy;
import io.clip4j.torch.NativeLibraries;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContrastiveLossTest {
    private static final Path MODELS = Path.of(System.getProperty("clip4j.testdata")).resolve("models");

    @BeforeAll
    static void natives() {
        NativeLibraries.ensureLoaded();
    }

    /** The CLIP loss in plain double arithmetic: mean of the row-wise and column-wise cross-entropies. */
    static double expectedLoss(float[] img, float[] txt, int n, int d, double logitScale) {
        double[][] a = unit(img, n, d);
        double[][] b = unit(txt, n, d);
        double[][] logits = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int k = 0; k < d; k++) {
                    dot += a[i][k] * b[j][k];
                }
                logits[i][j] = Math.exp(logitScale) * dot;
            }
        }
        double perImage = 0;
        double perText = 0;
        for (int i = 0; i < n; i++) {
            double rowSum = 0;
            double colSum = 0;
            for (int j = 0; j < n; j++) {
                rowSum += Math.exp(logits[i][j]);
                colSum += Math.exp(logits[j][i]);
            }
            perImage += Math.log(rowSum) - logits[i][i];
            perText += Math.log(colSum) - logits[i][i];
        }
        return (perImage / n + perText / n) / 2;
    }

    private static double[][] unit(float[] x, int n, int d) {
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < d; k++) {
                s += (double) x[i * d + k] * x[i * d + k];
            }
            for (int k = 0; k < d; k++) {
                out[i][k] = x[i * d + k] / Math.sqrt(s);
            }
        }
        return out;
    }

    @Test
    void lossEqualsHandComputedSymmetricCrossEntropy() {
        int n = 6;
        int d = 10;
        SplittableRandom r = new SplittableRandom(3);
        float[] img = new float[n * d];
        float[] txt = new float[n * d];
        for (int i = 0; i < img.length; i++) {
            img[i] = (float) r.nextGaussian();
            txt[i] = (float) (0.5 * img[i] + r.nextGaussian()); // correlated, so the diagonal matters
        }
        double scale = Math.log(1 / 0.07);
        double expected = expectedLoss(img, txt, n, d, scale);
        try (PointerScope scope = new PointerScope()) {
            Tensor loss = ContrastiveLoss.loss(Tensors.floats(img, n, d), Tensors.floats(txt, n, d),
                    Tensors.floats(new float[]{(float) scale}).reshape());
            assertEquals(expected, loss.item_double(), 1e-5 * Math.max(1, expected));
        }
    }

    @Test
    void lossIsAsymmetricInTheBatchButSymmetricInTheTwoDirections() {
        // Swapping the roles of images and texts transposes the logits: the mean of both CEs is unchanged.
        int n = 4;
        int d = 5;
        SplittableRandom r = new SplittableRandom(9);
        float[] a = new float[n * d];
        float[] b = new float[n * d];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
            b[i] = (float) r.nextGaussian();
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor s = Tensors.floats(new float[]{2.0f}).reshape();
            double ab = ContrastiveLoss.loss(Tensors.floats(a, n, d), Tensors.floats(b, n, d), s).item_double();
            double ba = ContrastiveLoss.loss(Tensors.floats(b, n, d), Tensors.floats(a, n, d), s).item_double();
            assertEquals(expectedLoss(a, b, n, d, 2.0), ab, 1e-5);
            assertEquals(ab, ba, 1e-6);
        }
    }

    @Test
    void logitsPerImageMatchTheReferenceFixture() {
        // tiny-vit: reference image_features [4,64], text_features [8,64], logit_scale 2.73830891
        float[] img = Npy.read(MODELS.resolve("tiny-vit/image_features.npy")).toFloatArray();
        float[] txt = Npy.read(MODELS.resolve("tiny-vit/text_features.npy")).toFloatArray();
        float[] expected = Npy.read(MODELS.resolve("tiny-vit/logits_per_image.npy")).toFloatArray();
        try (PointerScope scope = new PointerScope()) {
            Tensor logits = ContrastiveLoss.logitsPerImage(Tensors.floats(img, 4, 64), Tensors.floats(txt, 8, 64),
                    Tensors.floats(new float[]{2.73830891f}).reshape());
            float[] got = Tensors.toFloats(logits);
            double max = 0;
            for (float v : expected) {
                max = Math.max(max, Math.abs(v));
            }
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], got[i], 1e-4 * Math.max(1, max), "logit " + i);
            }
        }
    }

    @Test
    void lossIsDifferentiableInFeaturesAndScale() {
        int n = 3;
        int d = 4;
        float[] a = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
        float[] b = {1, 0.1f, 0, 0, 0, 1, 0.1f, 0, 0.1f, 0, 1, 0};
        try (PointerScope scope = new PointerScope()) {
            Tensor img = Tensors.floats(a, n, d).set_requires_grad(true);
            Tensor txt = Tensors.floats(b, n, d).set_requires_grad(true);
            Tensor scale = Tensors.floats(new float[]{1.0f}).reshape().set_requires_grad(true);
            ContrastiveLoss.loss(img, txt, scale).backward();
            // Matching pairs are already the most similar: raising the temperature scale lowers the loss.
            assertTrue(scale.grad().item_float() < 0, "d loss / d logit_scale = " + scale.grad().item_float());
            assertTrue(torch.isfinite(img.grad()).all().item_bool());
        }
    }
}
