package io.clip4j.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded, class-stratified sampling of row indices (validation splits and k-shot subsets). */
final class Splits {
    private Splits() {
    }

    /** Row indices of each class, in row order. */
    static List<List<Integer>> byClass(int[] labels, int classes) {
        List<List<Integer>> out = new ArrayList<>(classes);
        for (int c = 0; c < classes; c++) {
            out.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            out.get(labels[i]).add(i);
        }
        return out;
    }

    /**
     * Holds out {@code round(fraction * m)} rows of every class with m rows (at most m - 1, so each class
     * keeps a training row), chosen by a seeded shuffle.
     *
     * @return {train indices, validation indices}, each ascending
     * @throws EvaluationException if the fraction is outside (0, 1) or nothing would be held out
     */
    static int[][] stratified(int[] labels, int classes, double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new EvaluationException("validation fraction must be in (0, 1), got " + fraction);
        }
        Random rnd = new Random(seed);
        boolean[] val = new boolean[labels.length];
        int nVal = 0;
        for (List<Integer> rows : byClass(labels, classes)) {
            int take = Math.min((int) Math.round(fraction * rows.size()), Math.max(0, rows.size() - 1));
            for (int r : pick(rows, take, rnd)) {
                val[r] = true;
                nVal++;
            }
        }
        if (nVal == 0) {
            throw new EvaluationException("training set of " + labels.length
                    + " examples is too small to hold out a validation split of " + fraction);
        }
        int[] tr = new int[labels.length - nVal];
        int[] va = new int[nVal];
        int a = 0;
        int b = 0;
        for (int i = 0; i < labels.length; i++) {
            if (val[i]) {
                va[b++] = i;
            } else {
                tr[a++] = i;
            }
        }
        return new int[][]{tr, va};
    }

    /** k distinct elements of rows by a partial Fisher-Yates shuffle (rows itself is not modified). */
    static List<Integer> pick(List<Integer> rows, int k, Random rnd) {
        List<Integer> copy = new ArrayList<>(rows);
        for (int i = 0; i < k; i++) {
            int j = i + rnd.nextInt(copy.size() - i);
            Integer t = copy.get(i);
            copy.set(i, copy.get(j));
            copy.set(j, t);
        }
        return copy.subList(0, k);
    }
}
