package org.pretext.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Feature standardisation x ↦ (x − mean) / scale with the mean and population standard deviation
 * (ddof 0) of the rows it was fitted on, and scale 1 for constant features — scikit-learn's
 * {@code StandardScaler}. Fitted on the rows a model is fitted on, never on validation or test rows.
 *
 * @param mean per-feature mean
 * @param scale per-feature standard deviation (1 where it is 0)
 */
public record Standardizer(double[] mean, double[] scale) {
    /**
     * Values per block of rows when a matrix is standardised piecewise: float64 temporaries of one
     * block (32 MB) instead of three of the whole matrix (3.3 GB for SST-2's 67,349 × 2,048
     * bag-of-words features).
     */
    static final long BLOCK_VALUES = 1L << 22;

    /** Fits on a (n × d) feature array of any float type, computing in float64 on its device. */
    public static Standardizer fit(NDArray features) {
        if (features.getShape().dimension() != 2 || features.getShape().get(0) == 0) {
            throw new IllegalArgumentException("expected a non-empty (n, d) matrix, got " + features.getShape());
        }
        long n = features.getShape().get(0);
        long rows = blockRows(features);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray mean;
            NDArray sd;
            if (rows >= n) {
                NDArray x = features.toType(DataType.FLOAT64, false);
                mean = x.mean(new int[] {0});
                sd = x.sub(mean).square().mean(new int[] {0}).sqrt();
            } else { // two passes over blocks of rows: the mean, then the squared deviations from it
                Shape perColumn = new Shape(features.getShape().get(1));
                NDArray sum = features.getManager().zeros(perColumn, DataType.FLOAT64);
                for (long a = 0; a < n; a += rows) {
                    try (NDScope block = new NDScope()) {
                        block.suppressNotUsedWarning();
                        sum.addi(rowBlock(features, a, Math.min(n, a + rows)).sum(new int[] {0}));
                    }
                }
                mean = sum.div(n);
                NDArray squares = features.getManager().zeros(perColumn, DataType.FLOAT64);
                for (long a = 0; a < n; a += rows) {
                    try (NDScope block = new NDScope()) {
                        block.suppressNotUsedWarning();
                        squares.addi(rowBlock(features, a, Math.min(n, a + rows)).sub(mean).square().sum(new int[] {0}));
                    }
                }
                sd = squares.div(n).sqrt();
            }
            double[] m = mean.toDoubleArray();
            double[] s = sd.toDoubleArray();
            for (int i = 0; i < s.length; i++) {
                if (s[i] == 0 || !Double.isFinite(s[i])) {
                    s[i] = 1;
                }
            }
            return new Standardizer(m, s);
        }
    }

    /** Rows per block: all of them when the matrix has at most {@link #BLOCK_VALUES} values. */
    private static long blockRows(NDArray features) {
        long d = Math.max(1, features.getShape().get(1));
        return Math.max(1, BLOCK_VALUES / d);
    }

    /** Rows [from, to) in float64 (a new array of the current scope). */
    private static NDArray rowBlock(NDArray features, long from, long to) {
        return features.get(new ai.djl.ndarray.index.NDIndex(from + ":" + to)).toType(DataType.FLOAT64, false);
    }

    /** Number of features. */
    public int dim() {
        return mean.length;
    }

    /**
     * The standardised features in the given type, as a new array of {@code manager} (the
     * computation runs in float64 on the features' device).
     */
    public NDArray apply(NDManager manager, NDArray features, DataType type) {
        if (features.getShape().get(1) != mean.length) {
            throw new IllegalArgumentException("features have " + features.getShape().get(1)
                    + " columns; the standardizer was fitted on " + mean.length);
        }
        NDArray out;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            out = applyInScope(features, type);
            NDScope.unregister(out);
        }
        out.attach(manager);
        return out;
    }

    /**
     * Standardises {@code features} in place, block by block of rows (float64 temporaries of one
     * block only): the same values {@link #apply} gives in the features' own type, without a second
     * array of the whole matrix. For features the caller owns and will not need raw again.
     */
    void applyInPlace(NDArray features) {
        if (features.getShape().get(1) != mean.length) {
            throw new IllegalArgumentException("features have " + features.getShape().get(1)
                    + " columns; the standardizer was fitted on " + mean.length);
        }
        DataType type = features.getDataType();
        long n = features.getShape().get(0);
        long rows = blockRows(features);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDManager m = features.getManager();
            NDArray mu = m.create(mean, new Shape(mean.length));
            NDArray sd = m.create(scale, new Shape(scale.length));
            for (long a = 0; a < n; a += rows) {
                long b = Math.min(n, a + rows);
                try (NDScope block = new NDScope()) {
                    block.suppressNotUsedWarning();
                    NDArray part = rowBlock(features, a, b).sub(mu).div(sd);
                    features.set(new ai.djl.ndarray.index.NDIndex(a + ":" + b), part.getDataType() == type ? part
                            : part.toType(type, false));
                }
            }
        }
    }

    /** The standardised features; every array made here, the result included, belongs to the caller's NDScope. */
    NDArray applyInScope(NDArray features, DataType type) {
        if (features.getShape().get(1) != mean.length) {
            throw new IllegalArgumentException("features have " + features.getShape().get(1)
                    + " columns; the standardizer was fitted on " + mean.length);
        }
        NDManager m = features.getManager();
        NDArray mu = m.create(mean, new Shape(mean.length));
        NDArray sd = m.create(scale, new Shape(scale.length));
        long n = features.getShape().get(0);
        long rows = blockRows(features);
        if (rows >= n) {
            NDArray out = features.toType(DataType.FLOAT64, false).sub(mu).div(sd);
            return out.getDataType() == type ? out : out.toType(type, false);
        }
        // block by block into one array of the result type: float64 temporaries of one block only
        NDArray out = m.create(features.getShape(), type);
        for (long a = 0; a < n; a += rows) {
            long b = Math.min(n, a + rows);
            try (NDScope block = new NDScope()) {
                block.suppressNotUsedWarning();
                NDArray part = rowBlock(features, a, b).sub(mu).div(sd);
                out.set(new ai.djl.ndarray.index.NDIndex(a + ":" + b), part.getDataType() == type ? part
                        : part.toType(type, false));
            }
        }
        return out;
    }
}
