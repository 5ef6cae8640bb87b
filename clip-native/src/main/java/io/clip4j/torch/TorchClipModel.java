package io.clip4j.torch;

import io.clip4j.ClipConfig;
import io.clip4j.ClipException;
import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.ImagePipeline;
import io.clip4j.image.ImageInput;
import io.clip4j.math.ArraySizes;
import io.clip4j.math.TopK;
import io.clip4j.spi.AbstractClipModel;
import io.clip4j.spi.InputBatches;
import io.clip4j.spi.ZeroShotArguments;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * {@link ClipModel} on LibTorch: the {@link TorchClip} towers plus clip-api's tokenizer and preprocessing, or,
 * with {@link ImagePipeline#KERNELS}, the fused path of {@link KernelImagePipeline} (decode on CPU threads, fused
 * preprocessing into the tower's input tensor, image tower, fused similarity/softmax/top-k). Created through
 * {@link ClipModel#load} / {@link ClipModel#builder}. Thread-safe.
 */
final class TorchClipModel extends AbstractClipModel {
    private final TorchClip engine;
    /** Null when images go through clip-api's Java preprocessing. */
    private final KernelImagePipeline kernels;

    TorchClipModel(TorchClip engine, ClipConfig config, ClipModel.Builder options, double[] mean, double[] std,
                   boolean squash) {
        super(config, options, mean, std, squash);
        this.engine = engine;
        this.kernels = kernelsFor(options.imagePipeline(), engine);
    }

    // KERNELS when chosen (an unloadable kernels library is then an error); AUTO falls back to JAVA instead.
    private KernelImagePipeline kernelsFor(ImagePipeline choice, TorchClip engine) {
        if (choice.resolve(engine.device().isCuda()) != ImagePipeline.KERNELS) {
            return null;
        }
        try {
            return KernelImagePipeline.create(preprocessor(), engine.placement());
        } catch (ClipException e) {
            if (choice == ImagePipeline.KERNELS) {
                throw e;
            }
            LoggerFactory.getLogger(TorchClipModel.class).warn("image pipeline AUTO: using JAVA, {}", e.getMessage());
            return null;
        }
    }

    /** @return the pipeline images go through: {@link ImagePipeline#KERNELS} or {@link ImagePipeline#JAVA} */
    ImagePipeline imagePipeline() {
        return kernels != null ? ImagePipeline.KERNELS : ImagePipeline.JAVA;
    }

    /** @return true when the kernels pipeline runs its kernels on the GPU (not the CPU fallback) */
    boolean kernelsOnGpu() {
        return kernels != null && kernels.onGpu();
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
    protected Features encodeImageBatch(List<ImageInput> batch) {
        if (kernels == null) {
            return super.encodeImageBatch(batch);
        }
        return new Features(engine.withImageFeatures(() -> kernels.pixelValues(batch), TensorIo::toFloats),
                batch.size(), config().embedDim());
    }

    /**
     * With the kernels pipeline: per batch, the image_features stay where the tower computed them and the fused
     * similarity/softmax/top-k kernel reads them there (on a GPU only {@code [n, k]} comes back to the host).
     */
    @Override
    public TopK zeroShotTopK(List<ImageInput> images, Features classEmbeddings, int k) {
        if (kernels == null) {
            return super.zeroShotTopK(images, classEmbeddings, k);
        }
        ZeroShotArguments.check(images, classEmbeddings, k, config().embedDim());
        int n = images.size();
        float[] probs = new float[ArraySizes.product("zero-shot top-k", n, k)];
        float[] logits = new float[probs.length];
        int[] indices = new int[probs.length];
        for (int start = 0; start < n; start += batchSize()) {
            List<ImageInput> chunk = images.subList(start, Math.min(n, start + batchSize()));
            int first = start;
            TopK part = InputBatches.images(n, first, first + chunk.size(), () -> engine.withImageFeatures(
                    () -> kernels.pixelValues(chunk), features -> scoreOnDevice(features, first, chunk.size(),
                            classEmbeddings, k)));
            System.arraycopy(part.probs(), 0, probs, start * k, part.probs().length);
            System.arraycopy(part.logits(), 0, logits, start * k, part.logits().length);
            System.arraycopy(part.indices(), 0, indices, start * k, part.indices().length);
        }
        return ZeroShotArguments.requireFinite(new TopK(n, k, probs, indices, logits));
    }

    // Runs inside the engine's scope: image_features and the class embeddings as float32 where the kernels run.
    private TopK scoreOnDevice(Tensor imageFeatures, int first, int n, Features classEmbeddings, int k) {
        Placement where = kernels.onGpu() ? engine.placement() : Placement.CPU_FLOAT32;
        Tensor img = where.copyTo(imageFeatures, torch.ScalarType.Float).contiguous();
        // An all-zero row would score a uniform softmax in the kernel (it keeps zero rows zero); the JAVA pipeline
        // refuses it, and so must this one. Only the n row sums come back to the host.
        float[] rowSums = TensorIo.toFloats(img.abs().sum(new long[]{1}, false, new ScalarTypeOptional()));
        for (int i = 0; i < n; i++) {
            if (rowSums[i] == 0) {
                throw allZeros("image", first + i);
            }
        }
        Tensor txt = where.copyTo(TensorIo.floats(classEmbeddings.toArray(), classEmbeddings.rows(),
                classEmbeddings.dim()), torch.ScalarType.Float).contiguous();
        return kernels.kernels().zeroShotTopK(new FloatPointer(img.data_ptr()), n, new FloatPointer(txt.data_ptr()),
                classEmbeddings.rows(), classEmbeddings.dim(), engine.logitScale(), k);
    }

    @Override
    public void close() {
        engine.close();
    }
}
