package io.clip4j.search;

/**
 * The k best (score, row) pairs of a stream, in a binary min-heap whose root is the worst kept pair:
 * O(n log k) instead of sorting all n. A higher score wins; equal scores prefer the lower row.
 */
final class TopScores {
    private final int[] rows;
    private final float[] scores;
    private int size;

    TopScores(int k) {
        rows = new int[k];
        scores = new float[k];
    }

    void offer(int row, float score) {
        if (rows.length == 0) {
            return;
        }
        if (size < rows.length) {
            rows[size] = row;
            scores[size] = score;
            siftUp(size++);
        } else if (better(score, row, scores[0], rows[0])) {
            rows[0] = row;
            scores[0] = score;
            siftDown(0);
        }
    }

    /** @return the kept rows, best first; empties the heap */
    int[] rowsBestFirst() {
        int[] out = new int[size];
        for (int i = size - 1; i >= 0; i--) {
            out[i] = rows[0];
            size--;
            rows[0] = rows[size];
            scores[0] = scores[size];
            siftDown(0);
        }
        return out;
    }

    private static boolean better(float s, int r, float t, int q) {
        return s > t || (s == t && r < q);
    }

    private void siftUp(int i) {
        while (i > 0) {
            int p = (i - 1) / 2;
            if (!better(scores[p], rows[p], scores[i], rows[i])) {
                return;
            }
            swap(i, p);
            i = p;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int worst = i;
            for (int c = 2 * i + 1; c <= 2 * i + 2 && c < size; c++) {
                if (better(scores[worst], rows[worst], scores[c], rows[c])) {
                    worst = c;
                }
            }
            if (worst == i) {
                return;
            }
            swap(i, worst);
            i = worst;
        }
    }

    private void swap(int a, int b) {
        int r = rows[a];
        rows[a] = rows[b];
        rows[b] = r;
        float s = scores[a];
        scores[a] = scores[b];
        scores[b] = s;
    }
}
