/**
 * Zero-shot classification (CLIP paper section 3.1, openai/CLIP's zero-shot ImageNet notebook):
 * {@link io.clip4j.zeroshot.ZeroShotClassifier} puts every class name into every prompt template
 * ({@link io.clip4j.zeroshot.PromptTemplates}, e.g. the paper's 80 ImageNet templates), averages each class's
 * normalised text_features into one class embedding (prompt ensembling), and ranks classes for an image by the
 * softmax over {@code logit_scale * cos(image_features, class embedding)}, giving a
 * {@link io.clip4j.zeroshot.ZeroShotResult} of {@link io.clip4j.zeroshot.Prediction}s, best first.
 * A classifier is immutable and thread-safe: build it once and classify many images; it uses the
 * {@link io.clip4j.ClipModel} it was built with, which must stay open.
 */
package io.clip4j.zeroshot;
