package io.clip4j.train;

import io.clip4j.ClipException;
import io.clip4j.data.LabeledDataset;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What {@link ZeroShotAccuracy} refuses. */
class ZeroShotAccuracyTest {
    @Test
    void anEmptySetIsRefusedNotScoredZero() {
        // The accuracy of no images was reported as 0, read as "the model learnt nothing".
        LabeledDataset empty = new LabeledDataset("held-out", List.of("cat", "dog"), List.of());
        ClipException e = assertThrows(ClipException.class, () -> new ZeroShotAccuracy(empty, List.of("a {}")));
        assertEquals("held-out: no examples to evaluate zero-shot accuracy on", e.getMessage());
        assertEquals("templates", assertThrows(NullPointerException.class,
                () -> new ZeroShotAccuracy(empty, null)).getMessage());
    }
}
