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
    /** Fits on a (n × d) feature array of any float type, computing in float64 on its device. */
    public static Standardizer fit(NDArray features) {
        if (features.getShape().dimension() != 2 || features.getShape().get(0) == 0) {
            throw new IllegalArgumentException("expected a non-empty (n, d) matrix, got " + features.getShape());
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray x = features.toType(DataType.FLOAT64, false);
            NDArray mean = x.mean(new int[] {0});
            NDArray sd = x.sub(mean).square().mean(new int[] {0}).sqrt();
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

    /** The standardised features; every array made here, the result included, belongs to the caller's NDScope. */
    NDArray applyInScope(NDArray features, DataType type) {
        if (features.getShape().get(1) != mean.length) {
            throw new IllegalArgumentException("features have " + features.getShape().get(1)
                    + " columns; the standardizer was fitted on " + mean.length);
        }
        NDManager m = features.getManager();
        NDArray mu = m.create(mean, new Shape(mean.length));
        NDArray sd = m.create(scale, new Shape(scale.length));
        NDArray out = features.toType(DataType.FLOAT64, false).sub(mu).div(sd);
        return out.getDataType() == type ? out : out.toType(type, false);
    }
}
