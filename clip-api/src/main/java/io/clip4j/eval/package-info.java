/**
 * The CLIP paper's evaluations on frozen features (Radford et al. 2021, sections 3.1, 3.2 and Appendix A),
 * independent of any dataset format: they take {@link io.clip4j.data.LabeledDataset},
 * {@code List<}{@link io.clip4j.data.ImageCaption}{@code >} or precomputed {@link io.clip4j.eval.LabeledFeatures}.
 *
 * <ul>
 *   <li>{@link io.clip4j.eval.ZeroShotEvaluator}: zero-shot top-1/top-5/per-class accuracy with prompt
 *       ensembling ({@link io.clip4j.eval.ZeroShotEvaluation}, {@link io.clip4j.eval.ClassificationAccuracy}).</li>
 *   <li>{@link io.clip4j.eval.LinearProbe}: L2-regularised multinomial logistic regression
 *       ({@link io.clip4j.eval.LogisticRegression}) with C chosen by the paper's parametric binary search on a
 *       validation split ({@link io.clip4j.eval.LinearProbeResult}).</li>
 *   <li>{@link io.clip4j.eval.FewShotProbe}: k-shot probes averaged over seeds, next to zero-shot accuracy
 *       ({@link io.clip4j.eval.FewShotResult}).</li>
 *   <li>{@link io.clip4j.eval.RetrievalEvaluator}: image-text recall@1/5/10 both ways
 *       ({@link io.clip4j.eval.RetrievalResult}).</li>
 * </ul>
 *
 * <h2>Protocol choices</h2>
 * <ul>
 *   <li><b>Solver.</b> A pure-Java L-BFGS in double precision (10 correction pairs, strong Wolfe line
 *       search) on scikit-learn &ge; 1.4's objective: mean cross-entropy + {@code ||W||^2 / (2 C n)},
 *       intercept unpenalised (for two classes sklearn's binary model: one weight vector, penalised
 *       {@code ||w||^2 / (2 C n)}), stopping at {@code max|gradient| <= tol} (default 1e-4), a relative decrease
 *       below 64 machine epsilons, or 1,000 iterations. Older scikit-learn (1.2.1 and the paper's era) minimised
 *       {@code sum CE + ||W||^2 / (2 C)} with the same {@code tol}, a criterion n times stricter; pass
 *       {@code tol / n} to imitate it (those versions also stop on scipy's default relative decrease, 2.2e-9).
 *       The optima agree with scikit-learn's (testdata/linear-probe). The solver is pure Java (not LibTorch's {@code LBFGS}) so that it is
 *       deterministic, runs in double like scipy, works on Android, and needs no native callback; the
 *       loss/gradient pass is parallel over fixed row blocks (the result does not depend on the thread count).</li>
 *   <li><b>Features.</b> The projected image_features {@code encode_image} returns, raw (the paper used the
 *       representation before the projection for ViT models, which {@code ClipModel} does not expose; the
 *       CLIP README's linear-probe example uses the projected, unnormalised features). Optional L2
 *       normalisation; no standardisation (sklearn's estimator does none).</li>
 *   <li><b>C sweep.</b> log10 C on -6, -4, ..., 6, then halving around the best down to 1/8 decade (at most
 *       15 fits), scored by validation top-1; ties keep the earlier (coarse grid: smaller C). The validation
 *       split is 20% of each class of the training set (stratified, seeded) unless a validation set is
 *       given; the final classifier is refitted on train + validation.</li>
 *   <li><b>Few-shot.</b> k examples per class, drawn with {@code java.util.Random(seed)} for seeds
 *       0..seeds-1; a fixed C (default 0.316, the CLIP README's value) since k-shot sets leave no
 *       validation data.</li>
 *   <li><b>Ties.</b> Equal scores rank by lower index (class or item), never in favour of the true item
 *       unless it comes first. With fewer than 5 classes top-5 is 1.</li>
 *   <li><b>Retrieval.</b> Cosine similarity; an image's captions are the pairs whose image has the same
 *       {@code toString()} (the path for files); recall counts a hit when any of them ranks in the top K.</li>
 * </ul>
 */
package io.clip4j.eval;
