package io.clip4j.torch;

import io.clip4j.ClipConfig;
import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.spi.AbstractClipModel;

/**
 * {@link ClipModel} on LibTorch: the {@link TorchClip} towers plus clip-api's tokenizer and
 * preprocessing. Created through {@link ClipModel#load} / {@link ClipModel#builder}. Thread-safe.
 */
final class TorchClipModel extends AbstractClipModel {
    private final TorchClip engine;

    TorchClipModel(TorchClip engine, ClipConfig config, ClipModel.Builder options) {
        super(config, options);
        this.engine = engine;
    }

    @Override
    public float logitScale() {
        return engine.logitScale();
    }

    @Override
    public Features encodePixels(float[] pixelValues, int n) {
        return new Features(engine.encodeImage(pixelValues, n), n, config().embedDim());
    }

    @Override
    public Features encodeTokens(long[] ids, int n) {
        return new Features(engine.encodeText(ids, n), n, config().embedDim());
    }

    @Override
    public void close() {
        engine.close();
    }
}
