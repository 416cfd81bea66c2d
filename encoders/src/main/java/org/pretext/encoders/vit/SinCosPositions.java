package org.pretext.encoders.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Fixed 2-D sine-cosine position embeddings of a grid of patches, as in MAE (He et al. 2022):
 * for the patch in row r and column c of the grid, with D divisible by 4 and
 * ω_k = 10000^(−k/(D/4)), k = 0..D/4−1,
 *
 * <pre>
 *   P[r·cols + c] = [ sin(c·ω), cos(c·ω), sin(r·ω), cos(r·ω) ]   (four blocks of D/4 values)
 * </pre>
 *
 * (the column in the first half, the row in the second, as MAE's reference code). The table is a
 * frozen parameter, saved with the model but never trained. Inputs {@code (x)} with x of shape
 * (B, N, D): adds the whole table; {@code (x, positions)} with int positions (B, K): adds
 * P[positions], looked up with an embedding op on the positions so that nothing derived from the
 * table outlives the step.
 */
public final class SinCosPositions extends AbstractBlock {
    private static final byte VERSION = 1;
    private final int rows;
    private final int cols;
    private final int width;
    private final Parameter table;

    /**
     * @param rows grid rows (H/p)
     * @param cols grid columns (W/p)
     * @param width embedding width D, divisible by 4
     */
    public SinCosPositions(int rows, int cols, int width) {
        super(VERSION);
        if (width % 4 != 0) {
            throw new IllegalArgumentException("sine-cosine positions need a width divisible by 4, got " + width);
        }
        this.rows = rows;
        this.cols = cols;
        this.width = width;
        float[] values = values(rows, cols, width);
        table = addParameter(Parameter.builder().setName("positionEmbedding").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape((long) rows * cols, width)).optRequiresGrad(false)
                .optInitializer((manager, shape, dataType) -> manager.create(values, shape)).build());
    }

    /** The table, row-major (rows·cols, width). */
    public static float[] values(int rows, int cols, int width) {
        int quarter = width / 4;
        float[] v = new float[rows * cols * width];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int base = (r * cols + c) * width;
                for (int k = 0; k < quarter; k++) {
                    double omega = Math.pow(10000, -(double) k / quarter);
                    v[base + k] = (float) Math.sin(c * omega);
                    v[base + quarter + k] = (float) Math.cos(c * omega);
                    v[base + 2 * quarter + k] = (float) Math.sin(r * omega);
                    v[base + 3 * quarter + k] = (float) Math.cos(r * omega);
                }
            }
        }
        return v;
    }

    /** The (rows·cols, D) table as the store gives it (no copy on its own device). */
    public NDArray table(ParameterStore store, ai.djl.Device device, boolean training) {
        return store.getValue(table, device, training);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray p = store.getValue(table, x.getDevice(), training);
        if (inputs.size() > 1) {
            NDArray positions = inputs.get(1);
            return new NDList(x.add(positions.getNDArrayInternal().embedding(positions, p, SparseFormat.DENSE)
                    .singletonOrThrow()));
        }
        return new NDList(x.add(p));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public String toString() {
        return "SinCosPositions(" + rows + "x" + cols + ", " + width + ")";
    }
}
