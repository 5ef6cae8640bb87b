package io.clip4j.eval;

import io.clip4j.ClipModel;
import io.clip4j.Features;
import io.clip4j.data.LabeledDataset;
import io.clip4j.data.LabeledImage;
import io.clip4j.image.ImageDecodeException;
import io.clip4j.image.ImageInput;
import io.clip4j.math.ArraySizes;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Frozen image_features of a labelled set: the input of the linear and few-shot probes (CLIP paper
 * section 3.2, Appendix A.3). Immutable.
 */
public final class LabeledFeatures {
    private final float[] data;
    private final int rows;
    private final int dim;
    private final int[] labels;
    private final List<String> classNames;

    /**
     * Creates a labelled set of features from copies of the rows and labels.
     *
     * @param features   image_features {@code [n, embed_dim]}, raw (as {@code encode_image} returns) or normalised
     * @param labels     class of each row, in [0, n_classes), length n; copied
     * @param classNames class names, index = label, at least one
     * @throws NullPointerException if an argument or a class name is null
     * @throws EvaluationException  if the lengths disagree, a label is out of range or there are no classes
     */
    public LabeledFeatures(Features features, int[] labels, List<String> classNames) {
        this(Objects.requireNonNull(features, "features").toArray(), features.rows(), features.dim(),
                Objects.requireNonNull(labels, "labels").clone(),
                List.copyOf(Objects.requireNonNull(classNames, "classNames")));
    }

    private LabeledFeatures(float[] data, int rows, int dim, int[] labels, List<String> classNames) {
        if (classNames.isEmpty()) {
            throw new EvaluationException("labelled features need at least one class name");
        }
        if (labels.length != rows) {
            throw new EvaluationException(rows + " feature rows but " + labels.length + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new EvaluationException("label " + labels[i] + " of row " + i + " is outside the "
                        + classNames.size() + " classes");
            }
        }
        this.data = data;
        this.rows = rows;
        this.dim = dim;
        this.labels = labels;
        this.classNames = classNames;
    }

