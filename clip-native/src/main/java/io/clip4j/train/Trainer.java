package io.clip4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.ClipException;
import io.clip4j.checkpoint.CheckpointReader;
import io.clip4j.checkpoint.ConfigInference;
import io.clip4j.checkpoint.SafetensorsWriter;
import io.clip4j.checkpoint.StateDict;
import io.clip4j.checkpoint.TensorData;
import io.clip4j.spi.TowerInputs;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.OptimizerParamGroup;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One optimisation step after another on a {@link TrainableClip} (CLIP paper section 2.5, Figure 3): forward
 * both towers, {@link ContrastiveLoss}, backward, optional global gradient-norm clipping, LibTorch's
 * {@code torch::optim::AdamW} with two parameter groups ({@link WeightDecayRule}: decay on Linear/conv/projection
 * weights only), the learning rate of {@link LearningRateSchedule} set before each step, and {@code logit_scale}
 * clamped to {@code [0, ln 100]} after each step.
 *
 * <p>Reproducible: for equal initial weights, options, batches and LibTorch thread count, the weights after
 * every step are bit-identical (LibTorch's CPU kernels split reductions by thread count, so a different
 * {@code torch.set_num_threads} may change the last bits).
 *
 * <p>Training state ({@link #saveState}): {@code weights.safetensors} (every parameter and buffer in float32,
 * OpenAI names), {@code optimizer.pt} (LibTorch archive of the AdamW state: per-parameter {@code exp_avg},
 * {@code exp_avg_sq}, step counts and the groups' options) and {@code trainer.json} (completed steps, the
 * options, caller metadata such as the seed, and the SHA-256 of the other two files). All three are written under
 * staging names ({@code <name>.new}) and moved into place together, {@code trainer.json} last: a save that fails
 * while writing leaves the previous state usable, and one killed between the moves is completed by
 * {@link #loadState} (all three staged files were whole by then; {@link #completeInterruptedSave}). Files that do not
 * go together otherwise (copied in from another run, edited) are refused. {@link #loadState} restores all three, so a
 * resumed run continues exactly where the saved one stopped, including the schedule position; it refuses a state
 * saved with other {@link TrainOptions} (another total step count would change the schedule).
 *
 * <p>Owns the optimiser's native memory ({@link #close()}); the model stays the caller's. The methods that use the
 * optimiser or the step count are synchronized, so calls from several threads run one after another (a
 * {@link #close()} waits for a running step): two threads stepping at once failed with LibTorch's "modified by an
 * inplace operation" and took the same step number, and a close during a step would free the optimiser under it.
 * The model is not guarded: do not use it, or its {@link TrainableClip#asClipModel()} view, while a step runs.
 */
public final class Trainer implements AutoCloseable {
    /** File names inside a training-state directory. */
    static final String WEIGHTS = "weights.safetensors";
    static final String OPTIMIZER = "optimizer.pt";
    static final String STATE = "trainer.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainableClip model;
    private final TrainOptions options;
    private final LearningRateSchedule schedule;
    private final List<ParameterGroup> groups;
    private final List<Tensor> trainable = new ArrayList<>();
    private AdamW optimizer;
    private volatile long step; // written under the lock; read without it by completedSteps (progress polling)

    /**
     * A description of one AdamW parameter group.
     *
     * @param names       parameter names in the group
     * @param weightDecay its decoupled weight decay
     */
    public record ParameterGroup(List<String> names, double weightDecay) {
    }

    /**
     * What one step did.
     *
     * @param step         0-based index of the step just taken
     * @param loss         the loss of the batch before the update
     * @param learningRate the learning rate used
     * @param logitScale   {@code exp(logit_scale)} after the update and clamp
     * @param gradNorm     global gradient L2 norm before clipping, or NaN when clipping is off
     */
    public record StepResult(long step, double loss, double learningRate, double logitScale, double gradNorm) {
    }

    /**
     * Applies the options' freezing to the model and builds the optimiser over its trainable parameters. Train a
     * model with one trainer at a time: another built on it re-applies its own freezing to the shared model.
     *
     * @param model   the model to train (not owned)
     * @param options optimisation settings
     * @throws NullPointerException if an argument is null
     * @throws ClipException        if the model is closed, both towers are frozen (no trainable parameters), or
     *                              LibTorch fails
     */
    public Trainer(TrainableClip model, TrainOptions options) {
        this.model = Objects.requireNonNull(model, "model");
        this.options = Objects.requireNonNull(options, "options");
        this.schedule = options.schedule();
        model.freeze(options.freezeImage(), options.freezeText());
        List<String> decay = new ArrayList<>();
        List<String> noDecay = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
            if (!model.isTrainable(e.getKey())) {
                continue;
            }
            trainable.add(e.getValue());
            (WeightDecayRule.decays(e.getKey(), Tensors.shape(e.getValue())) ? decay : noDecay).add(e.getKey());
        }
        groups = List.of(new ParameterGroup(List.copyOf(decay), options.weightDecay()),
                new ParameterGroup(List.copyOf(noDecay), 0.0));
        optimizer = newOptimizer();
    }

    private AdamW newOptimizer() {
        AdamW opt = null;
        for (ParameterGroup g : groups) {
            if (g.names().isEmpty()) {
                continue;
            }
            TensorVector params = new TensorVector();
            g.names().forEach(n -> params.push_back(model.parameters().get(n)));
            // The group constructor takes ownership of (moves) its options object: one fresh object per use.
            if (opt == null) {
                opt = new AdamW(params, adamOptions(g.weightDecay()));
            } else {
                opt.add_param_group(new OptimizerParamGroup(params, adamOptions(g.weightDecay())));
            }
        }
        if (opt == null) {
            throw new ClipException("no trainable parameters");
        }
        // Why: JavaCPP attaches a new object to the PointerScope open on this thread, if any, and frees it when that
        // scope closes. loadState builds an optimiser, and a caller with a scope open (TrainableClip's encode methods
        // ask for one) had it freed under the trainer: the next step failed with "This pointer address is NULL".
        // The extra reference keeps it until close(); a scope's release then only drops its own.
        opt.retainReference();
        return opt;
    }

    private AdamWOptions adamOptions(double weightDecay) {
        AdamWOptions o = new AdamWOptions(options.learningRate());
        // betas is a std::tuple<double, double>; libstdc++ lays its elements out last-first.
        o.betas().put(0, options.beta2()).put(1, options.beta1());
        o.eps().put(options.eps());
        o.weight_decay().put(weightDecay);
        return o;
    }

    /**
     * Sets LibTorch's intra-op thread count ({@code torch.set_num_threads}) for the calling thread (LibTorch
     * threads started later inherit it). For small models 1 is usually fastest: per-op work is too small to
     * split, and OpenMP threads that wait for a descheduled sibling (a busy machine) slow every op down by an
     * order of magnitude. The weights a run produces depend on this number (see the class description). OpenBLAS,
     * which runs the float32 matrix products, keeps its own pool of one thread per core:
     * {@link io.clip4j.torch.NativeLibraries#setCpuThreads} sizes both (what {@code clip train --threads} does).
     *
     * @param threads intra-op threads, &ge; 1
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public static void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        io.clip4j.torch.NativeLibraries.ensureLoaded();
        torch.set_num_threads(threads);
    }

    /** {@return the two parameter groups (decaying first), as given to AdamW; frozen parameters are in neither} */
    public List<ParameterGroup> parameterGroups() {
        return groups;
    }

    /**
     * Reads back the weight decay and learning rate LibTorch holds for each non-empty group (for checks).
     *
     * @return per group: {weight_decay, lr, beta1, beta2, eps}
     * @throws ClipException if the trainer is closed
     */
    public synchronized List<double[]> optimizerGroupOptions() {
        checkOpen();
        List<double[]> out = new ArrayList<>();
        for (long i = 0; i < optimizer.param_groups().size(); i++) {
            AdamWOptions o = new AdamWOptions(optimizer.param_groups().get(i).options());
            out.add(new double[]{o.weight_decay().get(), o.get_lr(), o.betas().get(1), o.betas().get(0), o.eps().get()});
        }
        return out;
    }

    /** {@return the options} */
    public TrainOptions options() {
        return options;
    }

    /** {@return the model being trained} */
    public TrainableClip model() {
        return model;
    }

    /** {@return the number of completed steps (the index of the next step)} */
    public long completedSteps() { // not synchronized: a progress thread must not wait for a whole step
        return step;
    }

    /**
     * One optimisation step on a batch of matching image-caption pairs.
     *
     * @param pixelValues float32 {@code [n, 3, S, S]} row-major preprocessed images, S = image_resolution
     * @param ids         int64 {@code [n, context_length]} row-major token ids in [0, vocab_size); row i is the
     *                    caption of image i
     * @param n           batch size, &ge; 2 (a contrastive batch needs negatives)
     * @return loss, learning rate, temperature and gradient norm of the step
     * @throws NullPointerException if an array is null
     * @throws ClipException        if the trainer or its model is closed, n &lt; 2 or the arrays do not match
     *                              {@code n}, a pixel value is not finite, an id is outside [0, vocab_size) (checked
     *                              before the step, naming the value), the loss is not finite, or LibTorch fails
     */
    public synchronized StepResult step(float[] pixelValues, long[] ids, int n) {
        checkOpen();
        checkBatch(pixelValues, ids, n, 2, "a training");
        double lr = schedule.at(step);
        for (long i = 0; i < optimizer.param_groups().size(); i++) {
            optimizer.param_groups().get(i).options().set_lr(lr);
        }
        double loss;
        double gradNorm = Double.NaN;
        try (PointerScope scope = new PointerScope()) {
            optimizer.zero_grad(true);
            int s = model.config().imageResolution();
            Tensor img = model.encodeImage(Tensors.floats(pixelValues, n, 3, s, s));
            Tensor txt = model.encodeText(Tensors.longs(ids, n, model.config().contextLength()));
            Tensor lossTensor = ContrastiveLoss.loss(img, txt, model.logitScale());
            loss = lossTensor.item_double();
            if (!Double.isFinite(loss)) {
                // Numbered from 1 like MetricsLog's "step" (completed steps): "step 1: loss is NaN" stood beside a
                // log whose step 1 had a finite loss.
                throw new ClipException("step " + (step + 1) + ": loss is " + loss + " (learning rate " + lr
                        + " too high?)");
            }
            backwardWithoutOneDnn(lossTensor);
            if (options.gradClipNorm() > 0) {
                gradNorm = torch.clip_grad_norm_(new TensorVector(trainable.toArray(new Tensor[0])),
                        options.gradClipNorm());
            }
            optimizer.step();
        } catch (ClipException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ClipException("step " + (step + 1) + ": LibTorch failed: " + withoutNativeTrace(e.getMessage()), e);
        }
        model.clampLogitScale();
        StepResult r = new StepResult(step, loss, lr, model.temperatureScale(), gradNorm);
        step++;
        return r;
    }

    /**
     * {@code loss.backward()} with LibTorch's oneDNN (mkldnn) CPU kernels switched off, so that convolution
     * gradients come from its native CPU kernels. LibTorch 2.10's oneDNN float32 convolution backward-data is
     * wrong on some AVX-512 CPUs (seen on an AMD EPYC: the input gradient of a 3x3 convolution differs from the
     * reference by about its own magnitude in every call, and is NaN or infinite now and then, in up to about
     * 1 call of 100, apparently from uninitialised memory); its forward pass and weight gradient are right.
     * Through the ResNet tower the bad input gradient reaches every stem parameter, and a non-finite one turns
     * the weights, and the next loss, into NaN at random. The backend is chosen when each backward kernel runs, so the forward pass keeps
     * oneDNN. The switch is process-wide: inference on another thread meanwhile takes the (correct) native
     * path too.
     */
    static void backwardWithoutOneDnn(Tensor loss) {
        oneDnnOff();
        try {
            loss.backward();
        } finally {
            oneDnnRestored();
        }
    }

    /** Guards the process-wide switch: backward passes of trainers on other threads overlap. */
    private static final Object ONE_DNN_SWITCH = new Object();
    private static int oneDnnOffCount;
    private static boolean oneDnnBefore;

    /**
     * The first of overlapping backward passes turns oneDNN off, the last one restores it: with a save and restore
     * per pass, one trainer could restore "on" while another's backward was still running, or leave it off for good.
     */
    private static void oneDnnOff() {
        synchronized (ONE_DNN_SWITCH) {
            if (oneDnnOffCount == 0) {
                org.bytedeco.pytorch.Context ctx = torch.globalContext();
                oneDnnBefore = ctx.userEnabledMkldnn();
                ctx.setUserEnabledMkldnn(false);
            }
            oneDnnOffCount++; // after the switch: had it thrown, a count of 1 would have kept oneDNN on for good
        }
    }

    private static void oneDnnRestored() {
        synchronized (ONE_DNN_SWITCH) {
            if (--oneDnnOffCount == 0) {
                torch.globalContext().setUserEnabledMkldnn(oneDnnBefore);
            }
        }
    }

    /**
     * The loss of a batch under the current weights, without a step or gradients.
     *
     * @param pixelValues float32 {@code [n, 3, S, S]} row-major, exactly {@code n * 3 * S * S} values
     * @param ids         int64 {@code [n, context_length]} row-major, exactly {@code n * context_length} ids in
     *                    [0, vocab_size)
     * @param n           batch size, &ge; 1
     * @return the symmetric contrastive loss ({@link ContrastiveLoss}), a mean cross-entropy in nats
     * @throws ClipException if the trainer or its model is closed, the lengths do not match {@code n}, a pixel value
     *                       is not finite or an id is outside [0, vocab_size) (checked first, naming the value), or
     *                       LibTorch fails
     * @throws NullPointerException if an array is null
     */
    public synchronized double evaluateLoss(float[] pixelValues, long[] ids, int n) {
        checkOpen();
        checkBatch(pixelValues, ids, n, 1, "an evaluation");
        int s = model.config().imageResolution();
        try (PointerScope scope = new PointerScope(); NoGradGuard guard = new NoGradGuard()) {
            Tensor img = model.towers().encodeImage(Tensors.floats(pixelValues, n, 3, s, s));
            Tensor txt = model.towers().encodeText(Tensors.longs(ids, n, model.config().contextLength()));
            // + 0.0: the loss of one pair is -0.5 * (0 + 0) = -0.0, printed "-0.0" in logs and reports
            return ContrastiveLoss.loss(img, txt, model.logitScale()).item_double() + 0.0;
        } catch (ClipException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ClipException("evaluating the loss: LibTorch failed: " + withoutNativeTrace(e.getMessage()), e);
        }
    }

    /**
     * The array lengths must match {@code n} exactly: they are copied whole into tensors sized from it. The values are
     * checked as a loaded model checks them: a NaN pixel was reported as "loss is NaN (learning rate ... too high?)",
     * and an id past the vocabulary as LibTorch's index error with its whole native backtrace in the message.
     */
    private void checkBatch(float[] pixelValues, long[] ids, int n, int minN, String what) {
        int s = model.config().imageResolution();
        int ctx = model.config().contextLength();
        if (n < minN || pixelValues.length != (long) n * 3 * s * s || ids.length != (long) n * ctx) {
            throw new ClipException(what + " batch needs n >= " + minN + " images [n,3," + s + "," + s + "] and ids [n,"
                    + ctx + "]; got n=" + n + ", " + pixelValues.length + " pixel values, " + ids.length + " ids");
        }
        TowerInputs.checkPixelValues(pixelValues, n, s);
        TowerInputs.checkTokenIds(ids, n, ctx, model.config().vocabSize());
    }

    /**
     * Writes the training state to {@code dir} (created if needed): see the class description.
     *
     * @param dir      directory
     * @param metadata extra fields for {@code trainer.json} (e.g. seed, data description); may be empty
     * @throws NullPointerException if {@code dir} is null
     * @throws ClipException if the trainer or its model is closed, a weight is not finite (see
     *                       {@link TrainableClip#toTensorData}), or a file cannot be written
     */
    public synchronized void saveState(Path dir, Map<String, ?> metadata) {
        // Why: a null folder was reported as the ClipException "null: cannot save training state: Cannot invoke ...".
        Objects.requireNonNull(dir, "dir");
        checkOpen();
        try {
            Files.createDirectories(dir);
            StateFiles.deleteWriterTemporaries(dir, staged(dir, WEIGHTS).getFileName().toString());
            // Every file is written under a staging name first and the three are moved into place only once all
            // are written: a save that fails or is killed while writing (seconds, for a large model) leaves the
            // previous state whole. trainer.json is moved last and names the digests of the other two, so a kill
            // between the moves (milliseconds) is completed by loadState from the staged files, not trusted blindly.
            SafetensorsWriter.write(staged(dir, WEIGHTS), model.toTensorData(CheckpointPrecision.FLOAT32),
                    ConfigInference.safetensorsMetadata(model.config()));
            OutputArchive archive = new OutputArchive();
            try {
                optimizer.save(archive);
                archive.save_to(staged(dir, OPTIMIZER).toString());
            } finally {
                archive.close();
            }
            ObjectNode state = JSON.createObjectNode();
            state.put("completed_steps", step);
            state.set("options", JSON.valueToTree(options));
            state.set("metadata", JSON.valueToTree(metadata));
            StateFiles.recordDigests(dir, state, Trainer::staged);
            Files.writeString(staged(dir, STATE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(state));
            for (String name : StateFiles.ALL) {
                StateFiles.replace(staged(dir, name), dir.resolve(name));
            }
        } catch (IOException | RuntimeException e) {
            for (String name : StateFiles.ALL) {
                try {
                    Files.deleteIfExists(staged(dir, name));
                } catch (IOException | RuntimeException ignored) {
                    // best effort: the next save replaces it
                }
            }
            throw new ClipException(dir + ": cannot save training state: " + e.getMessage(), e);
        }
    }

    /**
     * Restores weights, optimiser state and step count saved by {@link #saveState} into this trainer (built
     * with the same model configuration and freezing).
     *
     * @param dir a training-state directory
     * @return the metadata saved with it
     * @throws ClipException if the trainer is closed, a file is missing or does not fit this model (the weights
     *                       must hold exactly this model's tensors, no more), the saved options differ,
     *                       {@code completed_steps} is not a whole number from 0 to the total steps, or the weights
     *                       or optimiser file is not the one {@code trainer.json} was saved with (an interrupted
     *                       save); a refused state leaves the weights, optimiser and step count as they were
     * @throws NullPointerException if {@code dir} is null
     */
    public synchronized JsonNode loadState(Path dir) {
        Objects.requireNonNull(dir, "dir");
        checkOpen();
        completeInterruptedSave(dir);
        try {
            if (!Files.isRegularFile(dir.resolve(STATE))) {
                throw new ClipException("no " + STATE + " (not a training-state directory, or one partly deleted)");
            }
            JsonNode state = JSON.readTree(Files.readString(dir.resolve(STATE)));
            if (!state.isObject()) {
                throw new ClipException(STATE + " is not a JSON object");
            }
            JsonNode saved = state.path("options");
            if (!options.equals(JSON.treeToValue(saved, TrainOptions.class))) {
                // The schedule, decay groups and freezing are part of what makes a resumed run exact.
                throw new ClipException("the saved run used other options: " + optionDifferences(saved));
            }
            long completed = StateFiles.completedSteps(state, options.totalSteps());
            StateFiles.requireRecordedFiles(dir, state); // before anything of this trainer changes
            StateDict sd = CheckpointReader.read(dir.resolve(WEIGHTS));
            String act = ConfigInference.ACTIVATION_METADATA;
            String recorded = sd.metadata().get(act);
            String ours = ConfigInference.safetensorsMetadata(model.config()).get(act);
            if (recorded != null && !recorded.equals(ours)) {
                throw new ClipException("the saved weights record " + act + " " + recorded + ", this model computes "
                        + ours);
            }
            // Why: everything that can refuse the state runs before the first weight changes. Copying first left a
            // model of another size (extra blocks ignored, the rest copied) half-overwritten when the optimiser file
            // was then refused, and the caller's trainer silently held weights from another run.
            requireSameTensors(sd);
            AdamW loaded = loadOptimizer(dir.resolve(OPTIMIZER));
            try (PointerScope scope = new PointerScope(); NoGradGuard guard = new NoGradGuard()) {
                copyInto(sd, model.parameters());
                copyInto(sd, model.buffers());
            } catch (RuntimeException e) {
                loaded.close(); // not expected after the checks above, but then the new optimiser is not leaked
                throw e;
            }
            optimizer.close();
            optimizer = loaded;
            step = completed;
            return state.path("metadata");
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ClipException(dir + ": cannot resume training state: no " + e.getFile(), e);
        } catch (IOException | RuntimeException e) {
            throw new ClipException(dir + ": cannot resume training state: " + e.getMessage(), e);
        }
    }

    /**
     * Completes a save of the training state in {@code dir} that was stopped (a kill, Ctrl-C) while its files were
     * being moved into place: all of them had been written, some were moved. Without this, the state would be
     * refused as the files of two different steps, and the previous one is already replaced. {@link #loadState}
     * does this first; call it before reading the state's {@code weights.safetensors} yourself (e.g. to build the
     * model to resume). A save stopped while its files were being written left the previous state in place, and
     * nothing is done.
     *
     * @param dir a training-state directory
     * @return the completed steps of the state that was completed, or -1 if there was none to complete
     * @throws ClipException if a file cannot be read or moved
     * @throws NullPointerException if {@code dir} is null
     */
    public static long completeInterruptedSave(Path dir) {
        Objects.requireNonNull(dir, "dir");
        try {
            return StateFiles.completeInterruptedSave(dir, Trainer::staged);
        } catch (IOException | RuntimeException e) {
            throw new ClipException(dir + ": cannot complete an interrupted save of the training state: " + e, e);
        }
    }

    /**
     * The options that differ from the saved ones, e.g. {@code learningRate 5.0E-4, this run 0.001}: the message
     * listed both option sets in full, leaving the reader to find the difference among ten fields.
     */
    private String optionDifferences(JsonNode saved) throws IOException {
        // Through text, as the saved side was read: valueToTree makes a long a LongNode, reading it an IntNode.
        JsonNode now = JSON.readTree(JSON.writeValueAsString(options));
        List<String> differences = new ArrayList<>();
        now.fieldNames().forEachRemaining(k -> {
            if (!now.get(k).equals(saved.get(k))) {
                differences.add(k + " " + (saved.has(k) ? saved.get(k) : "(not recorded)") + ", this run " + now.get(k));
            }
        });
        return differences.isEmpty() ? saved + " (this run " + now + ")" : String.join("; ", differences);
    }

    /** Where {@link #saveState} writes {@code name} before moving it into place. */
    private static Path staged(Path dir, String name) {
        return dir.resolve(name + ".new");
    }

    /** LibTorch's message without the C++ stack trace it appends (dozens of frames, on one CLI error line). */
    static String withoutNativeTrace(String message) {
        if (message == null) {
            return "LibTorch failed";
        }
        int trace = message.indexOf("Exception raised from");
        return (trace < 0 ? message : message.substring(0, trace)).strip();
    }

    /**
     * The saved weights must be exactly this model's: every parameter and buffer present with its shape, and no
     * tensor the model lacks (the weights of a deeper model otherwise load into a shallower one).
     */
    private void requireSameTensors(StateDict sd) {
        java.util.Set<String> read = new java.util.HashSet<>();
        for (Map<String, Tensor> target : List.of(model.parameters(), model.buffers())) {
            for (Map.Entry<String, Tensor> e : target.entrySet()) {
                TensorData d = sd.get(e.getKey());
                if (!java.util.Arrays.equals(d.shape(), Tensors.shape(e.getValue()))) {
                    throw new ClipException(sd.source() + ": tensor '" + e.getKey() + "' has shape "
                            + java.util.Arrays.toString(d.shape()) + ", the model has "
                            + java.util.Arrays.toString(Tensors.shape(e.getValue())));
                }
                read.add(e.getKey());
            }
        }
        io.clip4j.checkpoint.UnusedTensors.requireAllUsed(sd, read);
    }

    /** A new optimiser over this trainer's parameters holding the saved state; this trainer's is left as it was. */
    private AdamW loadOptimizer(Path file) {
        AdamW loaded = newOptimizer();
        InputArchive archive = new InputArchive();
        try {
            archive.load_from(file.toString());
            loaded.load(archive);
            return loaded;
        } catch (RuntimeException e) {
            loaded.close();
            throw new ClipException(OPTIMIZER + ": " + withoutNativeTrace(e.getMessage()), e);
        } finally {
            archive.close();
        }
    }

    private static void copyInto(StateDict sd, Map<String, Tensor> target) {
        for (Map.Entry<String, Tensor> e : target.entrySet()) {
            TensorData d = sd.get(e.getKey());
            e.getValue().copy_(Tensors.floats(d.toFloatArray(), d.shape()));
        }
    }

    // The optimiser is null after close(): a plain NullPointerException otherwise.
    private void checkOpen() {
        if (optimizer == null) {
            throw new ClipException("the trainer is closed");
        }
    }

    /** Frees the optimiser. Idempotent. */
    @Override
    public synchronized void close() {
        if (optimizer != null) {
            optimizer.close();
            optimizer = null;
        }
    }
}
