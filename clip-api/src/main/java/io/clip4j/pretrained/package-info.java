/**
 * Released checkpoints by name, as the reference's {@code clip.load(name)} offers them, and Hugging Face hub models
 * by repo id ({@link io.clip4j.pretrained.HuggingFaceHub}, in the cache Python's {@code huggingface_hub} shares,
 * {@link io.clip4j.pretrained.HuggingFaceCache}):
 * {@link io.clip4j.pretrained.PretrainedModels} lists OpenAI's nine models ({@code clip.available_models()}) and
 * {@link io.clip4j.pretrained.ModelDownloader} fetches one into a cache folder ({@code ~/.cache/clip} by default,
 * shared with the Python package), verifying its SHA-256 like {@code clip._download}.
 */
package io.clip4j.pretrained;
