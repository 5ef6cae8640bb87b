package io.clip4j.eval;

import java.util.Locale;

/**
 * Zero-shot classification accuracy of a dataset (CLIP paper section 3.1). Immutable; serialises to JSON
 * with Jackson.
 *
 * @param dataset       the dataset's name
 * @param templateCount prompt templates ensembled per class
 * @param accuracy      top-1, top-5 and per-class accuracy
 */
public record ZeroShotEvaluation(String dataset, int templateCount, ClassificationAccuracy accuracy) {
    /** {@return a human-readable report} */
    public String summary() {
        return String.format(Locale.ROOT, "zero-shot on %s (%d template%s)%n", dataset, templateCount,
                templateCount == 1 ? "" : "s") + accuracy.summary();
    }
}
