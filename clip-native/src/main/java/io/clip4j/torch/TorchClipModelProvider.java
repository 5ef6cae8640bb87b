package io.clip4j.torch;

import io.clip4j.ClipConfig;
import io.clip4j.ClipModel;
import io.clip4j.checkpoint.CheckpointReader;
import io.clip4j.checkpoint.ConfigInference;
import io.clip4j.checkpoint.OpenClipConfig;
import io.clip4j.checkpoint.StateDict;
import io.clip4j.image.ImagePreprocessor;
import io.clip4j.spi.ClipModelProvider;
import java.util.Optional;

/**
 * The LibTorch engine behind {@link ClipModel#load}: reads the checkpoint (format detected from its
 * content), infers the configuration like the reference {@code build_model} (cross-checked with a Hugging Face or
 * open_clip config file; an open_clip directory also gives the normalisation mean/std and resize mode), and builds
 * the towers on the builder's device in its precision (a CUDA device needs the {@code -Pcuda} build; otherwise
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
        ClipConfig config = ConfigInference.infer(sd, options.checkpoint(), options.activation());
        // An open_clip directory may normalise with its own mean/std and squash (preprocess_cfg); others are CLIP's.
        Optional<OpenClipConfig> openClip = OpenClipConfig.find(options.checkpoint());
        double[] mean = openClip.map(OpenClipConfig::mean).orElse(ImagePreprocessor.CLIP_MEAN);
        double[] std = openClip.map(OpenClipConfig::std).orElse(ImagePreprocessor.CLIP_STD);
        TorchClip engine = TorchClip.create(sd, config, options.threads(), options.device(), options.precision());
        try {
            return new TorchClipModel(engine, config, options, mean, std,
                    openClip.map(OpenClipConfig::squash).orElse(false));
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
