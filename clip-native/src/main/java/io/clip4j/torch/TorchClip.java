package io.clip4j.torch;

import io.clip4j.ClipConfig;
import io.clip4j.ClipException;
import io.clip4j.Device;
import io.clip4j.Precision;
import io.clip4j.checkpoint.CheckpointException;
import io.clip4j.checkpoint.StateDict;
import io.clip4j.spi.TowerInputs;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A CLIP model on LibTorch: the reference {@code CLIP.encode_image}, {@code CLIP.encode_text} and the similarity
 * head of {@code CLIP.forward} (github.com/openai/CLIP {@code clip/model.py}), on the CPU in float32 or on a
 * CUDA GPU in float32, float16 or bfloat16.
 *
 * <p>Built from a state dict with OpenAI parameter names (as {@code torch.save(model.state_dict())} writes
 * them) and the matching {@link ClipConfig}. On the CPU every weight is converted to float32 (fp16 values
 * widen exactly), like {@code clip.load(..., device="cpu")}. On a GPU the weights are moved to the device and
 * cast to the {@link Precision} once, at build time, like the reference's {@code convert_weights}: LayerNorm and
 * BatchNorm parameters and {@code logit_scale} stay float32, and LayerNorm/BatchNorm are computed in float32
 * (input widened, result rounded back) like the reference's fp16-safe {@code LayerNorm}. Inputs are uploaded per
 * call (pixels cast to the precision like {@code image.type(self.dtype)}); features always come back as float32
 * host arrays (a float16/bfloat16 value widens exactly). Thread-safe: any number of threads may encode at once.
 * Native memory (host or device) is owned by this object and freed by {@link #close()}; each call frees its own
 * temporaries before it returns, so repeated calls do not grow native memory.
 *
 * <p>Example: {@code try (TorchClip clip = TorchClip.create(stateDict, ClipConfig.openai("ViT-B/32"))) {
 * float[] f = clip.encodeImage(pixelValues, 1); }}
 */
public final class TorchClip implements AutoCloseable {
    /** The largest exp(logit_scale) loaded: the fused zero-shot kernels' limit (CLIP4J_MAX_ZERO_SHOT_LOGIT_SCALE). */
    static final float MAX_LOGIT_SCALE = 1e30f;
    private final ClipConfig config;
    private final Placement placement;
    private final VisionTower visual;
    private final TextTransformer text;
    private final float logitScale;
    private final List<Tensor> weights;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    /** Written under the write lock; also read without it, for an early refusal. */
    private volatile boolean closed;

    private TorchClip(ClipConfig config, Placement placement, VisionTower visual, TextTransformer text,
                      float logitScale, List<Tensor> weights) {
        this.config = config;
        this.placement = placement;
        this.visual = visual;
        this.text = text;
        this.logitScale = logitScale;
        this.weights = weights;
    }

    /**
     * Same as {@link #create(StateDict, ClipConfig, int)} leaving LibTorch's thread count unchanged.
     *
     * @param stateDict tensors under OpenAI names ({@code visual.*}, {@code transformer.*}, {@code logit_scale},
     *                  ...); a tensor the architecture does not use is an error, as in the reference's strict
     *                  {@code load_state_dict}
     * @param config    the model's hyper-parameters
     * @return the model, ready to encode
     * @throws CheckpointException if a tensor is missing, has another shape than {@code config} implies, is
     *                             not floating point, or is not used by the architecture, or logit_scale is NaN or
     *                             so small that its exp is 0 or so large that its exp exceeds 1e30
     * @throws ClipException       if the natives cannot be loaded or the configuration cannot be built
     */
    public static TorchClip create(StateDict stateDict, ClipConfig config) {
        return create(stateDict, config, 0);
    }

    /**
     * Builds both towers from a state dict on the CPU in float32.
     *
     * @param stateDict  tensors under OpenAI names; the buffers the reference drops
     *                   ({@code input_resolution}, {@code attn_mask}, {@code num_batches_tracked}, ...) may be
     *                   present; any other unused tensor is an error
     * @param config     the model's hyper-parameters; every shape is derived from it
     * @param numThreads LibTorch intra-op threads ({@code torch.set_num_threads}), a process-wide setting that
     *                   threads pick up on their first LibTorch use; 0 leaves it unchanged
     * @return the model, ready to encode
     * @throws CheckpointException if a tensor is missing, has another shape than {@code config} implies, is
     *                             not floating point, or is not used by the architecture, or logit_scale is NaN or
     *                             so small that its exp is 0 or so large that its exp exceeds 1e30
     * @throws ClipException       if the natives cannot be loaded, {@code numThreads} is negative, or the
     *                             configuration cannot be built (e.g. a ResNet resolution not divisible by 32)
     */
    public static TorchClip create(StateDict stateDict, ClipConfig config, int numThreads) {
        return create(stateDict, config, numThreads, Device.CPU, Precision.FLOAT32);
    }

    /**
     * Builds both towers from a state dict on a device, in a precision.
     *
     * @param stateDict  tensors under OpenAI names; the buffers the reference drops
     *                   ({@code input_resolution}, {@code attn_mask}, {@code num_batches_tracked}, ...) may be
     *                   present; any other unused tensor is an error
     * @param config     the model's hyper-parameters; every shape is derived from it
     * @param numThreads LibTorch intra-op threads ({@code torch.set_num_threads}), a process-wide setting that
     *                   threads pick up on their first LibTorch use; 0 leaves it unchanged
     * @param device     {@link Device#CPU}, or a CUDA GPU (needs the {@code -Pcuda} build's natives)
     * @param precision  the compute type of the towers; the CPU runs {@link Precision#FLOAT32} only
     * @return the model, ready to encode; its weights live on {@code device}
     * @throws CheckpointException if a tensor is missing, has another shape than {@code config} implies, is
     *                             not floating point, or is not used by the architecture, or logit_scale is NaN or
     *                             so small that its exp is 0 or so large that its exp exceeds 1e30
     * @throws ClipException       if the natives cannot be loaded, {@code numThreads} is negative, the CPU is
     *                             asked for float16/bfloat16, a CUDA device is requested on CPU-only natives, on
     *                             a machine without a usable GPU or with an index beyond the GPU count, the device
     *                             runs out of memory, or the configuration cannot be built (e.g. a ResNet
     *                             resolution not divisible by 32)
     */
    public static TorchClip create(StateDict stateDict, ClipConfig config, int numThreads, Device device,
                                   Precision precision) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(precision, "precision");
        if (!device.isCuda() && precision != Precision.FLOAT32) {
            throw new ClipException("precision " + precision + " needs a CUDA device; the CPU runs FLOAT32");
        }
        return build(stateDict, config, numThreads, new Placement(device, precision));
    }

    /**
     * {@link #create(StateDict, ClipConfig, int, Device, Precision)} without the CPU-is-float32 rule: tests run
     * the float16/bfloat16 code paths on the CPU (LibTorch has CPU kernels for them) where no GPU is available.
     */
    static TorchClip build(StateDict stateDict, ClipConfig config, int numThreads, Placement placement) {
        Objects.requireNonNull(stateDict, "stateDict");
        Objects.requireNonNull(config, "config");
        if (numThreads < 0) {
            throw new ClipException("numThreads must be >= 0, got " + numThreads);
        }
        try {
            checkBuildable(config);
        } catch (ClipException e) {
            throw new CheckpointException(stateDict.source() + ": " + e.getMessage(), e);
        }
        NativeLibraries.ensureLoaded();
        CudaCheck.require(placement.device());
        if (numThreads > 0) {
            torch.set_num_threads(numThreads);
        }
        try (InferenceMode guard = new InferenceMode(); Weights w = new Weights(stateDict, placement)) {
            VisionTower visual = config.isVit() ? new VisionTransformer(w, config) : new ModifiedResNet(w, config);
            TextTransformer text = new TextTransformer(w, config);
            float scale = logitScale(w.getFloat32("logit_scale"));
            w.requireAllUsed();
            if (Float.isNaN(scale)) {
                // Every logit and probability would be NaN.
                throw new CheckpointException(stateDict.source() + ": logit_scale is NaN");
            }
            if (scale == Float.POSITIVE_INFINITY) {
                // exp(+inf), or an overflow (above about 88.7): every logit infinite, every probability NaN.
                throw new CheckpointException(stateDict.source() + ": logit_scale " + logitScaleValue(stateDict)
                        + " gives exp(logit_scale) = infinity: every logit would be infinite");
            }
            if (scale > MAX_LOGIT_SCALE) {
                // Finite, but a cosine times it may overflow; the fused kernels refuse it at use, so refuse it here
                // for every pipeline alike. No trained CLIP comes near it (ln(100) = 4.6052 gives 100).
                throw new CheckpointException(stateDict.source() + ": logit_scale " + logitScaleValue(stateDict)
                        + " gives exp(logit_scale) = " + scale + ", beyond " + MAX_LOGIT_SCALE
                        + ": logits could overflow to infinity");
            }
            if (scale == 0) {
                // exp(-inf), or an underflow: a damaged value that would make every prediction uniform.
                throw new CheckpointException(stateDict.source() + ": logit_scale " + logitScaleValue(stateDict)
                        + " gives exp(logit_scale) = 0: every logit would be 0 and every probability uniform");
            }
            return new TorchClip(config, placement, visual, text, scale, w.release());
        } catch (ClipException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ClipException(stateDict.source() + ": LibTorch failed while building the model on "
                    + placement + ": " + e.getMessage(), e);
        }
    }

    static void checkBuildable(ClipConfig c) {
        if (!c.isVit()) {
            if (c.imageResolution() % 32 != 0) {
                throw new ClipException("a ResNet needs image_resolution divisible by 32, got " + c.imageResolution());
            }
            if (c.visionWidth() % 2 != 0) {
                throw new ClipException("a ResNet needs an even vision_width, got " + c.visionWidth());
            }
            if ((32L * c.visionWidth()) % c.visionHeads() != 0) {
                throw new ClipException("attention pooling width " + 32L * c.visionWidth()
                        + " is not divisible by vision_heads " + c.visionHeads());
            }
        } else if (c.visionWidth() % c.visionHeads() != 0) {
            throw new ClipException("vision_width " + c.visionWidth() + " is not divisible by vision_heads "
                    + c.visionHeads());
        }
    }

    /** The checkpoint's logit_scale as a float (for a message; widening fp16/bf16, narrowing float64). */
    private static float logitScaleValue(StateDict stateDict) {
        return stateDict.get("logit_scale").toFloatArray()[0];
    }

    /**
     * {@code exp(logit_scale)} in float32 like the reference's {@code CLIP.forward}, not clamped: the paper's clamp
     * at 100 is applied to the parameter during training, and a checkpoint stored in float16 holds ln(100) rounded
     * up (4.6055, exp 100.03), which the reference and transformers use as it is.
     */
    private static float logitScale(Tensor logitScale) {
        try (PointerScope scope = new PointerScope()) {
            return logitScale.exp().item_float();
        }
    }

    /** {@return the configuration this model was built for} */
    public ClipConfig config() {
        return config;
    }

    /** {@return the device the weights live on and the towers run on} */
    public Device device() {
        return placement.device();
    }

    /** @return the device and compute type together */
    Placement placement() {
        return placement;
    }

    /** {@return the compute type of the towers (features are returned as float32 whatever it is)} */
    public Precision precision() {
        return placement.precision();
    }

    /**
     * Returns the temperature {@code exp(logit_scale)} that scales cosine similarities into logits.
     *
     * @return {@code exp(logit_scale)} of the checkpoint (float32), as the reference computes it: the
     *         factor applied to cosine similarities in {@link #logitsPerImage}
     */
    public float logitScale() {
        return logitScale;
    }

    /**
     * The reference {@code CLIP.encode_image}.
     *
     * @param pixelValues {@code [n, 3, S, S]} float32 in C order, S = {@code image_resolution}: images after the
     *                    model's preprocessing (normalised with CLIP's mean/std, or the checkpoint's own where its
     *                    preprocessing config sets one)
     * @param n           number of images, &ge; 1
     * @return image_features {@code [n, embed_dim]} in C order, not normalised; computed on {@link #device()} in
     *         {@link #precision()}, returned as float32
     * @throws ClipException if the array length is not {@code n * 3 * S * S}, a value is NaN or infinite,
     *                       {@code n < 1}, the model is closed, or LibTorch fails
     */
    public float[] encodeImage(float[] pixelValues, int n) {
        return encodeImage(pixelValues, n, Taps.NONE);
    }

    float[] encodeImage(float[] pixelValues, int n, Taps taps) {
        long s = config.imageResolution();
        TowerInputs.checkPixelValues(pixelValues, n, config.imageResolution());
        return run("encodeImage",
                () -> visual.apply(placement.upload(TensorIo.floats(pixelValues, n, 3, s, s)), taps));
    }

    /**
     * The reference {@code CLIP.encode_text}.
     *
     * @param ids {@code [n, context_length]} token ids in C order as {@code clip.tokenize} returns them, each in
     *            {@code [0, vocab_size)}; the end-of-text token must be the largest id of its row (the row's
     *            first maximum is pooled)
     * @param n   number of texts, &ge; 1
     * @return text_features {@code [n, embed_dim]} in C order, not normalised; computed on {@link #device()} in
     *         {@link #precision()}, returned as float32
     * @throws ClipException if the array length is not {@code n * context_length}, an id is out of range,
     *                       {@code n < 1}, the model is closed, or LibTorch fails
     */
    public float[] encodeText(long[] ids, int n) {
        return encodeText(ids, n, Taps.NONE);
    }

    float[] encodeText(long[] ids, int n, Taps taps) {
        long ctx = config.contextLength();
        TowerInputs.checkTokenIds(ids, n, config.contextLength(), config.vocabSize());
        return run("encodeText", () -> text.apply(placement.upload(TensorIo.longs(ids, n, ctx)), taps));
    }

    /**
     * The similarity head of the reference {@code CLIP.forward}: both feature sets divided by their L2 norms,
     * then {@code logit_scale * image_n @ text_n^T}.
     *
     * @param imageFeatures {@code [nImages, embed_dim]} as {@link #encodeImage} returns them
     * @param nImages       number of images, &ge; 1
     * @param textFeatures  {@code [nTexts, embed_dim]} as {@link #encodeText} returns them
     * @param nTexts        number of texts, &ge; 1
     * @return logits_per_image {@code [nImages, nTexts]} in C order (logits_per_text is its transpose); an all-zero
     *         feature row gives NaN logits, as the reference's {@code x / x.norm()} does (clip-api's
     *         {@code Similarity.logits} gives 0 there, and {@code ClipModel} refuses such features before scoring)
     * @throws ClipException if an array length does not match, the model is closed, or LibTorch fails
     */
    public float[] logitsPerImage(float[] imageFeatures, int nImages, float[] textFeatures, int nTexts) {
        long d = config.embedDim();
        TowerInputs.checkCount("imageFeatures", imageFeatures == null ? -1 : imageFeatures.length, nImages, d,
                "embed_dim " + d);
        TowerInputs.checkCount("textFeatures", textFeatures == null ? -1 : textFeatures.length, nTexts, d,
                "embed_dim " + d);
        return run("logitsPerImage", () -> {
            Tensor img = unit(TensorIo.floats(imageFeatures, nImages, d));
            Tensor txt = unit(TensorIo.floats(textFeatures, nTexts, d));
            // Same association as the reference: (logit_scale * image_n) @ text_n.t()
            return img.mul(new Scalar(logitScale)).matmul(txt.t());
        });
    }

    /**
     * {@code softmax(logits_per_image, dim=-1)}: per image, the probability of each text.
     *
     * @param logitsPerImage {@code [nImages, nTexts]} as {@link #logitsPerImage} returns them
     * @param nImages        rows, &ge; 1
     * @param nTexts         columns, &ge; 1
     * @return probs {@code [nImages, nTexts]}, each row summing to 1 (a row holding a NaN or positive infinite logit
     *         gives NaNs, as torch's softmax does; not checked here)
     * @throws ClipException if the array is null or its length does not match, a size is below 1, the model is
     *                       closed, or LibTorch fails
     */
    public float[] probs(float[] logitsPerImage, int nImages, int nTexts) {
        if (nTexts < 1) {
            throw new ClipException("nTexts must be >= 1, got " + nTexts);
        }
        TowerInputs.checkCount("logitsPerImage", logitsPerImage == null ? -1 : logitsPerImage.length, nImages, nTexts,
                "nTexts " + nTexts);
        return run("probs", () -> TensorIo.floats(logitsPerImage, nImages, nTexts).softmax(1));
    }

    private static Tensor unit(Tensor x) {
        return x.div(x.norm(new ScalarOptional(new Scalar(2.0)), new long[]{1}, true));
    }

    /**
     * The image tower on an input tensor made by the caller, then {@code then} on the image_features tensor, all
     * in one native scope (the fused pipeline of {@link KernelImagePipeline}: nothing needs to leave the device
     * until {@code then} decides).
     *
     * @param pixels makes pixel_values {@code [n, 3, S, S]} on {@link #device()} in {@link #precision()}; called
     *               inside the scope but outside the model's lock (it needs no weights), so that a slow decode
     *               does not hold up {@link #close()}
     * @param then   turns image_features {@code [n, embed_dim]} (device, compute type) into the result; its Java
     *               result must not hold native memory of the scope
     * @param <R>    result type
     * @return what {@code then} returns
     * @throws ClipException if the model is closed (before or after {@code pixels}) or LibTorch fails; a
     *                       {@link ClipException} of a callback passes through, any other runtime exception is
     *                       wrapped like a LibTorch failure
     */
    <R> R withImageFeatures(Supplier<Tensor> pixels, Function<Tensor, R> then) {
        return compute("encodeImage", pixels, in -> {
            long s = config.imageResolution();
            if (in.dim() != 4 || in.size(1) != 3 || in.size(2) != s || in.size(3) != s) {
                throw new ClipException("pixel_values must be [n, 3, " + s + ", " + s + "]");
            }
            return then.apply(visual.apply(in, Taps.NONE));
        });
    }

    /**
     * Runs one forward computation under inference mode, freeing every native temporary before returning; the
     * result is copied to the host as float32.
     */
    private float[] run(String what, Supplier<Tensor> body) {
        return compute(what, () -> TensorIo.toFloats(body.get()));
    }

    /** Runs {@code body} under the read lock, inference mode and a PointerScope that frees its temporaries. */
    private <R> R compute(String what, Supplier<R> body) {
        return compute(what, () -> null, ignored -> body.get());
    }

    /**
     * Runs {@code input} (work that needs no weights, e.g. decoding) and then {@code body} on its result under the
     * read lock, both under inference mode and one PointerScope that frees their temporaries.
     */
    private <T, R> R compute(String what, Supplier<T> input, Function<T, R> body) {
        requireOpen(what); // before any work
        // The guard is created before the scope and closed after it: it must outlive every tensor op.
        try (InferenceMode guard = new InferenceMode(); PointerScope scope = new PointerScope()) {
            T in = input.get();
            lock.readLock().lock();
            try {
                requireOpen(what);
                return body.apply(in);
            } finally {
                lock.readLock().unlock();
            }
        } catch (ClipException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ClipException("TorchClip." + what + ": LibTorch failed: " + e.getMessage(), e);
        }
    }

    private void requireOpen(String what) {
        if (closed) {
            throw new ClipException(what + ": the ClipModel is closed (close() was called)");
        }
    }

    /**
     * Frees every native tensor of the model. Waits for calls in progress (but not for the decoding of their
     * images, which uses no weights); later calls throw {@link ClipException}. Idempotent.
     */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (Tensor t : weights) {
                t.close();
            }
            weights.clear();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
