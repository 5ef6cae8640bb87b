package io.clip4j.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link LearningRateSchedule}'s values and what it refuses. */
class LearningRateScheduleTest {
    @Test
    void warmUpThenCosineToZero() {
        LearningRateSchedule s = new LearningRateSchedule(1.0, 2, 6);
        assertEquals(0.5, s.at(0), 1e-15);
        assertEquals(1.0, s.at(1), 1e-15);
        assertEquals(1.0, s.at(2), 1e-15); // cos(0)
        assertEquals(0.5, s.at(4), 1e-15); // cos(pi / 2)
        assertEquals(0.0, s.at(6), 1e-15);
        assertEquals(0.0, s.at(100), 1e-15);
    }

    @Test
    void aNegativeStepIsRefused() {
        // It gave -Infinity without warm-up and a negative rate with one, outside the promised [0, base].
        for (long warmup : new long[]{0, 3}) {
            LearningRateSchedule s = new LearningRateSchedule(1.0, warmup, 5);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.at(-2));
            assertEquals("step must be >= 0, got -2", e.getMessage());
        }
    }
}
