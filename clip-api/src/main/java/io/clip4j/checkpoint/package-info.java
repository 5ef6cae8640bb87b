/**
 * Reading CLIP checkpoints without Python: {@link io.clip4j.checkpoint.CheckpointReader#read} recognises the format
 * from the content (OpenAI's TorchScript {@code .pt} archives, {@code torch.save} zip state dicts, safetensors files,
 * Hugging Face transformers {@code CLIPModel} and open_clip model directories) and returns a
 * {@link io.clip4j.checkpoint.StateDict} of {@link io.clip4j.checkpoint.TensorData} under OpenAI
 * ({@code clip/model.py}) names. {@link io.clip4j.checkpoint.ConfigInference} derives the
 * {@link io.clip4j.ClipConfig} as the reference {@code build_model} does (cross-checked with
 * {@link io.clip4j.checkpoint.HuggingFaceConfig} / {@link io.clip4j.checkpoint.OpenClipConfig}),
 * {@link io.clip4j.checkpoint.ImageTransformConfig} the preprocessing (both at once:
 * {@link io.clip4j.checkpoint.CheckpointConfig}); {@link io.clip4j.checkpoint.SafetensorsWriter} writes safetensors.
 *
 * <p>Pickles are read by a restricted unpickler that never executes code (tensors, dicts, lists only); tensor bytes
 * are memory-mapped where the layout allows, not copied onto the heap. Damaged or unsupported files are a
 * {@link io.clip4j.checkpoint.CheckpointException} naming the file. Android-usable, like all of clip-api.
 */
package io.clip4j.checkpoint;
