package io.clip4j.math;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RowDirectionsTest {
    @Test
    void theFirstRowWithoutADirectionIsFound() {
        assertNull(RowDirections.firstProblem(new float[]{1, 0, 0, -2, 0, 0}, 3));
        RowDirections.Problem zero = RowDirections.firstProblem(new float[]{1, 0, 0, 0, 0, 0, Float.NaN, 1, 1}, 3);
        assertEquals(new RowDirections.Problem(1, -1, 0f), zero); // row 1 comes before row 2's NaN
        assertTrue(zero.allZeros());
        RowDirections.Problem inf = RowDirections.firstProblem(new float[]{1, 2, 0, Float.NEGATIVE_INFINITY}, 2);
        assertEquals(new RowDirections.Problem(1, 1, Float.NEGATIVE_INFINITY), inf);
        assertFalse(inf.allZeros());
        // -0.0 is a zero: a row of them has no direction either
        assertEquals(0, RowDirections.firstProblem(new float[]{-0f, -0f}, 2).row());
        assertNull(RowDirections.firstProblem(new float[0], 4));
        assertThrows(IllegalArgumentException.class, () -> RowDirections.firstProblem(new float[5], 2));
        assertThrows(IllegalArgumentException.class, () -> RowDirections.firstProblem(new float[4], 0));
    }
}
