package io.clip4j.train;

/**
 * Optimisation settings of a {@link Trainer}. Defaults follow the CLIP paper's ViT settings (section 2.5; common
 * hyperparameters in Table 18, learning rates in Tables 19 and 20): AdamW with beta1 0.9, beta2 0.98, eps 1e-6 (the
 * paper's ResNets used 0.999 and 1e-8), weight decay 0.2; peak learning rate 5e-4 (ViT-B/32's), cosine decay ({@link LearningRateSchedule}). Unlike the paper (2,000 warm-up
 * iterations) the default has no warm-up, and the default run is 1,000 steps; no gradient clipping. Immutable;
 * create with {@link #builder()}.
 *
 * @param totalSteps    number of optimisation steps of the whole run (the cosine schedule's length), &gt; 0
 * @param learningRate  peak learning rate, &gt; 0, finite and not 0 in float32 (the parameters' type)
 * @param weightDecay   decoupled weight decay of the decaying group ({@link WeightDecayRule}), &ge; 0, with
 *                      {@code learningRate * weightDecay} finite in float32
 * @param warmupSteps   linear warm-up steps, &ge; 0
 * @param beta1         Adam beta1 in [0, 1)
 * @param beta2         Adam beta2 in [0, 1)
 * @param eps           Adam epsilon, &gt; 0, finite and not 0 in float32
 * @param gradClipNorm  clip the global gradient L2 norm to this value; 0 disables clipping
 * @param freezeImage   lock the image tower ("LiT")
 * @param freezeText    lock the text tower
 */
public record TrainOptions(long totalSteps, double learningRate, double weightDecay, long warmupSteps,
                           double beta1, double beta2, double eps, double gradClipNorm, boolean freezeImage,
                           boolean freezeText) {
    /**
     * Checks and creates the options.
     *
     * @param totalSteps   number of optimisation steps of the whole run (the cosine schedule's length), &gt; 0
     * @param learningRate peak learning rate, &gt; 0, finite and not 0 in float32 (the parameters' type)
     * @param weightDecay  decoupled weight decay of the decaying group ({@link WeightDecayRule}), &ge; 0, with
     *                     {@code learningRate * weightDecay} finite in float32
     * @param warmupSteps  linear warm-up steps, &ge; 0
     * @param beta1        Adam beta1 in [0, 1)
     * @param beta2        Adam beta2 in [0, 1)
     * @param eps          Adam epsilon, &gt; 0, finite and not 0 in float32
     * @param gradClipNorm clip the global gradient L2 norm to this value; 0 disables clipping
     * @param freezeImage  lock the image tower ("LiT")
     * @param freezeText   lock the text tower
     * @throws IllegalArgumentException if a value is out of range (float32's included) or both towers are frozen
     */
    public TrainOptions {
        new LearningRateSchedule(learningRate, warmupSteps, totalSteps); // validates the three
        // Infinite weight decay turns the weights into NaN at the first step; an infinite eps zeroes every update.
        if (!(weightDecay >= 0 && weightDecay < Double.POSITIVE_INFINITY) || !(beta1 >= 0 && beta1 < 1)
                || !(beta2 >= 0 && beta2 < 1) || !(eps > 0 && eps < Double.POSITIVE_INFINITY) || !(gradClipNorm >= 0)) {
            throw new IllegalArgumentException("bad optimiser setting: weight decay " + weightDecay + ", betas ("
                    + beta1 + ", " + beta2 + "), eps " + eps + ", gradient clip " + gradClipNorm);
        }
        // LibTorch computes the update in float32, the parameters' type: an eps or rate that rounds to 0 or infinity
        // there gives 0 / 0 = NaN for every weight whose gradient is 0 (eps 1e-50), no update at all, or a decay
        // factor (1 - lr * weight decay) of -infinity (weight decay 1e300): NaN weights after a step that returned
        // normally, reported one step later as a NaN loss with "learning rate too high?".
        if (!inFloat32(eps) || !inFloat32(learningRate) || !Float.isFinite((float) (learningRate * weightDecay))) {
            throw new IllegalArgumentException("optimiser setting beyond float32, in which LibTorch computes the "
                    + "update: learning rate " + learningRate + ", eps " + eps + ", learning rate x weight decay "
                    + learningRate * weightDecay + " (each must be 0 < x <= 3.4e38 in float32, and eps and the learning "
                    + "rate at least 1.4e-45)");
        }
        if (freezeImage && freezeText) {
            throw new IllegalArgumentException("both towers are frozen: nothing would be trained");
        }
    }

    /** Whether a positive value neither rounds to 0 nor overflows in float32. */
    private static boolean inFloat32(double v) {
        float f = (float) v;
        return f > 0 && Float.isFinite(f);
    }

    /** {@return a builder with the defaults (1000 steps)} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the learning-rate schedule of these options} */
    public LearningRateSchedule schedule() {
        return new LearningRateSchedule(learningRate, warmupSteps, totalSteps);
    }

    /** Builder of {@link TrainOptions}; not thread-safe. */
    public static final class Builder {
        private long totalSteps = 1000;
        private double learningRate = 5e-4;
        private double weightDecay = 0.2;
        private long warmupSteps;
        private double beta1 = 0.9;
        private double beta2 = 0.98;
        private double eps = 1e-6;
        private double gradClipNorm;
        private boolean freezeImage;
        private boolean freezeText;

        private Builder() {
        }

        /**
         * Sets the number of optimisation steps of the whole run (the cosine schedule's length).
         *
         * @param v total optimisation steps
         * @return this
         */
        public Builder totalSteps(long v) {
            totalSteps = v;
            return this;
        }

        /**
         * Sets the peak learning rate.
         *
         * @param v peak learning rate
         * @return this
         */
        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        /**
         * Sets AdamW's decoupled weight decay of the decaying parameter group.
         *
         * @param v weight decay of the decaying group
         * @return this
         */
        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        /**
         * Sets the number of linear warm-up steps.
         *
         * @param v warm-up steps
         * @return this
         */
        public Builder warmupSteps(long v) {
            warmupSteps = v;
            return this;
        }

        /**
         * Sets Adam's beta1 and beta2.
         *
         * @param b1 Adam beta1
         * @param b2 Adam beta2
         * @return this
         */
        public Builder betas(double b1, double b2) {
            beta1 = b1;
            beta2 = b2;
            return this;
        }

        /**
         * Sets Adam's epsilon.
         *
         * @param v Adam epsilon
         * @return this
         */
        public Builder eps(double v) {
            eps = v;
            return this;
        }

        /**
         * Sets the largest global gradient L2 norm (gradient clipping).
         *
         * @param v largest global gradient norm, 0 = no clipping
         * @return this
         */
        public Builder gradClipNorm(double v) {
            gradClipNorm = v;
            return this;
        }

        /**
         * Sets which towers are frozen (locked-image tuning, "LiT", freezes the image tower).
         *
         * @param image lock the image tower
         * @param text lock the text tower
         * @return this
         */
        public Builder freeze(boolean image, boolean text) {
            freezeImage = image;
            freezeText = text;
            return this;
        }

        /**
         * Checks the values and creates the options.
         *
         * @return the options
         * @throws IllegalArgumentException if a value is out of range or both towers are frozen
         */
        public TrainOptions build() {
            return new TrainOptions(totalSteps, learningRate, weightDecay, warmupSteps, beta1, beta2, eps,
                    gradClipNorm, freezeImage, freezeText);
        }
    }
}
