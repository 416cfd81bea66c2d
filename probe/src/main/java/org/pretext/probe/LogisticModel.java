package org.pretext.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;

/**
 * A fitted multinomial logistic regression: its standardizer and, in the standardised space,
 * coefficients W (C × d, row-major, scikit-learn's {@code coef_}) and intercepts b (C,
 * {@code intercept_}). Host data only; scoring uploads them to the features' device.
 *
 * @param standardizer the scaler fitted on the training rows
 * @param coefficients W, row-major (C × d)
 * @param intercepts b (C)
 * @param c the inverse L2 strength C (λ = 1/C)
 * @param optimization how the solver ended
 */
public record LogisticModel(Standardizer standardizer, double[] coefficients, double[] intercepts, double c,
        Lbfgs.Result optimization) {
    public int numClasses() {
        return intercepts.length;
    }

    public int dim() {
        return standardizer.dim();
    }

    /** The L2 strength λ = 1/C of the objective. */
    public double l2() {
        return 1.0 / c;
    }

    /** θ = [W, b], the solver's parameter vector (e.g. to warm-start another fit). */
    public double[] theta() {
        double[] t = new double[coefficients.length + intercepts.length];
        System.arraycopy(coefficients, 0, t, 0, coefficients.length);
        System.arraycopy(intercepts, 0, t, coefficients.length, intercepts.length);
        return t;
    }

    /**
     * Class scores (n × C, float64) of raw (unstandardised) features (n × d, any float type), as a
     * new array of {@code manager}.
     */
    public NDArray scores(NDManager manager, NDArray rawFeatures, Precision precision) {
        NDArray z;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            z = scoresInScope(rawFeatures, precision);
            NDScope.unregister(z);
        }
        z.attach(manager);
        return z;
    }

    /** Class scores; every array made here, the result included, belongs to the caller's NDScope. */
    private NDArray scoresInScope(NDArray rawFeatures, Precision precision) {
        NDArray x = standardizer.applyInScope(rawFeatures, precision.dataType());
        return SoftmaxRegressionLoss.logits(rawFeatures.getManager(), theta(), x, numClasses(), dim(), precision);
    }

    /**
     * Accuracy and mean log-loss on labelled raw features.
     *
     * @param labels int32 class indices (n) on the features' device
     * @return {accuracy, mean negative log-likelihood}
     */
    public double[] evaluate(NDArray rawFeatures, NDArray labels, Precision precision) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray z = scoresInScope(rawFeatures, precision);
            long n = z.getShape().get(0);
            NDArray correct = z.argMax(1).toType(DataType.INT32, false).eq(labels).toType(DataType.FLOAT64, false)
                    .sum();
            NDArray nll = z.logSoftmax(1).mul(labels.oneHot(numClasses(), DataType.FLOAT64)).sum().neg();
            double[] r = correct.stack(nll).toDoubleArray();
            return new double[] {r[0] / n, r[1] / n};
        }
    }
}
