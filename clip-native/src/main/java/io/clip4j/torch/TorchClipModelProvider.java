package io.clip4j.torch;

import io.clip4j.ClipConfig;
import io.clip4j.ClipModel;
import io.clip4j.checkpoint.CheckpointConfig;
import io.clip4j.checkpoint.CheckpointReader;
import io.clip4j.checkpoint.ImageTransformConfig;
import io.clip4j.checkpoint.StateDict;
import io.clip4j.spi.ClipModelProvider;

/**
 * The LibTorch engine behind {@link ClipModel#load}: reads the checkpoint (format detected from its
 * content), infers the configuration like the reference {@code build_model} (cross-checked with a Hugging Face or
 * open_clip config file; {@link CheckpointConfig} also gives the normalisation mean/std and resize mode from an
 * open_clip directory's {@code preprocess_cfg} or a Hugging Face directory's {@code preprocessor_config.json}), and
 * builds the towers on the builder's device in its precision (a CUDA device needs the {@code -Pcuda} build; otherwise
 * {@link io.clip4j.ClipException} says so). Registered with {@link java.util.ServiceLoader}.
 */
public final class TorchClipModelProvider implements ClipModelProvider {

    /** Creates the provider (ServiceLoader needs a public no-argument constructor). */
    public TorchClipModelProvider() {
    }

    @Override
    public ClipModel open(ClipModel.Builder options) {
        // Fail on an unusable device (CPU-only natives, no GPU, index out of range) before reading the checkpoint.
        NativeLibraries.ensureLoaded();
        CudaCheck.require(options.device());
        StateDict sd = CheckpointReader.read(options.checkpoint());
        CheckpointConfig declared = CheckpointConfig.infer(sd, options.checkpoint(), options.activation());
        ClipConfig config = declared.model();
        // The checkpoint's own preprocessing (open_clip's preprocess_cfg, Hugging Face's preprocessor_config.json),
        // else CLIP's; read before the engine is built, so that a refused file costs no native memory.
        ImageTransformConfig transform = declared.transform();
        TorchClip engine = TorchClip.create(sd, config, options.threads(), options.device(), options.precision());
        try {
            return new TorchClipModel(engine, config, options, transform.mean(), transform.std(),
                    transform.squash());
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
