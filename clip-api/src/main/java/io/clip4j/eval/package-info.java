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
 *       search) on scikit-learn's objective, kept mean-scaled: mean cross-entropy + {@code ||W||^2 / (2 C n)},
 *       intercept unpenalised (for two classes sklearn's binary model: one weight vector, penalised
 *       {@code ||w||^2 / (2 C n)}). Fits stop like the paper's scikit-learn (before 1.4; the default,
 *       {@link io.clip4j.eval.LogisticRegression.Stopping#SKLEARN_BEFORE_1_4}), which hands scipy's L-BFGS-B n times
 *       this objective: {@code max|gradient| <= tol} (default 1e-4) and a relative decrease below 2.2e-9, both of the
 *       sum-scaled objective, or 1,000 iterations. {@link io.clip4j.eval.LogisticRegression.Stopping#SKLEARN_1_4}
 *       gives scikit-learn 1.4 and later's rules (the mean-scaled gradient, n times looser, and 64 machine epsilons).
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
