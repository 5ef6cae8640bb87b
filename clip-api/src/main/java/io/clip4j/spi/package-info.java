/**
 * The engine service-provider interface behind {@link io.clip4j.ClipModel#load}: an engine registers a
 * {@link io.clip4j.spi.ClipModelProvider} in {@code META-INF/services} (clip-native registers its LibTorch engine)
 * and usually extends {@link io.clip4j.spi.AbstractClipModel}, which owns the tokenizer, the image preprocessor
 * and the batching, so that an engine implements only the two towers ({@code encodePixels} and
 * {@code encodeTokens}), {@code logitScale} and {@code close}. {@link io.clip4j.spi.ZeroShotArguments} holds the argument checks every
 * implementation of {@link io.clip4j.ClipModel#zeroShotTopK} shares, {@link io.clip4j.spi.TowerInputs} those of
 * the two towers' inputs. For engine authors; users call
 * {@link io.clip4j.ClipModel} only.
 */
package io.clip4j.spi;
