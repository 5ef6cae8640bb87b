package io.clip4j.data;

import java.util.List;
import java.util.Objects;

/**
 * A classification dataset: class names (used to build prompts for zero-shot classification and
 * captions for training) and labelled images. Immutable.
 *
 * @param name       a short name for reports (e.g. {@code fashion-mnist/test})
 * @param classNames class names, index = label
 * @param examples   the images with their labels
 */
public record LabeledDataset(String name, List<String> classNames, List<LabeledImage> examples) {
    /**
     * Creates a dataset; the lists are copied.
     *
     * @param name       a short name for reports (e.g. {@code fashion-mnist/test})
     * @param classNames class names, index = label
     * @param examples   the images with their labels
     * @throws IllegalArgumentException if a label is outside the class list or there are no classes
     */
    public LabeledDataset {
        Objects.requireNonNull(name, "name");
        classNames = List.copyOf(classNames);
        examples = List.copyOf(examples);
        if (classNames.isEmpty()) {
            throw new IllegalArgumentException(name + ": no class names");
        }
        for (LabeledImage e : examples) {
            if (e.label() >= classNames.size()) {
                throw new IllegalArgumentException(name + ": label " + e.label() + " of " + e.image()
                        + " is outside the " + classNames.size() + " classes");
            }
        }
    }

    /** {@return the number of examples} */
    public int size() {
        return examples.size();
    }
}
