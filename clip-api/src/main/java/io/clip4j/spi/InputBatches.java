package io.clip4j.spi;

import io.clip4j.image.ImageDecodeException;

import java.util.List;
import java.util.function.Supplier;

/**
 * Error reporting for engines that split a caller's list of images or texts into batches: the caller passed the
 * list, so a failure is named by its place in the list, not in a batch.
 */
public final class InputBatches {
    private InputBatches() {
    }

    /**
     * Refuses a null element, before any batch runs.
     *
     * @param inputs the caller's list (not null)
     * @param name   the argument's name in messages, e.g. {@code images}
     * @throws IllegalArgumentException naming the first null element, e.g. {@code images[40] is null}
     */
    public static void requireNoNulls(List<?> inputs, String name) {
        int index = 0;
        for (Object input : inputs) { // by iterator: get(i) on a linked list would be quadratic
            if (input == null) {
                throw new IllegalArgumentException(name + "[" + index + "] is null");
            }
            index++;
        }
    }

    /**
     * Runs the batch of images {@code [start, end)} of a list of {@code total}; a decode failure, whose message
     * gives a position within the batch ("batch input 9 of 32"), is prefixed with the batch's place in the list
     * ("images 33 to 64 of 100: ").
     *
     * @param total the size of the caller's list, &ge; end
     * @param start the batch's first index in the list (0-based)
     * @param end   one past its last index
     * @param batch the work on that batch
     * @param <R>   the result type
     * @return the batch's result
     * @throws ImageDecodeException restated as above when the list holds more than this batch
     */
    public static <R> R images(int total, int start, int end, Supplier<R> batch) {
        try {
            return batch.get();
        } catch (ImageDecodeException e) {
            if (total == end - start) {
                throw e;
            }
            throw new ImageDecodeException("images " + (start + 1) + " to " + end + " of " + total + ": "
                    + e.getMessage(), e);
        }
    }
}
