package io.clip4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A batch of embeddings: {@code image_features} or {@code text_features}, a float32 matrix
 * {@code [n, embed_dim]} in row-major order. Immutable.
 *
 * <p>As in the reference ({@code CLIP.encode_image} / {@code CLIP.encode_text}) the values are the
 * raw projections, not normalised; {@link #normalized()} divides each row by its L2 norm, which is
 * what the similarity uses.
 */
public final class Features {
    private final float[] data;
    private final int rows;
    private final int dim;

    /**
     * Creates features from a copy of row-major values.
     *
     * @param data row-major values, {@code rows * dim} of them; copied
     * @param rows number of items n, &ge; 0
     * @param dim  embed_dim, &gt; 0
     * @throws NullPointerException     if {@code data} is null
     * @throws IllegalArgumentException if rows &lt; 0, dim &lt; 1 or {@code data.length != rows * dim}
     */
    public Features(float[] data, int rows, int dim) {
        this(Objects.requireNonNull(data, "data").clone(), rows, dim, true);
    }

    private Features(float[] data, int rows, int dim, boolean check) {
        if (rows < 0 || dim <= 0 || (long) rows * dim != data.length) {
            throw new IllegalArgumentException("features [" + rows + ", " + dim + "] need " + ((long) rows * dim)
                    + " values, got " + data.length);
        }
        this.data = data;
        this.rows = rows;
        this.dim = dim;
    }

    /** {@return n, the number of rows} */
    public int rows() {
        return rows;
    }

    /** {@return embed_dim, the number of columns} */
    public int dim() {
        return dim;
    }

    /**
     * Returns one value of the matrix.
     *
     * @param row index in [0, rows)
     * @param col index in [0, embed_dim)
     * @return one value
     * @throws IndexOutOfBoundsException outside the matrix
     */
    public float get(int row, int col) {
        if (row < 0 || row >= rows || col < 0 || col >= dim) {
            throw new IndexOutOfBoundsException("(" + row + ", " + col + ") outside [" + rows + ", " + dim + "]");
        }
        return data[row * dim + col];
    }

    /**
     * Returns one embedding (a row) as a copy.
     *
     * @param row index in [0, rows)
     * @return a copy of one row, length embed_dim
     * @throws IndexOutOfBoundsException if row is outside [0, rows)
     */
    public float[] row(int row) {
        if (row < 0 || row >= rows) {
            throw new IndexOutOfBoundsException("row " + row + " outside [0, " + rows + ")");
        }
        return Arrays.copyOfRange(data, row * dim, (row + 1) * dim);
    }

    /** {@return copies of all rows, in order: n arrays of length embed_dim} */
    public List<float[]> rowList() {
        List<float[]> list = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            list.add(row(i));
        }
        return list;
    }

    /** {@return a copy of all values, row-major {@code [n, embed_dim]}} */
    public float[] toArray() {
        return data.clone();
    }

    /**
     * Each row divided by its L2 norm (norm accumulated in double). A row of zeros stays zero
     * instead of becoming NaN; a row holding NaN or an infinity comes out holding NaN (not checked here).
     *
     * @return the unit-length rows, same shape
     */
    public Features normalized() {
        float[] out = new float[data.length];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int c = 0; c < dim; c++) {
                double v = data[r * dim + c];
                ss += v * v;
            }
            double norm = Math.sqrt(ss);
            for (int c = 0; c < dim; c++) {
                out[r * dim + c] = norm == 0 ? 0f : (float) (data[r * dim + c] / norm);
            }
        }
        return new Features(out, rows, dim, true);
    }

    @Override
    public String toString() {
        return "Features[" + rows + ", " + dim + "]";
    }
}
