/**
 * Datasets and image files for evaluation and training. Readers: {@link io.clip4j.data.ClassFolders}
 * ({@code root/<class>/<image>}, torchvision's {@code ImageFolder}), {@link io.clip4j.data.IdxDataset}
 * (MNIST-format IDX files) into a {@link io.clip4j.data.LabeledDataset} of {@link io.clip4j.data.LabeledImage}s;
 * {@link io.clip4j.data.CaptionFile} (CSV / JSONL captions) and {@link io.clip4j.data.PathCaptions} (captions from
 * paths) into {@link io.clip4j.data.ImageCaption} pairs. {@link io.clip4j.data.ImageFolders} finds image files by
 * extension, and {@link io.clip4j.data.ImageBatches} runs a batched computation over files so that an undecodable
 * file costs only itself.
 *
 * <p>Training input: {@link io.clip4j.data.ContrastiveBatches} cuts {@link io.clip4j.data.CaptionedImages} into
 * seeded batches ({@link io.clip4j.data.Shuffle}, optional {@link io.clip4j.data.RandomResizedCrop} in the manner of
 * torchvision's), the same for any step in any order or thread, so resuming is exact; it is thread-safe. The
 * dataset types are immutable records. Android-usable, like all of clip-api.
 */
package io.clip4j.data;
