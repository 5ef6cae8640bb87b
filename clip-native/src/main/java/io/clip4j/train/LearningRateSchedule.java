package io.clip4j.train;

/**
 * Linear warm-up then cosine decay (the schedule of the CLIP paper section 2.5 and open_clip's
 * {@code cosine_lr}): for step {@code s} (0-based), {@code lr = base * (s + 1) / warmup} while
 * {@code s < warmup}, then {@code lr = 0.5 * (1 + cos(pi * (s - warmup) / (total - warmup))) * base}, reaching 0
 * at {@code s = total} and staying 0 after it. With {@code warmup >= total} (where open_clip would divide by zero or
 * a negative length) the rate stays at {@code base} once the warm-up is over. Immutable.
 *
 * @param baseLr      peak learning rate, &gt; 0
 * @param warmupSteps warm-up steps, &ge; 0
 * @param totalSteps  total optimisation steps, &gt; 0
 */
public record LearningRateSchedule(double baseLr, long warmupSteps, long totalSteps) {
    /**
     * Creates a schedule.
     *
     * @param baseLr      peak learning rate, &gt; 0
     * @param warmupSteps warm-up steps, &ge; 0
     * @param totalSteps  total optimisation steps, &gt; 0
     * @throws IllegalArgumentException for a non-positive rate or total, or a negative warm-up
     */
    public LearningRateSchedule {
        if (!(baseLr > 0) || Double.isInfinite(baseLr)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + baseLr);
        }
        if (warmupSteps < 0 || totalSteps <= 0) {
            throw new IllegalArgumentException("need warmup >= 0 and total steps > 0, got warmup " + warmupSteps
                    + ", total " + totalSteps);
        }
    }

    /**
     * Returns the learning rate of one step: linear warm-up, then cosine decay.
     *
     * @param step 0-based optimisation step, &ge; 0
     * @return the learning rate used for that step, in [0, base]
     * @throws IllegalArgumentException if {@code step < 0}
     */
    public double at(long step) {
        if (step < 0) {
            // Why: the warm-up formula gave -Infinity (no warm-up), NaN or a negative rate for it, not a rate "in
            // [0, base]" as promised.
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        if (step < warmupSteps) {
            return baseLr * (step + 1) / warmupSteps;
        }
        long decay = totalSteps - warmupSteps;
        if (decay <= 0) {
            return baseLr;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / decay);
        return 0.5 * (1 + Math.cos(Math.PI * progress)) * baseLr;
    }
}
