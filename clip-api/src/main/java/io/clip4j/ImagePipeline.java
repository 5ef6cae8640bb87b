package io.clip4j;

/**
 * Which code turns decoded images into the image tower's input ({@link ClipModel.Builder#imagePipeline}).
 * Every choice reproduces the reference {@code preprocess} (Pillow 9.4 bicubic resize, center crop,
 * normalise) bit for bit; they differ in where the work runs and how many copies it makes.
 */
public enum ImagePipeline {
    /** {@link #KERNELS} when the model runs on a CUDA device, {@link #JAVA} on the CPU. */
    AUTO,
    /**
     * clip-api's pure-Java {@link io.clip4j.image.ImagePreprocessor} into a {@code float[]}, then one upload
     * to the model's device.
     */
    JAVA,
    /**
     * The clip-cuda fused preprocessing kernel writes the normalised batch straight into the memory of the
     * encoder's input tensor: on a CUDA device, into GPU memory (no copy through the host), else into the
     * host tensor. Images are decoded on CPU threads first; images the kernel does not take are preprocessed by
     * clip-api and copied in, with the same pixels: modes other than plain RGB (palette, greyscale, alpha, CMYK,
     * 16-bit greyscale, and RGB that came from a palette), a TIFF turned on load (Orientation 5 to 8, resized from
     * its stored size as Pillow does), a side beyond 1,048,576 pixels, and every image of a model whose preprocessing
     * is the squash resize (open_clip's {@code resize_mode='squash'}, or a Hugging Face
     * {@code preprocessor_config.json} with a square {@code size}). Falls back to the CPU kernel (logged once) when
     * the kernels library cannot use the GPU.
     */
    KERNELS;

    /**
     * Resolves {@link #AUTO} for a device: the fused kernels on CUDA, Java preprocessing on the CPU.
     *
     * @param cuda whether the model runs on a CUDA device
     * @return the pipeline this choice means there: {@link #KERNELS} or {@link #JAVA}, never {@link #AUTO}
     */
    public ImagePipeline resolve(boolean cuda) {
        return this == AUTO ? (cuda ? KERNELS : JAVA) : this;
    }
}
