package io.clip4j.train;

import io.clip4j.ClipException;
import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.spi.AbstractClipModel;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import java.nio.file.Path;

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
        int s = config().imageResolution();
        check("pixelValues", pixelValues.length, (long) n * 3 * s * s);
        try (PointerScope scope = new PointerScope(); NoGradGuard guard = new NoGradGuard()) {
            Tensor f = model.towers().encodeImage(Tensors.floats(pixelValues, n, 3, s, s));
            return new Features(Tensors.toFloats(f), n, config().embedDim());
        }
    }

    @Override
    public Features encodeTokens(long[] ids, int n) {
        check("ids", ids.length, (long) n * config().contextLength());
        try (PointerScope scope = new PointerScope(); NoGradGuard guard = new NoGradGuard()) {
            Tensor f = model.towers().encodeText(Tensors.longs(ids, n, config().contextLength()));
            return new Features(Tensors.toFloats(f), n, config().embedDim());
        }
    }

    private static void check(String what, long length, long expected) {
        if (length != expected) {
            throw new ClipException(what + " has " + length + " values, expected " + expected);
        }
    }

    @Override
    public void close() {
        // the trainable model owns the tensors
    }
}
