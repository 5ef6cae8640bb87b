package io.clip4j.eval;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParametricSearchTest {

    @Test
    void findsUnimodalPeakAtEighthDecadeResolution() {
        // peak at log10 C = 1.375 = 11/8, on the 96-step grid
        ParametricSearch.Result r = ParametricSearch.maximize(e -> -Math.abs(e - 1.375));
        assertEquals(1.375, r.best().log10C());
        // coarse grid 7 points, then at most 2 per halving (4 halvings: 1, 1/2, 1/4, 1/8)
        assertTrue(r.evaluated().size() <= 15, "evaluations " + r.evaluated().size());
        Set<Double> seen = new HashSet<>();
        for (ParametricSearch.Point p : r.evaluated()) {
            assertTrue(seen.add(p.log10C()), "evaluated twice: " + p.log10C());
            assertEquals(0, (p.log10C() * 8) % 1, 0.0, "on the 1/8-decade grid: " + p.log10C());
            assertTrue(p.log10C() >= -6 && p.log10C() <= 6);
        }
        // the coarse grid comes first, in ascending order
        for (int i = 0; i < 7; i++) {
            assertEquals(-6 + 2 * i, r.evaluated().get(i).log10C());
        }
    }

    @Test
    void peakAtTheEdgeAndTiesKeepFirst() {
        assertEquals(-6.0, ParametricSearch.maximize(e -> -e).best().log10C());
        assertEquals(6.0, ParametricSearch.maximize(e -> e).best().log10C());
        // a plateau: every value scores the same -> the first coarse point (smallest C) wins
        assertEquals(-6.0, ParametricSearch.maximize(e -> 0.5).best().log10C());
    }

    @Test
    void bestIsTheMaximumOfTheEvaluatedPoints() {
        ParametricSearch.Result r = ParametricSearch.maximize(e -> Math.sin(e) + 0.1 * e);
        double max = r.evaluated().stream().mapToDouble(ParametricSearch.Point::score).max().orElseThrow();
        assertEquals(max, r.best().score());
    }
}
