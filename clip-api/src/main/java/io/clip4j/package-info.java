/**
 * The public face of clip4j, the Java counterpart of openai/CLIP's {@code clip.load} and the {@code CLIP} module:
 * {@link io.clip4j.ClipModel} (loaded with {@link io.clip4j.ClipModel#load} or configured through
 * {@link io.clip4j.ClipModel.Builder}) encodes images and texts into {@link io.clip4j.Features} and scores them
 * like {@code CLIP.forward} ({@link io.clip4j.SimilarityResult}); {@link io.clip4j.ClipConfig} holds the
 * hyper-parameters ({@code build_model}'s, and the nine OpenAI configurations), {@link io.clip4j.Device},
 * {@link io.clip4j.Precision} and {@link io.clip4j.ImagePipeline} say where and how a model runs.
 *
 * <p>A {@code ClipModel} is thread-safe and {@link java.lang.AutoCloseable} (it holds native memory: use
 * try-with-resources). Loading needs an engine on the class path, found with {@link java.util.ServiceLoader}
 * (clip-native's LibTorch engine; see {@link io.clip4j.spi}). Unreadable files, undecodable images and engine
 * failures are {@link io.clip4j.ClipException} subtypes whose one-line message names the input; a wrong argument is
 * an {@link java.lang.IllegalArgumentException} or {@link java.lang.NullPointerException}. This package, like all
 * of clip-api but the desktop-only {@link io.clip4j.image.AwtImages}, runs on Android API 26 (the engine that loads
 * a model may not).
 */
package io.clip4j;
