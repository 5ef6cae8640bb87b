package io.clip4j.spi;

import io.clip4j.ClipModel;

/**
 * Service-provider interface of clip4j engines, found with {@link java.util.ServiceLoader}.
 * clip-native registers the LibTorch engine; {@link ClipModel#load} uses the first provider found.
 */
public interface ClipModelProvider {

    /**
     * Loads a checkpoint and builds a model.
     *
     * @param options everything the caller chose through {@link ClipModel.Builder}
     * @return the loaded model, owning native resources until closed
     * @throws io.clip4j.ClipException if the checkpoint or the options cannot be used
     */
    ClipModel open(ClipModel.Builder options);

    /** {@return a short name for logs, e.g. {@code "libtorch"}} */
    String name();
}
