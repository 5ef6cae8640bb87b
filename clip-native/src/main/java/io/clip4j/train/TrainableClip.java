package io.clip4j.train;

import io.clip4j.ClipConfig;
import io.clip4j.ClipException;
import io.clip4j.ClipModel;
import io.clip4j.checkpoint.CheckpointReader;
import io.clip4j.checkpoint.ConfigInference;
import io.clip4j.checkpoint.SafetensorsWriter;
import io.clip4j.checkpoint.StateDict;
import io.clip4j.checkpoint.TensorData;
import io.clip4j.checkpoint.UnusedTensors;
import io.clip4j.torch.ClipTowers;
import io.clip4j.torch.NativeLibraries;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A CLIP model whose parameters are LibTorch leaf tensors that require grad: the reference {@code CLIP} module
 * of {@code clip/model.py} in training, for any {@link ClipConfig} the engine builds (ViT or modified ResNet).
 * Created randomly initialised ({@link #initialize}) like {@code CLIP.initialize_parameters}, or from a
 * checkpoint for fine-tuning ({@link #fromStateDict}, {@link #load}).
 *
 * <p>The towers are the inference engine's layer classes run with autograd enabled (see {@link ClipTowers}).
 * ResNet BatchNorm layers stay in eval mode: running statistics are frozen at their initial (0 / 1) or
 * checkpoint values and are never updated; BatchNorm weight and bias are trained. This differs from the
 * reference's training, which updates batch statistics; it keeps a forward pass independent of the batch
 * composition and makes inference equal training behaviour.
 *
 * <p>Either tower can be frozen ({@link #freeze}): its parameters stop requiring grad and its forward pass
 * records no graph. {@code logit_scale} belongs to neither tower and is trained unless both are frozen.
 *
 * <p>Owns native memory, freed by {@link #close()}. Not thread-safe.
 */
public final class TrainableClip implements AutoCloseable {
    /** Name of the temperature parameter. */
    public static final String LOGIT_SCALE = "logit_scale";

    private final ClipConfig config;
    private final ClipTowers towers;
    private final Map<String, Tensor> parameters;
    private final Map<String, Tensor> buffers;
    private boolean imageFrozen;
    private boolean textFrozen;
    private boolean closed;

    private TrainableClip(ClipConfig config, ClipTowers towers, Tensor logitScale) {
        this.config = config;
        this.towers = towers;
        Map<String, Tensor> params = new LinkedHashMap<>();
        Map<String, Tensor> bufs = new LinkedHashMap<>();
        towers.tensors().forEach((name, t) -> (isBuffer(name) ? bufs : params).put(name, t));
        params.put(LOGIT_SCALE, logitScale);
        this.parameters = Collections.unmodifiableMap(params);
        this.buffers = Collections.unmodifiableMap(bufs);
        parameters.values().forEach(t -> t.set_requires_grad(true));
    }

    private static boolean isBuffer(String name) {
        return name.endsWith(".running_mean") || name.endsWith(".running_var");
    }

    /**
     * A randomly initialised model (see {@link ParameterInit} for the rules, those of the reference).
     *
     * @param config the hyper-parameters
     * @param seed   seeds LibTorch's default generator ({@code torch.manual_seed}); equal seeds give equal models
     * @return the model (any configuration trains; but the bare weights {@link #toTensorData} gives load back only
     *         if {@link ConfigInference#requireBuildableFromBareWeights} accepts it: reference heads, MLPs of
     *         {@code 4 * width}, and no ViT of width 1280, 1408, 1664 or 1792)
     * @throws NullPointerException if {@code config} is null
     * @throws ClipException        if the configuration cannot be built or the natives cannot be loaded
     */
    public static TrainableClip initialize(ClipConfig config, long seed) {
        Objects.requireNonNull(config, "config");
        NativeLibraries.ensureLoaded();
        torch.manual_seed(seed);
        ParameterInit init = new ParameterInit(config);
        List<Tensor> made = new ArrayList<>();
        try {
            ClipTowers towers = ClipTowers.build(config, (name, shape) -> keep(made, init.create(name, shape)));
            Tensor logitScale = keep(made, init.create(LOGIT_SCALE, new long[0]));
            return new TrainableClip(config, towers, logitScale);
        } catch (RuntimeException e) {
            made.forEach(Tensor::close);
            throw e;
        }
    }

    /**
     * A model initialised from a checkpoint's values (fine-tuning); every tensor is copied to float32. Loading is
     * strict as for {@link ClipModel#load}: a tensor the model does not read (open_clip's layer scale
     * {@code ls_1.gamma}, {@code logit_bias}, an attentional pooler) is refused, by the rules of
     * {@link UnusedTensors}.
     *
     * @param sd     tensors under OpenAI names ({@link CheckpointReader#read})
     * @param config the hyper-parameters matching the checkpoint ({@link ConfigInference#infer})
     * @return the model
     * @throws io.clip4j.checkpoint.CheckpointException if a tensor is missing, has the wrong shape, holds NaN or
     *                                                  infinite values, or is not used by the model
     * @throws NullPointerException if an argument is null
     * @throws ClipException if the configuration cannot be built
     */
    public static TrainableClip fromStateDict(StateDict sd, ClipConfig config) {
        Objects.requireNonNull(sd, "sd");
        Objects.requireNonNull(config, "config");
        NativeLibraries.ensureLoaded();
        List<Tensor> made = new ArrayList<>();
        Set<String> read = new HashSet<>();
        try {
            ClipTowers towers = ClipTowers.build(config, (name, shape) -> {
                read.add(name);
                return keep(made, copy(sd, name, shape));
            });
            read.add(LOGIT_SCALE);
            Tensor logitScale = keep(made, copy(sd, LOGIT_SCALE, new long[0]));
            UnusedTensors.requireAllUsed(sd, read);
            return new TrainableClip(config, towers, logitScale);
        } catch (RuntimeException e) {
            made.forEach(Tensor::close);
            throw e;
        }
    }

    /**
     * Reads a checkpoint in any format {@link CheckpointReader} supports and infers its configuration (for bare
     * weights the trainer wrote, the activation is the one recorded in their safetensors metadata), strictly as
     * {@link #fromStateDict}.
     *
     * @param checkpoint file or Hugging Face directory
     * @return the model, ready to fine-tune
     * @throws io.clip4j.checkpoint.CheckpointException if the checkpoint cannot be read, or as {@link #fromStateDict}
     * @throws ClipException if the configuration cannot be built
     */
    public static TrainableClip load(Path checkpoint) {
        StateDict sd = CheckpointReader.read(checkpoint);
        return fromStateDict(sd, ConfigInference.infer(sd, checkpoint));
    }

    private static Tensor keep(List<Tensor> made, Tensor t) {
        made.add(t);
        return t;
    }

    private static Tensor copy(StateDict sd, String name, long[] shape) {
        TensorData data = sd.get(name);
        if (!java.util.Arrays.equals(data.shape(), shape)) {
            throw new io.clip4j.checkpoint.CheckpointException(sd.source() + ": tensor '" + name + "' has shape "
                    + java.util.Arrays.toString(data.shape()) + ", the configuration expects "
                    + java.util.Arrays.toString(shape));
        }
        float[] values = data.toFloatArray();
        for (float v : values) {
            // Why: a NaN weight that the first batches do not reach (an unused token's embedding) would train
            // unnoticed and be written back; one they reach would fail as a "learning rate too high" NaN loss.
            if (!Float.isFinite(v)) {
                throw new io.clip4j.checkpoint.CheckpointException(sd.source() + ": tensor '" + name + "' holds " + v
                        + "; a checkpoint with non-finite weights cannot be trained");
            }
        }
        return Tensors.ownedFloats(values, shape);
    }

    /** {@return the hyper-parameters} */
    public ClipConfig config() {
        return config;
    }

    /**
     * Returns the trainable parameters by name.
     *
     * @return every trainable parameter by OpenAI name (vision tower, text tower, then {@code logit_scale});
     *         the live tensors (do not close them)
     * @throws ClipException if the model is closed
     */
    public Map<String, Tensor> parameters() {
        checkOpen();
        return parameters;
    }

    /**
     * Returns the BatchNorm running statistics of a ResNet tower.
     *
     * @return the statistics by name (constants; empty for a ViT)
     * @throws ClipException if the model is closed
     */
    public Map<String, Tensor> buffers() {
        checkOpen();
        return buffers;
    }

    /**
     * Tells whether a parameter belongs to the image tower.
     *
     * @param name a parameter name
     * @return true if it belongs to the image tower ({@code visual.*})
     */
    public static boolean isImageParameter(String name) {
        return name.startsWith("visual.");
    }

    /**
     * Tells whether a parameter belongs to the text tower.
     *
     * @param name a parameter name
     * @return true if it belongs to the text tower (neither {@code visual.*} nor {@code logit_scale})
     */
    public static boolean isTextParameter(String name) {
        return !isImageParameter(name) && !name.equals(LOGIT_SCALE);
    }

    /**
     * Locks towers: a frozen tower's parameters stop requiring grad and its forward pass records no graph
     * ("LiT" = locked image tower). {@code logit_scale} is frozen only when both towers are. A {@link Trainer}
     * sets this from its options when it is built and fixes its optimiser's parameters then: calling it later (or
     * building a second trainer with other freezing on the same model) silently stops the first trainer training a
     * tower it was built to train, and freezing both makes its steps fail.
     *
     * @param image true to freeze the image tower
     * @param text  true to freeze the text tower
     * @throws ClipException if the model is closed
     */
    public void freeze(boolean image, boolean text) {
        checkOpen();
        imageFrozen = image;
        textFrozen = text;
        parameters.forEach((name, t) -> {
            boolean frozen = isImageParameter(name) ? image : isTextParameter(name) ? text : image && text;
            t.set_requires_grad(!frozen);
        });
    }

    /** {@return true if the image tower is frozen} */
    public boolean imageFrozen() {
        return imageFrozen;
    }

    /** {@return true if the text tower is frozen} */
    public boolean textFrozen() {
        return textFrozen;
    }

    /**
     * Tells whether a parameter is trained under the current freeze setting.
     *
     * @param name a parameter name of {@link #parameters()}
     * @return whether the optimiser may change it under the current {@link #freeze} setting
     */
    public boolean isTrainable(String name) {
        return isImageParameter(name) ? !imageFrozen : isTextParameter(name) ? !textFrozen
                : !(imageFrozen && textFrozen);
    }

    /**
     * The reference {@code encode_image}; records the autograd graph unless the image tower is frozen.
     * Call inside a {@link PointerScope}.
     *
     * @param pixels float32 {@code [N, 3, S, S]}, S = image_resolution
     * @return image_features {@code [N, embed_dim]}, not normalised, owned by the enclosing scope
     * @throws ClipException if the model is closed; LibTorch's own runtime exception (not wrapped) if it rejects
     *                       the input
     */
    public Tensor encodeImage(Tensor pixels) {
        checkOpen();
        if (imageFrozen) {
            try (NoGradGuard guard = new NoGradGuard()) {
                return towers.encodeImage(pixels);
            }
        }
        return towers.encodeImage(pixels);
    }

    /**
     * The reference {@code encode_text}; records the autograd graph unless the text tower is frozen.
     * Call inside a {@link PointerScope}.
     *
     * @param ids int64 {@code [N, context_length]}, ids in [0, vocab_size)
     * @return text_features {@code [N, embed_dim]}, not normalised, owned by the enclosing scope
     * @throws ClipException if the model is closed; LibTorch's own runtime exception (not wrapped) if it rejects
     *                       the input
     */
    public Tensor encodeText(Tensor ids) {
        checkOpen();
        if (textFrozen) {
            try (NoGradGuard guard = new NoGradGuard()) {
                return towers.encodeText(ids);
            }
        }
        return towers.encodeText(ids);
    }

    /**
     * Returns the live {@code logit_scale} parameter.
     *
     * @return the 0-dim parameter (the temperature is its exp)
     * @throws ClipException if the model is closed
     */
    public Tensor logitScale() {
        checkOpen();
        return parameters.get(LOGIT_SCALE);
    }

    /**
     * Returns the current temperature.
     *
     * @return {@code exp(logit_scale)} now, the factor the loss uses: not clamped, as {@link ClipModel#logitScale()}
     *         (the parameter itself is clamped by {@link #clampLogitScale()} after each step; one loaded from a
     *         float16 checkpoint may hold ln(100) rounded up, exp 100.03)
     * @throws ClipException if the model is closed
     */
    public float temperatureScale() {
        try (PointerScope scope = new PointerScope()) {
            return logitScale().detach().exp().item_float();
        }
    }

    /**
     * Clamps {@code logit_scale} in place to {@code [0, ln 100]} (CLIP paper section 2.5: the temperature is
     * clipped so that logits are scaled by at most 100).
     *
     * @throws ClipException if the model is closed
     */
    public void clampLogitScale() {
        try (PointerScope scope = new PointerScope(); NoGradGuard guard = new NoGradGuard()) {
            logitScale().clamp_(new ScalarOptional(new Scalar(0.0)), new ScalarOptional(new Scalar(Math.log(100))));
        }
    }

    /**
     * Copies every parameter and buffer's values, by name (for comparisons and export).
     *
     * @return float32 values in C order by OpenAI name, {@code logit_scale} last
     * @throws ClipException if the model is closed
     */
    public Map<String, float[]> snapshot() {
        checkOpen();
        Map<String, float[]> out = new LinkedHashMap<>();
        towers.tensors().forEach((name, t) -> out.put(name, Tensors.toFloats(t)));
        out.put(LOGIT_SCALE, Tensors.toFloats(logitScale()));
        return out;
    }

    /**
     * The model as a state dict under OpenAI names, in the dtypes of {@code precision}, loadable by
     * {@link ClipModel#load} and by the reference {@code build_model} (BatchNorm {@code num_batches_tracked}
     * counters are included as int64 zeros for strict PyTorch loading).
     *
     * @param precision {@link CheckpointPrecision#FLOAT32}, or {@link CheckpointPrecision#FLOAT16} for the
     *                  reference's {@code convert_weights} mix
     * @return the tensors (copies)
     * @throws ClipException if the model is closed, a weight is NaN or infinite (a diverged run), or, for
     *                       {@code FLOAT16}, a halved weight is beyond float16's range (it would be written as
     *                       infinity)
     * @throws NullPointerException if {@code precision} is null
     */
    public Map<String, TensorData> toTensorData(CheckpointPrecision precision) {
        Objects.requireNonNull(precision, "precision");
        Map<String, TensorData> out = new LinkedHashMap<>();
        snapshot().forEach((name, values) -> {
            requireWritable(name, values, precision.halves(name));
            long[] shape = name.equals(LOGIT_SCALE) ? new long[0] : Tensors.shape(towers.tensors().get(name));
            out.put(name, precision.halves(name) ? SafetensorsWriter.float16(values, shape)
                    : SafetensorsWriter.float32(values, shape));
            if (name.endsWith(".running_var")) {
                String counter = name.substring(0, name.length() - "running_var".length()) + "num_batches_tracked";
                out.put(counter, SafetensorsWriter.int64(new long[]{0}));
            }
        });
        return out;
    }

    /** Largest finite float16 value. */
    private static final float FLOAT16_MAX = 65504f;

    // Why: a checkpoint of NaN/inf weights (or an fp16 export that overflows to inf) loads without complaint and
    // then fails, or answers garbage, in every command that uses it; refuse to write it instead.
    private static void requireWritable(String name, float[] values, boolean half) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw new ClipException("weight '" + name + "' is " + v + ": the weights are not finite (did the "
                        + "training diverge? try a lower learning rate); not written");
            }
            if (half && Math.abs(v) > FLOAT16_MAX) {
                throw new ClipException("weight '" + name + "' holds " + v + ", beyond float16's range (65504): "
                        + "it would be written as infinity; write float32 instead (train: --precision fp32)");
            }
        }
    }

    /**
     * Returns a {@link ClipModel} that encodes with the current weights, for evaluation during training.
     *
     * @return a read-only {@link ClipModel} view of the current weights (encoding runs without grad), for
     *         evaluation during training; it shares this model's tensors and does not own them, and unlike loaded
     *         models it is not thread-safe: use it between training steps, from the thread that runs them. It
     *         accepts and refuses the same inputs as a loaded model, with the same {@link ClipException}s
     *         ({@link io.clip4j.spi.TowerInputs}: null arrays, {@code n < 1}, wrong lengths, non-finite pixels, ids
     *         outside the vocabulary; LibTorch's own failures and the closed model)
     * @throws ClipException if the model is closed (refused here, not at the view's first use)
     */
    public ClipModel asClipModel() {
        checkOpen();
        return new TrainingClipModel(this);
    }

    ClipTowers towers() {
        checkOpen();
        return towers;
    }

    private void checkOpen() {
        if (closed) {
            throw new ClipException("the trainable model is closed");
        }
    }

    /** Frees every parameter and buffer. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        towers.tensors().values().forEach(Tensor::close);
        parameters.get(LOGIT_SCALE).close();
    }
}