    /**
     * Encodes every image of a dataset with the vision tower, {@code chunkSize} images at a time (so only
     * one chunk of preprocessed pixels is in memory).
     *
     * @param model     the model
     * @param dataset   the labelled images, at least one
     * @param chunkSize images decoded and encoded per step, &ge; 1 (e.g. 256)
     * @return image_features {@code [n, embed_dim]}, not normalised, with the dataset's labels and class names
     * @throws NullPointerException if {@code model} or {@code dataset} is null
     * @throws EvaluationException  if the dataset is empty or chunkSize &lt; 1
     * @throws io.clip4j.image.ImageDecodeException naming an image that cannot be decoded, with its place in the
     *                                              dataset ({@code image 287 of 806: FILE: ...})
     * @throws io.clip4j.ClipException if the model is closed or fails, or an image's features are not finite or all
     *                                 zeros ({@link io.clip4j.NonFiniteFeaturesException})
     */
    public static LabeledFeatures encode(ClipModel model, LabeledDataset dataset, int chunkSize) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(dataset, "dataset");
        if (dataset.size() == 0) {
            throw new EvaluationException("dataset " + dataset.name() + " has no examples");
        }
        List<ImageInput> images = new ArrayList<>(dataset.size());
        int[] labels = new int[dataset.size()];
        for (int i = 0; i < dataset.size(); i++) {
            LabeledImage e = dataset.examples().get(i);
            images.add(e.image());
            labels[i] = e.label();
        }
        Features f = encodeImages(model, images, chunkSize);
        return new LabeledFeatures(f.toArray(), f.rows(), f.dim(), labels, dataset.classNames());
    }

    /**
     * Encodes images chunk by chunk (see {@link #encode(ClipModel, LabeledDataset, int)}).
     *
     * @param model     the model
     * @param images    the images, any number
     * @param chunkSize images per step, &ge; 1
     * @return image_features {@code [images.size(), embed_dim]}, not normalised
     * @throws NullPointerException if {@code model} or {@code images} is null
     * @throws EvaluationException  if chunkSize &lt; 1
     * @throws IllegalArgumentException if an element is null (named by its index in {@code images}), or
     *                                  {@code images.size() * embed_dim} exceeds the Java array limit
     * @throws io.clip4j.image.ImageDecodeException naming an image that cannot be decoded, with its place in
     *                                              {@code images}
     * @throws io.clip4j.ClipException as {@link ClipModel#encodeImages}
     */
    public static Features encodeImages(ClipModel model, List<ImageInput> images, int chunkSize) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(images, "images");
        if (chunkSize < 1) {
            throw new EvaluationException("chunk size must be >= 1, got " + chunkSize);
        }
        // Here, not per chunk: the model would name a null by its index in the chunk ("images[1]" for images[3]).
        io.clip4j.spi.InputBatches.requireNoNulls(images, "images");
        int d = model.config().embedDim();
        float[] out = new float[ArraySizes.product("image_features", images.size(), d)];
        for (int s = 0; s < images.size(); s += chunkSize) {
            List<ImageInput> chunk = images.subList(s, Math.min(images.size(), s + chunkSize));
            float[] f;
            try {
                f = model.encodeImages(chunk).toArray();
            } catch (ImageDecodeException e) {
                throw DecodeFailures.locate(model, chunk, s, images.size(), e);
            }
            System.arraycopy(f, 0, out, s * d, f.length);
        }
        return new Features(out, images.size(), d);
    }

    /** {@return n, the number of rows} */
    public int size() {
        return rows;
    }

    /** {@return the feature dimension (embed_dim)} */
    public int dim() {
        return dim;
    }

    /** {@return the class names, index = label} */
    public List<String> classNames() {
        return classNames;
    }

    /** {@return the number of classes} */
    public int classCount() {
        return classNames.size();
    }

    /** {@return the features {@code [n, dim]} (a copy)} */
    public Features features() {
        return new Features(data, rows, dim);
    }

    /** {@return the labels (a copy)} */
    public int[] labels() {
        return labels.clone();
    }

    /**
     * Returns the class label of one row.
     *
     * @param row index in [0, n)
     * @return that row's label
     * @throws IndexOutOfBoundsException if row is outside [0, n)
     */
    public int label(int row) {
        if (row < 0 || row >= rows) {
            throw new IndexOutOfBoundsException("row " + row + " outside [0, " + rows + ")");
        }
        return labels[row];
    }

    /**
     * Returns some rows as a new set (for splits and few-shot samples).
     *
     * @param rows row indices in [0, n), any order, repeats allowed
     * @return those rows, in the given order, with the same class names
     * @throws NullPointerException if {@code rows} is null
     * @throws EvaluationException  if an index is out of range
     */
    public LabeledFeatures subset(int[] rows) {
        Objects.requireNonNull(rows, "rows");
        float[] d = new float[ArraySizes.product("features", rows.length, dim)];
        int[] l = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            int r = rows[i];
            if (r < 0 || r >= this.rows) {
                throw new EvaluationException("row " + r + " outside [0, " + this.rows + ")");
            }
            System.arraycopy(data, r * dim, d, i * dim, dim);
            l[i] = labels[r];
        }
        return new LabeledFeatures(d, rows.length, dim, l, classNames);
    }

    /** {@return the same rows, each divided by its L2 norm (zero rows stay zero)} */
    public LabeledFeatures normalized() {
        Features n = features().normalized();
        return new LabeledFeatures(n.toArray(), rows, dim, labels, classNames);
    }

    /** The backing array for this package (no copy; never modified). */
    float[] data() {
        return data;
    }

    int[] labelArray() {
        return labels;
    }

    @Override
    public String toString() {
        return "LabeledFeatures[" + rows + ", " + dim + "; " + classNames.size() + " classes]";
    }
}
