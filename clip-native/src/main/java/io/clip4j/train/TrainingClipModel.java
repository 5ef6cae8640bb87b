package io.clip4j.train;

import io.clip4j.ClipException;
import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.spi.AbstractClipModel;
import io.clip4j.spi.TowerInputs;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * A {@link ClipModel} view of a {@link TrainableClip}'s current weights, for evaluation between steps:
 * encodes without recording gradients, uses CLIP's tokenizer and reference preprocessing at the model's sizes.
 * Shares (does not own) the tensors: {@link #close()} frees nothing. Not thread-safe (the weights change
 * while training).
 */
final class TrainingClipModel extends AbstractClipModel {
    private final TrainableClip model;

    TrainingClipModel(TrainableClip model) {
        super(model.config(), ClipModel.builder(Path.of("(model in training)")));
        this.model = model;
    }

    @Override
    public float logitScale() {
        return model.temperatureScale();
    }

    @Override
    public Features encodePixels(float[] pixelValues, int n) {
        TowerInputs.checkPixelValues(pixelValues, n, config().imageResolution()); // as a loaded model checks them
        int s = config().imageResolution();
        return encode("encodePixels", n, () -> model.towers().encodeImage(Tensors.floats(pixelValues, n, 3, s, s)));
    }

    @Override
    public Features encodeTokens(long[] ids, int n) {
        TowerInputs.checkTokenIds(ids, n, config().contextLength(), config().vocabSize());
        return encode("encodeTokens", n,
                () -> model.towers().encodeText(Tensors.longs(ids, n, config().contextLength())));
    }

    /** Runs a tower without recording gradients; LibTorch's own failures become ClipExceptions, as a loaded model's. */
    private Features encode(String what, int n, Supplier<Tensor> tower) {
        try (PointerScope scope = new PointerScope(); NoGradGuard guard = new NoGradGuard()) {
            return new Features(Tensors.toFloats(tower.get()), n, config().embedDim());
        } catch (ClipException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ClipException("model in training: " + what + ": LibTorch failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        // the trainable model owns the tensors
    }
}
