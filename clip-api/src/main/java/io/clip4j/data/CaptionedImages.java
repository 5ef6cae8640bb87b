package io.clip4j.data;

import io.clip4j.image.ImageInput;
import io.clip4j.zeroshot.PromptTemplates;

import java.util.List;
import java.util.Objects;

/**
 * The examples of a contrastive training set: each index has an image and, per epoch, a caption (fixed for
 * image-caption pairs; for a labelled set, a class name put into a prompt template drawn per example and
 * epoch). Implementations are immutable and deterministic: equal arguments give equal captions.
 */
public interface CaptionedImages {
    /** {@return the number of examples} */
    int size();

    /**
     * Returns the image of one example.
     *
     * @param index example index in {@code [0, size())}
     * @return its image
     */
    ImageInput image(int index);

    /**
     * Returns the caption of one example in one epoch.
     *
     * @param index example index in {@code [0, size())}
     * @param epoch epoch number, &ge; 0
     * @return the caption to pair with the image in that epoch
     */
    String caption(int index, long epoch);

    /**
     * Returns a set of image-caption pairs whose captions do not change between epochs.
     *
     * @param pairs image-caption pairs (copied)
     * @return the pairs, each with its fixed caption
     */
    static CaptionedImages of(List<ImageCaption> pairs) {
        List<ImageCaption> copy = List.copyOf(pairs);
        return new CaptionedImages() {
            @Override
            public int size() {
                return copy.size();
            }

            @Override
            public ImageInput image(int index) {
                return copy.get(index).image();
            }

            @Override
            public String caption(int index, long epoch) {
                return copy.get(index).caption();
            }
        };
    }

    /**
     * A labelled set turned into captions: for each example and epoch a template is drawn uniformly (seeded by
     * {@code seed}, the epoch and the index) and filled with the example's class name, e.g.
     * {@code "a photo of a Sneaker."}.
     *
     * @param dataset   labelled images
     * @param templates prompt templates with exactly one {@code {}} each, at least one
     * @param seed      seed of the template draws
     * @return the captioned view
     * @throws IllegalArgumentException if there is no template or a template has no {@code {}} or more than one
     */
    static CaptionedImages fromLabels(LabeledDataset dataset, List<String> templates, long seed) {
        Objects.requireNonNull(dataset, "dataset");
        List<String> t = List.copyOf(templates);
        if (t.isEmpty()) {
            throw new IllegalArgumentException("at least one prompt template is needed");
        }
        for (String s : t) {
            // The check of fill itself: "a {} and a {}" passed a contains("{}") test and failed at its first draw,
            // mid-training.
            PromptTemplates.fill(s, "x");
        }
        return new CaptionedImages() {
            @Override
            public int size() {
                return dataset.size();
            }

            @Override
            public ImageInput image(int index) {
                return dataset.examples().get(index).image();
            }

            @Override
            public String caption(int index, long epoch) {
                String template = t.size() == 1 ? t.get(0)
                        : t.get(Shuffle.random(seed, 0x54454d50L, epoch, index).nextInt(t.size()));
                return PromptTemplates.fill(template, dataset.classNames().get(dataset.examples().get(index).label()));
            }
        };
    }

    /**
     * Returns the sets one after another as one set.
     *
     * @param parts sets to join, in order (index ranges follow one another)
     * @return their concatenation
     */
    static CaptionedImages concat(List<CaptionedImages> parts) {
        List<CaptionedImages> p = List.copyOf(parts);
        int[] starts = new int[p.size() + 1];
        for (int i = 0; i < p.size(); i++) {
            starts[i + 1] = Math.addExact(starts[i], p.get(i).size());
        }
        return new CaptionedImages() {
            @Override
            public int size() {
                return starts[p.size()];
            }

            private int part(int index) {
                Objects.checkIndex(index, size());
                int k = java.util.Arrays.binarySearch(starts, index);
                // binarySearch finds an exact start (skip empty parts to the last one starting there) or the insertion point
                if (k >= 0) {
                    while (k + 1 < p.size() && starts[k + 1] == index) {
                        k++;
                    }
                    return k;
                }
                return -k - 2;
            }

            @Override
            public ImageInput image(int index) {
                int k = part(index);
                return p.get(k).image(index - starts[k]);
            }

            @Override
            public String caption(int index, long epoch) {
                int k = part(index);
                return p.get(k).caption(index - starts[k], epoch);
            }
        };
    }

    /**
     * Returns the first examples of a set.
     *
     * @param data  a set
     * @param count how many examples to keep
     * @return the first {@code min(count, size)} examples
     */
    static CaptionedImages first(CaptionedImages data, int count) {
        int n = Math.min(count, data.size());
        return new CaptionedImages() {
            @Override
            public int size() {
                return n;
            }

            @Override
            public ImageInput image(int index) {
                return data.image(Objects.checkIndex(index, n));
            }

            @Override
            public String caption(int index, long epoch) {
                return data.caption(Objects.checkIndex(index, n), epoch);
            }
        };
    }
}
