package io.clip4j.image;

import io.clip4j.ClipException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;

/**
 * CLIP's image preprocessing, {@code clip.clip._transform(n_px)} of openai/CLIP, reproduced exactly:
 * {@code Resize(n, BICUBIC)} (Pillow 9.4 arithmetic, in the image's own mode) -&gt; {@code CenterCrop(n)}
 * -&gt; {@code convert("RGB")} -&gt; {@code ToTensor()} -&gt; {@code Normalize(mean, std)}.
 *
 * <p>Output {@code pixel_values}: float32 {@code [3, n, n]} channel-first (RGB, row, column), flattened
 * into a {@code float[]}; batches are {@code [batch, 3, n, n]}. With the defaults the result equals the
 * reference {@code preprocess(Image.open(path))} bit for bit whenever the decoder gives Pillow 9.4's pixels, as
 * clip-api's PNG, JPEG, WebP, GIF, BMP and TIFF decoders do. The preprocessing and its decoders use no java.awt
 * (Android-safe); {@link AwtImages}, kept apart, converts a desktop {@code BufferedImage}. {@link Builder#squash} gives open_clip's {@code resize_mode='squash'} instead of
 * Resize + CenterCrop, {@link Builder#mean} / {@link Builder#std} another normalisation.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ImagePreprocessor {
    /**
     * Pillow's {@code Image.MAX_IMAGE_PIXELS} (89,478,485 = 1024 * 1024 * 1024 / 4 / 3). Pillow only
     * warns above it and raises above twice it; clip4j rejects anything above it by default.
     */
    public static final long PILLOW_MAX_IMAGE_PIXELS = 89_478_485L;
    // Private: a public array could be changed by anyone, and with it every default preprocessor in the process.
    private static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
    private static final double[] CLIP_STD = {0.26862954, 0.26130258, 0.27577711};
    /** Default largest encoded file accepted: 512 MiB. */
    public static final long DEFAULT_MAX_FILE_BYTES = 512L << 20;

    /** {@return CLIP's normalisation mean (R, G, B), as in {@code clip.clip._transform}; a new array per call} */
    public static double[] clipMean() {
        return CLIP_MEAN.clone();
    }

    /** {@return CLIP's normalisation standard deviation (R, G, B), as in {@code clip.clip._transform}; a new array
     * per call} */
    public static double[] clipStd() {
        return CLIP_STD.clone();
    }

    private final int size;
    private final float[] mean;
    private final float[] std;
    private final boolean applyExifOrientation;
    private final boolean squash;
    private final long maxPixels;
    private final long maxFileBytes;
    private final ImageDecoders decoders;
    private final Executor executor;
    private final int parallelism;

    private ImagePreprocessor(Builder b) {
        this.size = b.size;
        this.mean = toFloat(b.mean);
        this.std = toFloat(b.std);
        this.applyExifOrientation = b.applyExifOrientation;
        this.squash = b.squash;
        this.maxPixels = b.maxPixels;
        this.maxFileBytes = b.maxFileBytes;
        this.decoders = b.decoders != null ? b.decoders : ImageDecoders.defaults();
        this.executor = b.executor;
        this.parallelism = b.parallelism;
    }

    /** {@return a preprocessor with the CLIP defaults (224, CLIP mean/std, no EXIF rotation)} */
    public static ImagePreprocessor clip() {
        return builder().build();
    }

    /**
     * Returns the reference CLIP preprocessing for another image_resolution.
     *
     * @param imageResolution the model's image_resolution (e.g. 224, 336), 1..16384
     * @return a preprocessor with CLIP mean/std for that resolution
     * @throws IllegalArgumentException if imageResolution is outside 1..16384
     */
    public static ImagePreprocessor clip(int imageResolution) {
        return builder().size(imageResolution).build();
    }

    /** {@return a builder initialised with the CLIP defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the output side {@code n} (image_resolution)} */
    public int size() {
        return size;
    }

    /**
     * Returns the resize mode: squash, or resize shortest side and center crop.
     *
     * @return true when images are resized straight to {@code n x n} (open_clip's {@code resize_mode='squash'}),
     *         false for CLIP's {@code Resize(n)} + {@code CenterCrop(n)}
     */
    public boolean squash() {
        return squash;
    }

    /** {@return the number of floats of one image's output: {@code 3 * n * n}} */
    public int valuesPerImage() {
        return 3 * size * size;
    }

    /**
     * Decodes and preprocesses an image file like the reference {@code preprocess} transform.
     *
     * @param file an image file
     * @return pixel_values, float32 {@code [3, n, n]}
     * @throws NullPointerException if {@code file} is null
     * @throws ImageDecodeException if the file cannot be read or decoded (message names the file)
     */
    public float[] preprocess(Path file) {
        return preprocess(ImageInput.of(file));
    }

    /**
     * Decodes and preprocesses the bytes of an image file like the reference {@code preprocess} transform.
     *
     * @param encoded the bytes of an image file
     * @return pixel_values, float32 {@code [3, n, n]}
     * @throws NullPointerException if {@code encoded} is null
     * @throws ImageDecodeException if the bytes cannot be decoded
     */
    public float[] preprocess(byte[] encoded) {
        return preprocess(ImageInput.ofEncoded(encoded, null));
    }

    /**
     * Decodes and preprocesses an image file read from a stream like the reference {@code preprocess} transform.
     *
     * @param in a stream holding one image file, read to its end (not closed)
     * @return pixel_values, float32 {@code [3, n, n]}
     * @throws NullPointerException if {@code in} is null
     * @throws ImageDecodeException if the stream cannot be read or decoded
     */
    public float[] preprocess(InputStream in) {
        return preprocess(ImageInput.of(in, null));
    }

    /**
     * Preprocesses decoded pixels like the reference {@code preprocess} transform.
     *
     * @param image decoded pixels (its mode decides the resampling, as in Pillow)
     * @return pixel_values, float32 {@code [3, n, n]}
     * @throws NullPointerException if {@code image} is null
     * @throws ImageDecodeException if the image has more pixels than the configured limit
     */
    public float[] preprocess(DecodedImage image) {
        return preprocess(ImageInput.of(image));
    }

    /**
     * Raw interleaved pixels, e.g. camera frames; see {@link ImageInput#ofPixels}.
     *
     * @param pixels {@code height * width * mode.channels()} samples
     * @param width  columns
     * @param height rows
     * @param mode   RGB, RGBA (straight alpha), L, LA or CMYK
     * @return pixel_values, float32 {@code [3, n, n]}
     * @throws IllegalArgumentException as {@link ImageInput#ofPixels}
     * @throws ImageDecodeException     if the image has more pixels than the configured limit
     */
    public float[] preprocessPixels(byte[] pixels, int width, int height, PixelMode mode) {
        return preprocess(ImageInput.ofPixels(pixels, width, height, mode));
    }

    /**
     * Decodes and preprocesses one input like the reference {@code preprocess} transform (resize, center crop, RGB,
     * normalise).
     *
     * @param input any input
     * @return pixel_values, float32 {@code [3, n, n]}
     * @throws NullPointerException if {@code input} is null
     * @throws ImageDecodeException if the input cannot be decoded or has more pixels than the configured limit
     */
    public float[] preprocess(ImageInput input) {
        float[] out = new float[valuesPerImage()];
        toPixelValues(resizeCropRgb(input), out, 0);
        return out;
    }

    /**
     * The image after Resize + CenterCrop (or the squash resize) + convert("RGB"), i.e. what {@code ToTensor}
     * receives.
     *
     * @param input any input
     * @return uint8 {@code [n, n, 3]} HWC (row, column, R/G/B), unsigned bytes
     * @throws NullPointerException if {@code input} is null
     * @throws ImageDecodeException if the input cannot be decoded or has more pixels than the configured limit
     */
    public byte[] resizeCropRgb(ImageInput input) {
        DecodedImage img = decode(input);
        return ClipTransform.resizeCropRgb(img, size, squash);
    }

    /**
     * Decodes an input as the pipeline sees it (EXIF orientation applied when configured).
     *
     * @param input any input
     * @return the decoded image
     * @throws NullPointerException if {@code input} is null
     * @throws ImageDecodeException if the input cannot be decoded or has more pixels than the configured limit
     */
    public DecodedImage decode(ImageInput input) {
        Objects.requireNonNull(input, "input");
        DecodedImage img = input.decode(decoders, maxPixels, maxFileBytes);
        if ((long) img.width() * img.height() > maxPixels) {
            throw new ImageDecodeException(input + ": image is " + img.width() + "x" + img.height()
                    + " pixels, more than the limit of " + maxPixels);
        }
        return applyExifOrientation ? ExifTransform.apply(img) : img;
    }

    /**
     * {@code ToTensor()} + {@code Normalize(mean, std)}: {@code ((float) v / 255f - mean[c]) / std[c]} in float32.
     *
     * @param rgbU8  uint8 {@code [n, n, 3]} HWC, as returned by {@link #resizeCropRgb}
     * @param out    destination, float32 {@code [.., 3, n, n]}
     * @param offset where the {@code [3, n, n]} block starts in {@code out}
     * @throws NullPointerException     if an array is null
     * @throws IllegalArgumentException if {@code rgbU8} is not {@code 3 * n * n} long, offset is negative, or
     *                                  {@code out} has no room for {@code 3 * n * n} values at offset
     */
    public void toPixelValues(byte[] rgbU8, float[] out, int offset) {
        int plane = size * size;
        if (rgbU8.length != 3 * plane || offset < 0 || out.length - offset < 3 * plane) {
            throw new IllegalArgumentException("expected " + (3 * plane) + " RGB bytes and room for " + (3 * plane)
                    + " floats at offset " + offset);
        }
        ClipTransform.toTensor(rgbU8, size, mean, std, out, offset);
    }

    /**
     * Preprocesses many inputs in parallel (the calling thread and up to {@code parallelism - 1} tasks on the
     * configured executor) into one batch. An interrupt of the calling thread stops the batch: the call then throws
     * {@link ClipException}, leaving the interrupt status set.
     *
     * @param inputs images; output row {@code i} is {@code inputs.get(i)}
     * @return pixel_values, float32 {@code [inputs.size(), 3, n, n]}
     * @throws NullPointerException     if {@code inputs} is null
     * @throws ImageDecodeException     naming the index and input of the first failure found
     * @throws IllegalArgumentException if an element is null
     * @throws ClipException            if {@code [inputs.size(), 3, n, n]} does not fit one Java array, the
     *                                  configured executor refuses a task (throws from {@code execute}), or the
     *                                  calling thread is interrupted
     */
    public float[] preprocessBatch(List<? extends ImageInput> inputs) {
        int count = Objects.requireNonNull(inputs, "inputs").size();
        int per = valuesPerImage();
        if ((long) count * per > Integer.MAX_VALUE - 8) {
            throw new ClipException("batch of " + count + " images at " + size + "px does not fit in one float[]");
        }
        float[] out = new float[count * per];
        forEachInput(inputs, 0, count, i -> toPixelValues(resizeCropRgb(inputs.get(i)), out, i * per));
        return out;
    }

    /**
     * Decodes many inputs in parallel, like {@link #decode} one by one (same executor and parallelism as
     * {@link #preprocessBatch}); for engines that resample elsewhere (e.g. clip4j's fused kernels).
     *
     * @param inputs images
     * @return the decoded images, in input order
     * @throws NullPointerException     if {@code inputs} is null
     * @throws ImageDecodeException     naming the position and input of the first failure found
     * @throws IllegalArgumentException if an element is null
     * @throws ClipException            if the configured executor refuses a task (throws from {@code execute}), or
     *                                  the calling thread is interrupted
     */
    public List<DecodedImage> decodeBatch(List<? extends ImageInput> inputs) {
        return decodeBatch(inputs, 0, Objects.requireNonNull(inputs, "inputs").size());
    }

    /**
     * {@link #decodeBatch(List)} of {@code inputs[from, to)} only, with error positions counted in the whole
     * list, so a caller can decode a large batch group by group and keep few full-size images in memory.
     *
     * @param inputs images
     * @param from   first index, in [0, to]
     * @param to     end index (exclusive), in [from, inputs.size()]
     * @return the decoded images {@code from .. to-1}, in input order
     * @throws NullPointerException      if {@code inputs} is null
     * @throws IndexOutOfBoundsException if the range is not within {@code inputs}
     * @throws ImageDecodeException naming the position (in {@code inputs}) and input of the first failure found
     * @throws IllegalArgumentException if an element of the range is null
     * @throws ClipException if the configured executor refuses a task (throws from {@code execute}), or the
     *                       calling thread is interrupted
     */
    public List<DecodedImage> decodeBatch(List<? extends ImageInput> inputs, int from, int to) {
        Objects.checkFromToIndex(from, to, Objects.requireNonNull(inputs, "inputs").size());
        DecodedImage[] out = new DecodedImage[to - from];
        forEachInput(inputs, from, to, i -> out[i - from] = decode(inputs.get(i)));
        return List.of(out);
    }

    /**
     * The pipeline after decoding: Resize + CenterCrop (or the squash resize) + convert("RGB") + ToTensor +
     * Normalize of an image as {@link #decode} returned it (EXIF orientation is not applied again).
     *
     * @param image a decoded image of any mode (not checked against the pixel limit)
     * @return pixel_values, float32 {@code [3, n, n]}
     * @throws NullPointerException if {@code image} is null
     */
    public float[] pixelValues(DecodedImage image) {
        float[] out = new float[valuesPerImage()];
        toPixelValues(ClipTransform.resizeCropRgb(Objects.requireNonNull(image, "image"), size, squash), out, 0);
        return out;
    }

    /** {@return the Normalize mean (R, G, B) as float32, a copy} */
    public float[] mean() {
        return mean.clone();
    }

    /** {@return the Normalize standard deviation (R, G, B) as float32, a copy} */
    public float[] std() {
        return std.clone();
    }

    /**
     * Runs task(i) for every i in [from, to) on the caller and the configured executor ({@link SharedBatch#run});
     * rethrows the failure of the lowest index, naming the input and its position in the whole list.
     */
    private void forEachInput(List<? extends ImageInput> inputs, int from, int to, IntConsumer task) {
        int count = inputs.size();
        for (int i = from; i < to; i++) {
            if (inputs.get(i) == null) { // a programming error, reported like ClipTokenizer's null texts
                throw new IllegalArgumentException("images[" + i + "] is null");
            }
        }
        if (to > from && Thread.currentThread().isInterrupted()) {
            throw SharedBatch.interrupted();
        }
        SharedBatch.run(executor != null ? executor : ForkJoinPool.commonPool(), parallelism, from, to,
                i -> runOne(inputs, i, count, task));
    }

    // 1-based, in the list the caller passed: "batch input 3 of 4"; the message also names the input.
    private static String position(int i, int count) {
        return "batch input " + (i + 1) + " of " + count;
    }

    private static void runOne(List<? extends ImageInput> inputs, int i, int count, IntConsumer task) {
        try {
            task.accept(i);
        } catch (ImageDecodeException e) {
            // A batch of one needs no position; the message already names the input.
            throw count == 1 ? e : new ImageDecodeException(position(i, count) + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ImageDecodeException(position(i, count) + " (" + inputs.get(i) + "): " + e, e);
        }
    }

    private static float[] toFloat(double[] v) {
        return new float[] {(float) v[0], (float) v[1], (float) v[2]};
    }

    /**
     * Options of an {@link ImagePreprocessor}; defaults reproduce the CLIP reference pipeline at 224. Not
     * thread-safe; every {@link #build()} makes an independent preprocessor with the options set so far.
     */
    public static final class Builder {
        private int size = 224;
        private double[] mean = CLIP_MEAN.clone();
        private double[] std = CLIP_STD.clone();
        private boolean applyExifOrientation;
        private boolean squash;
        private long maxPixels = PILLOW_MAX_IMAGE_PIXELS;
        private long maxFileBytes = DEFAULT_MAX_FILE_BYTES;
        private ImageDecoders decoders;
        private Executor executor;
        private int parallelism = Runtime.getRuntime().availableProcessors();

        private Builder() {
        }

        /**
         * Sets the output side in pixels, the model's image_resolution.
         *
         * @param n output side, the model's image_resolution (default 224), 1..16384
         * @return this
         * @throws IllegalArgumentException if n &lt; 1 or n &gt; 16384
         */
        public Builder size(int n) {
            if (n < 1 || n > 16384) {
                throw new IllegalArgumentException("size must be in 1..16384, got " + n);
            }
            this.size = n;
            return this;
        }

        /**
         * Sets the {@code Normalize} mean per channel, on the [0, 1] pixel scale (default CLIP's).
         *
         * @param r red mean
         * @param g green mean
         * @param b blue mean
         * @return this (values are used as float32, like torchvision's Normalize on a float tensor)
         * @throws IllegalArgumentException if a value is not finite as a float32
         */
        public Builder mean(double r, double g, double b) {
            this.mean = float32Values("mean", false, r, g, b);
            return this;
        }

        /**
         * Sets the {@code Normalize} standard deviation per channel, on the [0, 1] pixel scale (default CLIP's).
         *
         * @param r red standard deviation, above 0
         * @param g green standard deviation, above 0
         * @param b blue standard deviation, above 0
         * @return this (values are used as float32)
         * @throws IllegalArgumentException if a value is not finite or not above 0 as a float32 (a negative std,
         *                                  which torchvision would take, is refused as clip4j's open_clip config
         *                                  reader and the fused preprocessing kernels refuse it, so that every
         *                                  pipeline gives one answer)
         */
        public Builder std(double r, double g, double b) {
            this.std = float32Values("std", true, r, g, b);
            return this;
        }

        /**
         * Checked as the float32 values they become: a std of 1e-50 would be 0 there and make every pixel value
         * infinite, an infinite one 0, a NaN mean NaN.
         */
        private static double[] float32Values(String what, boolean positive, double... v) {
            for (double x : v) {
                float f = (float) x;
                if (!Float.isFinite(f) || positive && f <= 0) {
                    throw new IllegalArgumentException(what + " must be finite float32 values"
                            + (positive ? ", all above 0" : "") + ", got " + Arrays.toString(v));
                }
            }
            return v;
        }

        /**
         * Sets whether images are rotated by their EXIF orientation before resizing.
         *
         * @param apply rotate/mirror by the EXIF orientation tag before resizing (default false: the
         *              reference pipeline ignores the tag)
         * @return this
         */
        public Builder applyExifOrientation(boolean apply) {
            this.applyExifOrientation = apply;
            return this;
        }

        /**
         * Sets whether images are squashed to a square instead of resized and center-cropped.
         *
         * @param squash resize both sides straight to the output side, not keeping the aspect ratio and cropping
         *               nothing: open_clip's {@code resize_mode='squash'} ({@code Resize((n, n))} with Pillow's
         *               bicubic filter, e.g. Apple's DFN5B models). Default false: CLIP's {@code Resize(n)}, which
         *               brings the shorter side to n, then {@code CenterCrop(n)}
         * @return this
         */
        public Builder squash(boolean squash) {
            this.squash = squash;
            return this;
        }

        /**
         * Sets the largest decoded image accepted, in pixels (decompression-bomb guard).
         *
         * @param max largest accepted {@code width * height} (default {@link #PILLOW_MAX_IMAGE_PIXELS});
         *            checked from the file header before pixel memory is allocated
         * @return this
         * @throws IllegalArgumentException if max &lt; 1
         */
        public Builder maxPixels(long max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxPixels must be positive");
            }
            this.maxPixels = max;
            return this;
        }

        /**
         * Sets the largest encoded file or stream accepted, in bytes.
         *
         * @param max largest accepted encoded file / stream in bytes (default 512 MiB)
         * @return this
         * @throws IllegalArgumentException if max &lt; 1
         */
        public Builder maxFileBytes(long max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxFileBytes must be positive");
            }
            this.maxFileBytes = max;
            return this;
        }

        /**
         * Sets the decoders tried on encoded inputs.
         *
         * @param decoders decoders to use (default {@link ImageDecoders#defaults()})
         * @return this
         * @throws NullPointerException if {@code decoders} is null
         */
        public Builder decoders(ImageDecoders decoders) {
            this.decoders = Objects.requireNonNull(decoders, "decoders");
            return this;
        }

        /**
         * Sets where the tasks of batch preprocessing run.
         *
         * @param executor where batch tasks run besides the calling thread (default
         *                 {@link ForkJoinPool#commonPool()}); a task it drops unrun (e.g. at {@code shutdownNow()})
         *                 is done by the calling thread
         * @return this
         * @throws NullPointerException if {@code executor} is null
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Sets how many images of a batch are preprocessed at once.
         *
         * @param parallelism most images at once: the calling thread plus up to {@code parallelism - 1}
         *                    executor tasks (default: available processors; 1 = sequential on the calling
         *                    thread)
         * @return this
         * @throws IllegalArgumentException if parallelism &lt; 1
         */
        public Builder parallelism(int parallelism) {
            if (parallelism < 1) {
                throw new IllegalArgumentException("parallelism must be >= 1");
            }
            this.parallelism = parallelism;
            return this;
        }

        /**
         * Builds the preprocessor.
         *
         * @return the preprocessor
         * @throws IllegalArgumentException if the mean and std make a pixel value infinite (e.g. std 1e-45 or mean
         *                                  3e38: each finite, their {@code (v / 255 - mean) / std} overflows float32)
         */
        public ImagePreprocessor build() {
            // Normalize is monotonic in the pixel, so its ends 0 and 255 bound every value it gives.
            for (int c = 0; c < 3; c++) {
                for (float x : new float[] {0f, 1f}) {
                    if (!Float.isFinite((x - (float) mean[c]) / (float) std[c])) {
                        throw new IllegalArgumentException("mean " + Arrays.toString(mean) + " and std "
                                + Arrays.toString(std) + " make channel " + c + "'s pixel values infinite in float32");
                    }
                }
            }
            return new ImagePreprocessor(this);
        }
    }
}
