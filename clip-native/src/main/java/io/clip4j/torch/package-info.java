/**
 * The LibTorch engine: openai/CLIP's {@code clip/model.py} ({@code VisionTransformer}, {@code ModifiedResNet},
 * the text transformer, {@code CLIP.encode_image} / {@code encode_text}) on LibTorch through JavaCPP.
 * {@link io.clip4j.torch.TorchClipModelProvider} is the engine {@link io.clip4j.ClipModel#load} finds with
 * {@link java.util.ServiceLoader}; {@link io.clip4j.torch.TorchClip} builds the towers from a
 * {@link io.clip4j.checkpoint.StateDict} under OpenAI names on a CPU (float32) or CUDA GPU (float32, float16,
 * bfloat16), like {@code clip.load}. {@link io.clip4j.torch.ClipTowers} builds the same towers over caller-owned,
 * trainable tensors from a {@link io.clip4j.torch.ParameterFactory}, for training; and
 * {@link io.clip4j.torch.NativeLibraries} loads the bundled LibTorch by absolute path so that no other LibTorch on
 * the machine is mixed in.
 *
 * <p>{@code TorchClip} and the models are thread-safe and {@link java.lang.AutoCloseable}: they own native (host or
 * GPU) memory, freed by {@code close()}; {@code ClipTowers} is not thread-safe. Desktop and server JVMs only (the
 * natives of {@code org.bytedeco:pytorch}), not Android; a CUDA device needs the {@code -Pcuda} build.
 */
package io.clip4j.torch;
