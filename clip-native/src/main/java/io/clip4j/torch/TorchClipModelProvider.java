package io.clip4j.torch;

import io.clip4j.ClipConfig;
import io.clip4j.ClipException;
import io.clip4j.ClipModel;
import io.clip4j.checkpoint.CheckpointReader;
import io.clip4j.checkpoint.ConfigInference;
import io.clip4j.checkpoint.StateDict;
import io.clip4j.spi.ClipModelProvider;

/**
 * The LibTorch engine behind {@link ClipModel#load}: reads the checkpoint (format detected from its
 * content), infers the configuration like the reference {@code build_model}, and builds the towers.
 * Registered with {@link java.util.ServiceLoader}.
 */
public final class TorchClipModelProvider implements ClipModelProvider {

    /** Creates the provider (ServiceLoader needs a public no-argument constructor). */
    public TorchClipModelProvider() {
    }

    @Override
    public ClipModel open(ClipModel.Builder options) {
        if (options.device().isCuda()) {
            throw new ClipException("device " + options.device() + " requested, but this build of clip4j runs on "
                    + "the CPU only (the CUDA engine is not available yet); use --device cpu");
        }
        StateDict sd = CheckpointReader.read(options.checkpoint());
        ClipConfig config = ConfigInference.infer(sd, options.checkpoint());
        TorchClip engine = TorchClip.create(sd, config, options.threads());
        try {
            return new TorchClipModel(engine, config, options);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "libtorch";
    }
}
