package io.clip4j.eval;

import java.util.stream.IntStream;

/**
 * The objective scikit-learn's {@code LogisticRegression(C, solver="lbfgs")} minimises (its {@code LinearModelLoss}
 * with {@code l2_reg_strength = 1 / (C n)}, scikit-learn 1.4 and later; earlier versions minimise n times it): mean
 * cross-entropy of {@code softmax(W x + b)} plus {@code ||W||^2 / (2 C n)}; the intercept b is not penalised. Up to
 * the factor {@code 1 / (C n)} this is the textbook {@code C * sum_i CE_i + ||W||^2 / 2}, so both have the same
 * minimiser.
 *
 * <p>When the labels hold exactly two classes, scikit-learn fits its binary model instead: one vector
 * {@code w} and intercept {@code b}, {@code P(second class) = sigmoid(w x + b)}, penalised
 * {@code ||w||^2 / (2 C n)}. Here the two rows stay: their difference plays {@code w}, and the penalty is doubled
 * to {@code ||W||^2 / (C n)} (the multinomial one with C / 2). The minimiser has {@code W[0] = -W[1]} (the cross-entropy
 * depends on the difference only, and the penalty is smallest with the rows opposite), where
 * {@code ||W||^2 / (C n) = ||W[1] - W[0]||^2 / (2 C n)}: the same value, probabilities and optimum as sklearn's
 * binary fit, and the gradient with respect to one row is the binary gradient, so the tolerance means the same.
 * With the multinomial penalty on two rows the optimum would be sklearn's binary one at 2 C.
 *
 * <p>Parameters are laid out as W {@code [n_classes, dim]} row-major followed by b {@code [n_classes]}.
 * Rows are processed in fixed blocks in parallel and the block sums are added in block order, so the
 * result does not depend on the number of threads.
 */
final class LogisticObjective implements DifferentiableFunction {
    private static final int BLOCK = 512;

    private final float[] x;
    private final int[] y;
    private final int n;
    private final int dim;
    private final int classes;
    /** C of the multinomial penalty: C, or C / 2 when exactly two classes have examples (see above). */
    private final double penaltyC;

    /**
     * @param x       features {@code [n, dim]} row-major (not copied)
     * @param y       labels in [0, classes), length n (not copied)
     * @param dim     feature dimension
     * @param classes number of classes, &ge; 2
     * @param c       inverse regularisation strength, &gt; 0
     */
    LogisticObjective(float[] x, int[] y, int dim, int classes, double c) {
        this.x = x;
        this.y = y;
        this.n = y.length;
        this.dim = dim;
        this.classes = classes;
        this.penaltyC = presentClasses(y, classes) == 2 ? c / 2 : c;
    }

    /** Number of classes with at least one example: the classes sklearn sees in {@code y}. */
    static int presentClasses(int[] y, int classes) {
        boolean[] seen = new boolean[classes];
        int count = 0;
        for (int label : y) {
            if (!seen[label]) {
                seen[label] = true;
                count++;
            }
        }
        return count;
    }

    @Override
    public int dimension() {
        return classes * (dim + 1);
    }

    @Override
    public double evaluate(double[] w, double[] gradient) {
        int blocks = (n + BLOCK - 1) / BLOCK;
        int size = dimension();
        double[][] partG = new double[blocks][];
        double[] partF = new double[blocks];
        IntStream.range(0, blocks).parallel().forEach(bi -> {
            double[] g = new double[size];
            partF[bi] = block(w, g, bi * BLOCK, Math.min(n, (bi + 1) * BLOCK));
            partG[bi] = g;
        });
        java.util.Arrays.fill(gradient, 0);
        double f = 0;
        for (int bi = 0; bi < blocks; bi++) {
            f += partF[bi];
            double[] g = partG[bi];
            for (int i = 0; i < size; i++) {
                gradient[i] += g[i];
            }
        }
        double penalty = 0;
        int nw = classes * dim;
        for (int i = 0; i < nw; i++) {
            penalty += w[i] * w[i];
        }
        double scale = 1.0 / n;
        double reg = 1.0 / (penaltyC * n);
        for (int i = 0; i < size; i++) {
            gradient[i] = gradient[i] * scale + (i < nw ? reg * w[i] : 0);
        }
        return f * scale + 0.5 * reg * penalty;
    }

    /** Sum of the cross-entropies of rows [from, to), adding their gradient into g. */
    private double block(double[] w, double[] g, int from, int to) {
        double[] z = new double[classes];
        int bOff = classes * dim;
        double loss = 0;
        for (int r = from; r < to; r++) {
            int xo = r * dim;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                double s = w[bOff + k];
                int wo = k * dim;
                for (int j = 0; j < dim; j++) {
                    s += w[wo + j] * x[xo + j];
                }
                z[k] = s;
                max = Math.max(max, s);
            }
            int label = y[r];
            double zLabel = z[label];
            double sum = 0;
            for (int k = 0; k < classes; k++) {
                z[k] = Math.exp(z[k] - max);
                sum += z[k];
            }
            // -log softmax(z)[label] = logsumexp(z) - z[label]; exact even when exp underflows.
            loss += max + Math.log(sum) - zLabel;
            for (int k = 0; k < classes; k++) {
                double delta = z[k] / sum - (k == label ? 1 : 0);
                int wo = k * dim;
                for (int j = 0; j < dim; j++) {
                    g[wo + j] += delta * x[xo + j];
                }
                g[bOff + k] += delta;
            }
        }
        return loss;
    }
}
