package io.clip4j.eval;

import io.clip4j.Features;

import java.util.List;
import java.util.Objects;

/**
 * A fitted multinomial logistic regression: {@code scores = x W^T + b}, predicted class = argmax.
 * Immutable and thread-safe.
 */
public final class LogisticRegressionModel {
    private final LogisticRegression settings;
    private final List<String> classNames;
    private final int dim;
    private final double[] weights;
    private final double[] bias;
    private final double loss;
    private final double gradientMax;
    private final int iterations;
    private final boolean converged;

    LogisticRegressionModel(LogisticRegression settings, List<String> classNames, int dim, double[] weights,
                            double[] bias, double loss, double gradientMax, int iterations, boolean converged) {
        this.settings = settings;
        this.classNames = List.copyOf(classNames);
        this.dim = dim;
        this.weights = weights;
        this.bias = bias;
        this.loss = loss;
        this.gradientMax = gradientMax;
        this.iterations = iterations;
        this.converged = converged;
    }

    /** {@return the settings it was fitted with} */
    public LogisticRegression settings() {
        return settings;
    }

    /** {@return the class names, index = label} */
    public List<String> classNames() {
        return classNames;
    }

    /** {@return the weights W {@code [n_classes, dim]} row-major (a copy)} */
    public double[] weights() {
        return weights.clone();
    }

    /** {@return the bias b {@code [n_classes]} (a copy)} */
    public double[] bias() {
        return bias.clone();
    }

    /**
     * {@return the objective at the solution: mean cross-entropy + {@code ||W||^2 / (2 C n)}; with two classes
     * sklearn's binary penalty {@code ||W[1] - W[0]||^2 / (2 C n)}, which is {@code ||W||^2 / (C n)} at the solution}
     */
    public double loss() {
        return loss;
    }

    /** {@return the largest |gradient| of the objective at the solution (about 0 at the optimum)} */
    public double gradientMax() {
        return gradientMax;
    }

    /** {@return the number of L-BFGS iterations used} */
    public int iterations() {
        return iterations;
    }

    /**
     * {@return true if the fit stopped on a tolerance; false if it reached the iteration limit (checked first, as scipy
     * does, so a fit meeting a tolerance at its last iteration counts as stopped by the limit) or a line search from
     * steepest descent failed (no decrease, or its evaluations ran out)}
     */
    public boolean converged() {
        return converged;
    }

    /**
     * Computes the decision values of each row for each class.
     *
     * @param features rows to score, {@code [n, dim]}, finite
     * @return decision values {@code x W^T + b}, {@code [n, n_classes]} row-major
     * @throws EvaluationException if the dimension differs from the training features or a value is not finite
     */
    public float[] scores(Features features) {
        Objects.requireNonNull(features, "features");
        if (features.dim() != dim) {
            throw new EvaluationException("features have dim " + features.dim() + ", the model was fitted on " + dim);
        }
        int k = classNames.size();
        int n = features.rows();
        float[] x = features.toArray();
        for (int i = 0; i < x.length; i++) {
            // NaN scores compare false, so predict would silently answer class 0 for such a row.
            if (!Float.isFinite(x[i])) {
                throw new EvaluationException("row " + i / dim + " of the features holds a non-finite value: " + x[i]);
            }
        }
        float[] out = new float[n * k];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < k; c++) {
                double s = bias[c];
                for (int j = 0; j < dim; j++) {
                    s += weights[c * dim + j] * x[i * dim + j];
                }
                out[i * k + c] = (float) s;
            }
        }
        return out;
    }

    /**
     * Predicts the class of each row: the class with the highest decision value.
     *
     * @param features rows to classify, finite
     * @return the predicted class of each row (ties to the lower index)
     * @throws EvaluationException if the dimension differs from the training features or a value is not finite
     */
    public int[] predict(Features features) {
        float[] s = scores(features);
        int k = classNames.size();
        int[] out = new int[features.rows()];
        for (int i = 0; i < out.length; i++) {
            int best = 0;
            for (int c = 1; c < k; c++) {
                if (s[i * k + c] > s[i * k + best]) {
                    best = c;
                }
            }
            out[i] = best;
        }
        return out;
    }

    /**
     * Scores the model on a labelled test set.
     *
     * @param test labelled rows with the same class names
     * @return top-1/top-5 and per-class accuracy of the decision values
     * @throws EvaluationException if the class names or dimension differ, or a feature value is not finite
     */
    public ClassificationAccuracy evaluate(LabeledFeatures test) {
        if (!test.classNames().equals(classNames)) {
            throw new EvaluationException("test classes " + test.classNames() + " differ from the training classes "
                    + classNames);
        }
        return ClassificationAccuracy.of(scores(test.features()), test.labels(), classNames);
    }
}
