package io.clip4j.eval;

/** A smooth objective for {@link Lbfgs}: value and gradient at a point, both in double precision. */
interface DifferentiableFunction {
    /** @return the number of parameters */
    int dimension();

    /**
     * @param x        the point, length {@link #dimension()}; not modified
     * @param gradient receives the gradient at x, length {@link #dimension()}
     * @return the value at x
     */
    double evaluate(double[] x, double[] gradient);
}
