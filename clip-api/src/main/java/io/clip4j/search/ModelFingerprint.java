package io.clip4j.search;

import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.image.ImageInput;
import io.clip4j.image.PixelMode;

import java.util.Arrays;
import java.util.Objects;

/**
 * A model's answer to two fixed probes, stored with an {@link EmbeddingIndex} so that a search can tell the
 * model that built an index from another one: embeddings of different CLIP models live in unrelated spaces
 * (even at the same embed_dim), so ranking with the wrong model gives plausible-looking but meaningless hits.
 *
 * <p>The values are the L2-normalised text_features of {@link #PROBE_TEXT} followed by the L2-normalised
 * image_features of a fixed 64x64 colour-gradient image: {@code 2 * embed_dim} floats. Two fingerprints
 * match when both halves have a cosine similarity of at least {@link #MIN_COSINE}; the same checkpoint on
 * another device or at float16/bfloat16 precision stays far above it, another model falls far below.
 */
public final class ModelFingerprint {
    /** The text probe. */
    public static final String PROBE_TEXT = "a photo of a dog.";
    /** Least cosine similarity of each half for two fingerprints to match. */
    public static final double MIN_COSINE = 0.99;
    private static final int PROBE_SIZE = 64;

    private ModelFingerprint() {
    }

    /**
     * Runs the two probes through a model (one text and one image forward pass).
     *
     * @param model a loaded model
     * @return {@code 2 * embed_dim} values: unit text_features then unit image_features
     * @throws io.clip4j.ClipException if the model fails or is closed
     */
    public static float[] of(ClipModel model) {
        Features text = model.encodeText(PROBE_TEXT).normalized();
        Features image = model.encodeImage(probeImage()).normalized();
        float[] out = Arrays.copyOf(text.row(0), 2 * text.dim());
        System.arraycopy(image.row(0), 0, out, text.dim(), image.dim());
        return out;
    }

    /**
     * Compares two fingerprints to tell whether they come from the same model.
     *
     * @param a a fingerprint
     * @param b another
     * @return whether both come from the same model: equal length and each half's cosine &ge; {@link #MIN_COSINE}
     *         (false for empty or odd-length arrays, and for a half that is all zeros or not finite)
     * @throws NullPointerException if {@code a} or {@code b} is null
     */
    public static boolean matches(float[] a, float[] b) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        if (a.length != b.length || a.length == 0 || a.length % 2 != 0) {
            return false;
        }
        int half = a.length / 2;
        return cosine(a, b, 0, half) >= MIN_COSINE && cosine(a, b, half, half) >= MIN_COSINE;
    }

    private static double cosine(float[] a, float[] b, int off, int len) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = off; i < off + len; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return aa == 0 || bb == 0 ? 0 : ab / Math.sqrt(aa * bb); // NaN compares false above
    }

    /** A smooth RGB gradient: content every model sees the same way, independent of any file. */
    static ImageInput probeImage() {
        byte[] rgb = new byte[PROBE_SIZE * PROBE_SIZE * 3];
        for (int y = 0; y < PROBE_SIZE; y++) {
            for (int x = 0; x < PROBE_SIZE; x++) {
                int i = (y * PROBE_SIZE + x) * 3;
                rgb[i] = (byte) (x * 4);
                rgb[i + 1] = (byte) (y * 4);
                rgb[i + 2] = (byte) (255 - 2 * (x + y));
            }
        }
        return ImageInput.ofPixels(rgb, PROBE_SIZE, PROBE_SIZE, PixelMode.RGB);
    }
}
