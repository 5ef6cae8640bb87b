package io.clip4j;

import io.clip4j.image.ImageInput;
import io.clip4j.math.Similarity;
import io.clip4j.math.TopK;
import io.clip4j.spi.ClipModelProvider;
import io.clip4j.spi.ZeroShotArguments;
import io.clip4j.zeroshot.PromptTemplates;
import io.clip4j.zeroshot.ZeroShotClassifier;
import io.clip4j.zeroshot.ZeroShotResult;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * A loaded CLIP model: both towers, the tokenizer and the image preprocessing of the reference
 * ({@code clip.load} + {@code CLIP.encode_image} / {@code encode_text} / {@code forward}).
 *
 * <pre>{@code
 * try (ClipModel model = ClipModel.load(Path.of("ViT-B-32.pt"))) {
 *     ZeroShotResult r = model.zeroShot(ImageInput.of(Path.of("cat.jpg")), List.of("cat", "dog"));
 * }
 * }</pre>
 *
 * <p>Models from {@link #load} and {@link #builder} are thread-safe: one instance may serve many threads (a
 * training run's view of its changing weights, {@code TrainableClip.asClipModel()}, is the exception: use it
 * between steps, from the training thread). Native memory is released by {@link #close()}; after it the towers
 * ({@link #encodePixels}, {@link #encodeTokens} and every method that encodes at least one image or text) throw
 * {@link ClipException}, while {@link #config()}, {@link #logitScale()}, {@link #tokenize} and
 * {@link #preprocess}, which need no native memory, keep working.
 */
public interface ClipModel extends AutoCloseable {

    /**
     * Loads a checkpoint with default options (CPU, float32, reference preprocessing).
     *
     * @param checkpoint an OpenAI TorchScript archive, a {@code torch.save} state dict, a safetensors
     *                   file, a Hugging Face directory ({@code config.json} + {@code model.safetensors} or
     *                   {@code pytorch_model.bin}, whose {@code preprocessor_config.json} mean/std and sizes the
     *                   preprocessing then uses), or an open_clip directory ({@code open_clip_config.json} +
     *                   {@code open_clip_model.safetensors} or {@code open_clip_pytorch_model.bin}, whose
     *                   {@code preprocess_cfg} mean/std and resize mode the preprocessing then uses); the format is
     *                   detected from the content
     * @return the model
     * @throws NullPointerException if {@code checkpoint} is null
     * @throws ClipException        if the file cannot be read or is not a CLIP checkpoint
     *                              ({@link io.clip4j.checkpoint.CheckpointException}), or no engine is present
     */
    static ClipModel load(Path checkpoint) {
        return builder(checkpoint).build();
    }

    /**
     * Starts configuring how a checkpoint is loaded; {@link Builder#build()} then loads it.
     *
     * @param checkpoint see {@link #load(Path)}
     * @return a builder for device, precision, threads and preprocessing options
     * @throws NullPointerException if {@code checkpoint} is null
     */
    static Builder builder(Path checkpoint) {
        return new Builder(checkpoint);
    }

    /** {@return the model's hyper-parameters (embed_dim, image_resolution, context_length, ...)} */
    ClipConfig config();

    /**
     * Returns the temperature {@code exp(logit_scale)} that scales cosine similarities into logits.
     *
     * @return {@code exp(logit_scale)} from the checkpoint, not clamped (the multiplier of the cosine
     * similarities; the reference's {@code logit_scale = self.logit_scale.exp()})
     */
    float logitScale();

    /**
     * Runs the vision tower on preprocessed pixels.
     *
     * @param pixelValues normalised pixels {@code [n, 3, S, S]} row-major, S = image_resolution
     * @param n           batch size, &ge; 1
     * @return image_features {@code [n, embed_dim]}, not normalised
     * @throws ClipException if the array is null or its length is not {@code n*3*S*S}, a value is NaN or
     *                       infinite, n &lt; 1, the model is closed, or the engine fails
     */
    Features encodePixels(float[] pixelValues, int n);

    /**
     * Runs the text tower on token ids. Each row's features are taken at its first largest id, like the
     * reference's {@code x[torch.arange(x.shape[0]), text.argmax(dim=-1)]}: the end-of-text token for rows that
     * {@link #tokenize} made; a row whose largest id is not end-of-text is encoded all the same, pooled there.
     *
     * @param ids token ids {@code [n, context_length]} row-major (as {@code clip.tokenize} returns)
     * @param n   batch size, &ge; 1
     * @return text_features {@code [n, embed_dim]}, not normalised
     * @throws ClipException if the array is null or its length is not {@code n*context_length}, n &lt; 1, an id
     *                       is outside [0, vocab_size), the model is closed, or the engine fails
     */
    Features encodeTokens(long[] ids, int n);

    /**
     * Decodes and preprocesses images exactly like the reference {@code preprocess} transform
     * (resize shortest side with Pillow's bicubic, center crop, RGB, normalise), in parallel; an open_clip
     * checkpoint's {@code preprocess_cfg} or a Hugging Face directory's {@code preprocessor_config.json} may set
     * another mean/std or the {@code squash} resize (no crop).
     *
     * @param images inputs, any number
     * @return pixel_values {@code [n, 3, S, S]} row-major float32, S = image_resolution
     * @throws io.clip4j.image.ImageDecodeException naming the first input that cannot be decoded
     * @throws NullPointerException                 if {@code images} is null
     * @throws IllegalArgumentException             if an element is null
     * @throws ClipException                        if {@code n*3*S*S} values do not fit one Java array, or the
     *                                              calling thread is interrupted (see
     *                                              {@link io.clip4j.image.ImagePreprocessor#preprocessBatch})
     */
    float[] preprocess(List<ImageInput> images);

    /**
     * Tokenizes like the reference {@code clip.tokenize(texts, context_length, truncate=True)}.
     *
     * @param texts texts, any number
     * @return token ids {@code [n, context_length]} row-major, zero-padded
     * @throws IllegalArgumentException if {@code texts} or an element is null, or {@code n * context_length}
     *                                  exceeds the largest Java array
     */
    long[] tokenize(List<String> texts);

    /**
     * Decodes, preprocesses (in parallel) and encodes images, batch by batch.
     *
     * @param images any number of inputs (an empty list gives 0 rows)
     * @return image_features {@code [images.size(), embed_dim]}, not normalised, finite, no row all zeros
     * @throws io.clip4j.image.ImageDecodeException naming the first input that cannot be decoded
     * @throws NullPointerException                 if {@code images} is null
     * @throws IllegalArgumentException             if an element is null, or {@code images.size() * embed_dim}
     *                                              exceeds the largest Java array
     * @throws ClipException if the model is closed or the engine fails; a {@link NonFiniteFeaturesException}
     *                       if it computes non-finite or all-zero features (naming the image; the cause is damaged
     *                       checkpoint weights or a float16 overflow, not the input)
     */
    Features encodeImages(List<ImageInput> images);

    /**
     * Tokenizes (truncating texts longer than context_length, like {@code truncate=True}) and encodes.
     *
     * @param texts any number of texts (an empty list gives 0 rows)
     * @return text_features {@code [texts.size(), embed_dim]}, not normalised, finite, no row all zeros
     * @throws NullPointerException     if {@code texts} is null
     * @throws IllegalArgumentException if an element is null, or {@code texts.size() * embed_dim} exceeds the
     *                                  largest Java array
     * @throws ClipException if the model is closed or the engine fails; a {@link NonFiniteFeaturesException}
     *                       if it computes non-finite or all-zero features (naming the text; the cause is damaged
     *                       checkpoint weights or a float16 overflow, not the input)
     */
    Features encodeTexts(List<String> texts);

    /**
     * Decodes, preprocesses and encodes one image: {@link #encodeImages} of a one-element list (the reference
     * {@code CLIP.encode_image} on {@code preprocess(image).unsqueeze(0)}).
     *
     * @param image one input
     * @return image_features {@code [1, embed_dim]}, not normalised, finite, not all zeros
     * @throws NullPointerException if {@code image} is null
     * @throws io.clip4j.image.ImageDecodeException naming the input if it cannot be decoded
     * @throws ClipException if the model is closed or the engine fails; a {@link NonFiniteFeaturesException}
     *                       if it computes non-finite or all-zero features (see {@link #encodeImages})
     */
    default Features encodeImage(ImageInput image) {
        return encodeImages(List.of(Objects.requireNonNull(image, "image")));
    }

    /**
     * Tokenizes and encodes one text: {@link #encodeTexts} of a one-element list (the reference
     * {@code CLIP.encode_text} on {@code clip.tokenize(text, truncate=True)}).
     *
     * @param text one text
     * @return text_features {@code [1, embed_dim]}, not normalised, finite, not all zeros
     * @throws NullPointerException if {@code text} is null
     * @throws ClipException if the model is closed or the engine fails; a {@link NonFiniteFeaturesException}
     *                       if it computes non-finite or all-zero features (see {@link #encodeTexts})
     */
    default Features encodeText(String text) {
        return encodeTexts(List.of(Objects.requireNonNull(text, "text")));
    }

    /**
     * The reference {@code CLIP.forward}: scaled cosine similarities and their softmax over texts.
     *
     * @param images inputs, n_images &ge; 1
     * @param texts  texts, n_texts &ge; 1
     * @return logits_per_image {@code [n_images, n_texts]}, logits_per_text and probabilities
     * @throws NullPointerException                if {@code images} or {@code texts} is null
     * @throws IllegalArgumentException             if {@code images} or {@code texts} is empty (checked before
     *                                              anything is encoded, see {@link SimilarityResult#of}) or has a
     *                                              null element
     * @throws io.clip4j.image.ImageDecodeException naming the first input that cannot be decoded
     * @throws ClipException                        as {@link #encodeImages} and {@link #encodeTexts}
     */
    default SimilarityResult similarity(List<ImageInput> images, List<String> texts) {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(texts, "texts");
        // Before encoding: an empty side used to be noticed only after every image or text had been encoded.
        if (images.isEmpty() || texts.isEmpty()) {
            throw new IllegalArgumentException("similarity needs at least one image and one text");
        }
        return SimilarityResult.of(encodeImages(images), encodeTexts(texts), logitScale());
    }

    /**
     * Zero-shot scoring of images against class embeddings, keeping only the k best classes per image:
     * image_features L2-normalised, {@code logits_per_image = logitScale() * image_n . classEmbeddings_n^T},
     * softmax over classes, top-k (CLIP paper section 3.1; the openai/CLIP README's zero-shot prediction example,
     * {@code (100.0 * image_features @ text_features.T).softmax(dim=-1)} then {@code topk(k)}, with
     * {@code logitScale()} for 100).
     *
     * <p>The LibTorch engine with {@link ImagePipeline#KERNELS} runs this end to end on the model's device:
     * decoding on CPU threads, clip4j's fused preprocessing kernel writing straight into the encoder's input
     * tensor, the image tower, then the fused similarity/softmax/top-k kernel; only the {@code [n, k]} result
     * comes back to the host. Otherwise it is {@link #encodeImages} followed by
     * {@link Similarity#softmaxTopK} on the CPU. Both give the same picks up to float rounding.
     *
     * @param images          inputs, at least one
     * @param classEmbeddings {@code [m, embed_dim]} one row per class, raw or normalised (e.g.
     *                        {@link ZeroShotClassifier#classEmbeddings()})
     * @param k               classes kept per image, in [1, m]
     * @return the k most probable classes of every image, {@code [images.size(), k]}, with probabilities in
     *         [0, 1] and logits
     * @throws NullPointerException     if {@code images} or {@code classEmbeddings} is null
     * @throws IllegalArgumentException if images is empty or has a null element, embed_dim differs, k is out of
     *                                  range, or a class embedding is all zeros or not finite (see
     *                                  {@link ZeroShotArguments#check}); all checked before anything is encoded
     * @throws io.clip4j.image.ImageDecodeException naming the first input that cannot be decoded
     * @throws ClipException if the model is closed or the engine fails; a {@link NonFiniteFeaturesException} if an
     *                       image's features are not finite or all zeros (on every image pipeline)
     */
    default TopK zeroShotTopK(List<ImageInput> images, Features classEmbeddings, int k) {
        ZeroShotArguments.check(images, classEmbeddings, k, config().embedDim());
        float[] logits = Similarity.logits(encodeImages(images), classEmbeddings, logitScale());
        ZeroShotArguments.requireFiniteLogits(logits, classEmbeddings.rows());
        return Similarity.softmaxTopK(logits, images.size(), classEmbeddings.rows(), k);
    }

    /**
     * Builds a zero-shot classifier (CLIP paper section 3.1): every label is put in every prompt
     * template; each label's normalised text_features are averaged and re-normalised (prompt ensembling).
     *
     * @param labels    class names, at least one, none blank, no duplicates (nor labels whose prompts tokenize
     *                  to the same ids, e.g. "Cat" and "cat "; see {@link ZeroShotClassifier#build})
     * @param templates prompt templates with one {@code {}} each, at least one
     *                  (e.g. {@link PromptTemplates#IMAGENET_80})
     * @return a reusable, thread-safe classifier
     * @throws IllegalArgumentException for a null or empty list, null, blank or duplicate labels, null or bad
     *                                  templates (none or more than one {@code {}}), or a label whose prompts'
     *                                  normalised text_features average to zero (see {@link ZeroShotClassifier#build})
     * @throws ClipException            if the model is closed or the engine fails (see {@link #encodeTexts})
     */
    default ZeroShotClassifier classifier(List<String> labels, List<String> templates) {
        return ZeroShotClassifier.build(this, labels, templates);
    }

    /**
     * Classifies one image with the single template {@code "a photo of a {}."}.
     *
     * @param image  the image
     * @param labels class names, at least one, none blank, no duplicates (see {@link #classifier})
     * @return every label ranked by probability (softmax over the labels of {@code logitScale() * cos}), best first
     * @throws NullPointerException                 if {@code image} is null (checked before any label is encoded)
     * @throws IllegalArgumentException             for a null or empty list, or null, blank or duplicate labels
     * @throws io.clip4j.image.ImageDecodeException naming the input if it cannot be decoded
     * @throws ClipException                        if the model is closed or the engine fails; a
     *                                              {@link NonFiniteFeaturesException} for non-finite or all-zero
     *                                              features
     */
    default ZeroShotResult zeroShot(ImageInput image, List<String> labels) {
        // Before the classifier: it encodes every label, work a null image would throw away.
        Objects.requireNonNull(image, "image");
        return classifier(labels, List.of(PromptTemplates.PHOTO_OF_A)).classify(image);
    }

    /**
     * Frees native memory. Idempotent. On clip4j's LibTorch engine it waits for encodes already running on other
     * threads; encodes that start afterwards throw {@link ClipException}.
     */
    @Override
    void close();

    /**
     * Options for {@link ClipModel#builder(Path)}. Not thread-safe; every {@link #build()} loads a new model
     * with the options set so far.
     */
    final class Builder {
        private final Path checkpoint;
        private Device device = Device.CPU;
        private Precision precision = Precision.FLOAT32;
        private int threads;
        private int batchSize = 32;
        private boolean applyExifOrientation;
        private long maxPixels = 89_478_485L;
        private long maxFileBytes = io.clip4j.image.ImagePreprocessor.DEFAULT_MAX_FILE_BYTES;
        private Path vocabulary;
        private ImagePipeline imagePipeline = ImagePipeline.AUTO;
        private Activation activation;

        Builder(Path checkpoint) {
            this.checkpoint = Objects.requireNonNull(checkpoint, "checkpoint");
        }

        /**
         * Sets the device the model runs on.
         *
         * @param device where to run (default {@link Device#CPU})
         * @return this
         * @throws NullPointerException if {@code device} is null
         */
        public Builder device(Device device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        /**
         * Sets the compute type of the towers; features are returned as float32 whatever it is.
         *
         * @param precision compute type (default float32; CPU supports float32 only)
         * @return this
         * @throws NullPointerException if {@code precision} is null
         */
        public Builder precision(Precision precision) {
            this.precision = Objects.requireNonNull(precision, "precision");
            return this;
        }

        /**
         * LibTorch's intra-op CPU threads ({@code torch.set_num_threads}). LibTorch keeps one such setting per
         * process, so the last model built with a non-zero value sets it for every model in the JVM. It does not
         * size OpenBLAS, which runs LibTorch's float32 matrix products on one thread per core: for a strictly
         * single-threaded process also set {@code OPENBLAS_NUM_THREADS=1} in the environment (a process-wide
         * setting that clip4j leaves alone, since changing it while other models encode would change their last
         * bits).
         *
         * @param threads intra-op CPU threads, in [1, {@link #maxThreads()}]; 0 (default) leaves the process's
         *                setting as it is (LibTorch's default, unless another model set it)
         * @return this
         * @throws IllegalArgumentException if threads is negative or above {@link #maxThreads()}
         */
        public Builder threads(int threads) {
            if (threads < 0 || threads > maxThreads()) {
                throw new IllegalArgumentException("threads must be in [0, " + maxThreads() + "] (4 per core), got "
                        + threads);
            }
            this.threads = threads;
            return this;
        }

        /**
         * The most intra-op threads {@link #threads(int)} accepts: 4 per available core (at least 4). More only
         * add scheduling overhead; thousands of threads made a forward pass take minutes.
         *
         * @return {@code max(4, 4 * Runtime.availableProcessors())}
         */
        public static int maxThreads() {
            return Math.max(4, 4 * Runtime.getRuntime().availableProcessors());
        }

        /**
         * Sets the largest number of images or texts encoded in one forward pass.
         *
         * @param batchSize largest number of images or texts per forward pass, &ge; 1 (default 32)
         * @return this
         * @throws IllegalArgumentException if batchSize &lt; 1
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Sets whether images are rotated by their EXIF orientation before preprocessing.
         *
         * @param apply true to rotate images by their EXIF orientation before preprocessing; default
         *              false, as the reference (PIL's {@code Image.open} does not rotate)
         * @return this
         */
        public Builder applyExifOrientation(boolean apply) {
            this.applyExifOrientation = apply;
            return this;
        }

        /**
         * Sets the largest decoded image accepted, in pixels (decompression-bomb guard).
         *
         * @param maxPixels largest accepted {@code width * height} of a decoded image (decompression-bomb
         *                  guard), &ge; 1; default 89,478,485 (Pillow's {@code MAX_IMAGE_PIXELS})
         * @return this
         * @throws IllegalArgumentException if maxPixels &lt; 1
         */
        public Builder maxPixels(long maxPixels) {
            if (maxPixels < 1) {
                throw new IllegalArgumentException("maxPixels must be >= 1, got " + maxPixels);
            }
            this.maxPixels = maxPixels;
            return this;
        }

        /**
         * Sets the largest encoded image file or stream accepted, in bytes; larger inputs are refused before
         * they are read into the Java heap.
         *
         * @param maxFileBytes largest accepted encoded file / stream in bytes, &ge; 1; default 512 MiB
         *                     ({@link io.clip4j.image.ImagePreprocessor#DEFAULT_MAX_FILE_BYTES})
         * @return this
         * @throws IllegalArgumentException if maxFileBytes &lt; 1
         */
        public Builder maxFileBytes(long maxFileBytes) {
            if (maxFileBytes < 1) {
                throw new IllegalArgumentException("maxFileBytes must be >= 1, got " + maxFileBytes);
            }
            this.maxFileBytes = maxFileBytes;
            return this;
        }

        /**
         * Sets the BPE vocabulary the tokenizer uses instead of the bundled one.
         *
         * @param vocabulary a gzipped BPE merges file to use instead of the bundled
         *                   {@code bpe_simple_vocab_16e6.txt.gz}; read by {@link #build()}, which throws
         *                   {@link io.clip4j.text.VocabularyException} if it cannot be read
         * @return this
         * @throws NullPointerException if {@code vocabulary} is null
         */
        public Builder vocabulary(Path vocabulary) {
            this.vocabulary = Objects.requireNonNull(vocabulary, "vocabulary");
            return this;
        }

        /**
         * Sets the transformer MLPs' activation (QuickGELU or GELU) for a checkpoint that does not record it.
         *
         * @param activation the transformer MLPs' activation, for a checkpoint that does not record it: OpenAI
         *                   {@code .pt} files and open_clip state dicts. Default: what the checkpoint says, else
         *                   {@link Activation#QUICK_GELU} (OpenAI, open_clip {@code -quickgelu}); open_clip's
         *                   LAION and DataComp models need {@link Activation#GELU}. A Hugging Face directory
         *                   declares it in {@code config.json} ({@code hidden_act}), an open_clip directory in
         *                   {@code open_clip_config.json} ({@code quick_gelu}), a safetensors file written by
         *                   clip4j's trainer in its metadata ({@code clip4j.activation}), and asking any of these
         *                   for another is a CheckpointException
         * @return this
         * @throws NullPointerException if {@code activation} is null
         */
        public Builder activation(Activation activation) {
            this.activation = Objects.requireNonNull(activation, "activation");
            return this;
        }

        /** {@return the requested activation, or null for the checkpoint's own} */
        public Activation activation() {
            return activation;
        }

        /** {@return the checkpoint path} */
        public Path checkpoint() {
            return checkpoint;
        }

        /**
         * Sets the path images take from decoded pixels to the image tower (Java preprocessing or fused kernels).
         *
         * @param pipeline how images get from decoded pixels into the image tower (default
         *                 {@link ImagePipeline#AUTO}: the fused kernels on a CUDA device, clip-api's Java
         *                 preprocessing on the CPU); every choice gives the reference pixels bit for bit. Used by
         *                 the LibTorch engine (clip-native); an engine without a kernels pipeline ignores it
         * @return this
         * @throws NullPointerException if {@code pipeline} is null
         */
        public Builder imagePipeline(ImagePipeline pipeline) {
            this.imagePipeline = Objects.requireNonNull(pipeline, "pipeline");
            return this;
        }

        /** {@return the chosen image pipeline} */
        public ImagePipeline imagePipeline() {
            return imagePipeline;
        }

        /** {@return the chosen device} */
        public Device device() {
            return device;
        }

        /** {@return the chosen precision} */
        public Precision precision() {
            return precision;
        }

        /** {@return the intra-op CPU threads, 0 to leave LibTorch's setting unchanged} */
        public int threads() {
            return threads;
        }

        /** {@return the largest number of images or texts per forward pass} */
        public int batchSize() {
            return batchSize;
        }

        /** {@return whether EXIF orientation is applied} */
        public boolean applyExifOrientation() {
            return applyExifOrientation;
        }

        /** {@return the largest accepted {@code width * height} of a decoded image} */
        public long maxPixels() {
            return maxPixels;
        }

        /** {@return the largest accepted encoded image file or stream, in bytes} */
        public long maxFileBytes() {
            return maxFileBytes;
        }

        /** {@return the custom vocabulary, or null for the bundled one} */
        public Path vocabulary() {
            return vocabulary;
        }

        /**
         * Loads the model with the first engine found on the class path.
         *
         * @return the model
         * @throws ClipException if the precision is not {@link Precision#FLOAT32} on the CPU, no engine is
         *                       present, or loading fails: a {@link io.clip4j.checkpoint.CheckpointException} for an
         *                       unreadable or damaged checkpoint or an {@link #activation(Activation)} it contradicts,
         *                       a {@link io.clip4j.text.VocabularyException} for an unreadable {@link #vocabulary},
         *                       a plain {@link ClipException} when the tokenizer has more ids than the model's
         *                       vocab_size, the device cannot be used, or a listed engine cannot be loaded
         */
        public ClipModel build() {
            if (!device.isCuda() && precision != Precision.FLOAT32) {
                throw new ClipException("precision " + precision + " needs a CUDA device; the CPU runs FLOAT32");
            }
            // clip-api's own class loader first, as ImageDecoders does: ServiceLoader.load(Class) alone searches only
            // the thread's context class loader, which in plugin hosts and servers is often not the one holding
            // clip4j, and then said "no clip4j engine" with clip-native right beside clip-api.
            ClipModelProvider engine;
            try {
                engine = firstEngine(ClipModelProvider.class.getClassLoader());
                if (engine == null) {
                    engine = firstEngine(Thread.currentThread().getContextClassLoader()); // seen by that loader only
                }
            } catch (ServiceConfigurationError | LinkageError e) {
                // A listed engine that cannot be loaded (another clip-api version's clip-native, a class missing from
                // a trimmed jar: NoClassDefFoundError escapes ServiceLoader unwrapped) is a setup problem to name,
                // not an Error escaping the documented ClipException.
                throw new ClipException("the clip4j engine listed in META-INF/services cannot be loaded (are clip-api"
                        + " and clip-native of one version, on one class loader?): " + e.getMessage(), e);
            }
            if (engine == null) {
                throw new ClipException("no clip4j engine on the class path: add the io.clip4j:clip-native dependency");
            }
            return engine.open(this);
        }

        /** The first engine a class loader's service files list, or null; a loader of null means the system one. */
        private static ClipModelProvider firstEngine(ClassLoader loader) {
            Iterator<ClipModelProvider> it = ServiceLoader.load(ClipModelProvider.class, loader).iterator();
            return it.hasNext() ? it.next() : null;
        }
    }
}
