package io.clip4j.eval;

import io.clip4j.Features;

import java.util.List;
import java.util.Random;

/** Seeded synthetic feature sets for the probe tests. */
final class Synthetic {
    private Synthetic() {
    }

    /**
     * Gaussian blobs: class c is centred at {@code spread} on axis c (dim &ge; classes), noise sigma.
     */
    static LabeledFeatures blobs(int classes, int perClass, int dim, double spread, double sigma, long seed) {
        Random rnd = new Random(seed);
        int n = classes * perClass;
        float[] x = new float[n * dim];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % classes;
            y[i] = c;
            for (int j = 0; j < dim; j++) {
                x[i * dim + j] = (float) ((j == c ? spread : 0) + sigma * rnd.nextGaussian());
            }
        }
        List<String> names = new java.util.ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("class" + c);
        }
        return new LabeledFeatures(new Features(x, n, dim), y, names);
    }
}
