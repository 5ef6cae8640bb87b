package io.clip4j.cli;

import io.clip4j.ImagePipeline;
import picocli.CommandLine.Option;

/** How a model-using command's images are preprocessed (picocli mixin; {@code info} reads no images, so lacks it). */
final class ImageOptions {
    @Option(names = "--image-pipeline", defaultValue = "AUTO", paramLabel = "AUTO|JAVA|KERNELS",
            description = "Image preprocessing: JAVA (clip-api), KERNELS (fused clip4j kernels writing into the "
                    + "encoder's input tensor, on the GPU with --device cuda) or AUTO (KERNELS on CUDA, JAVA on the "
                    + "CPU; default). All give the reference pixels; zero-shot scores may differ in the last float "
                    + "digits (KERNELS scores in its own kernel).")
    ImagePipeline imagePipeline = ImagePipeline.AUTO;

    @Option(names = "--apply-exif", description = "Rotate images by their EXIF orientation (the reference does not).")
    boolean applyExif;
}
