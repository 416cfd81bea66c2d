package org.pretext.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Fits multinomial logistic regression at one C, as scikit-learn's
 * {@code make_pipeline(StandardScaler(), LogisticRegression(C=C, solver="lbfgs"))} does: the
 * features are standardised with the fitting rows' mean and standard deviation, then
 * {@link SoftmaxRegressionLoss} is minimised by {@link Lbfgs} from zero (or from a warm start),
 * every evaluation full-batch on the features' device.
 *
 * <p>Starting from zero (or any θ whose class sums of W and b are zero), every iterate keeps
 * Σ<sub>k</sub>W<sub>k</sub> = 0 and Σ<sub>k</sub>b<sub>k</sub> = 0 — the gradients have zero class
 * sums — so the solution is the objective's unique minimiser in that subspace, the one
 * scikit-learn's lbfgs reaches from its zero start.
 */
public final class LogisticRegression {
    private final Precision precision;
    private final Lbfgs solver;

    public LogisticRegression(Precision precision, Lbfgs.Options solver) {
        this.precision = precision;
        double floor = precision.relativeToleranceFloor();
        this.solver = new Lbfgs(solver.relativeTolerance() < floor
                ? new Lbfgs.Options(solver.history(), solver.gradientTolerance(), floor, solver.maxIterations(),
                        solver.maxLineSearchEvaluations()) : solver);
    }

    public Precision precision() {
        return precision;
    }

    /**
     * Fits on labelled rows.
     *
     * @param features raw features (n × d, float32 or float64) on the device the fit runs on
     * @param labels class index per row, in [0, numClasses)
     * @param numClasses C
     * @param c inverse L2 strength (λ = 1/C)
     * @param warmStart θ = [W, b] to start from (see {@link LogisticModel#theta()}), or null for zero
     */
    public LogisticModel fit(NDArray features, int[] labels, int numClasses, double c, double[] warmStart) {
        int n = Math.toIntExact(features.getShape().get(0));
        if (labels.length != n) {
            throw new IllegalArgumentException(labels.length + " labels for " + n + " rows");
        }
        Standardizer scaler = Standardizer.fit(features);
        try (NDManager fit = features.getManager().newSubManager()) {
            return fitStandardized(scaler, scaler.apply(fit, features, precision.dataType()), labels, numClasses, c,
                    warmStart);
        }
    }

    /**
     * Fits on features already standardised by {@code scaler} (in {@link Precision#dataType()}): what
     * {@link #fit} does after standardising, so a caller fitting one set of rows at several C
     * standardises them once (e.g. in place, {@link Standardizer#applyInPlace}) instead of once per C.
     */
    LogisticModel fitStandardized(Standardizer scaler, NDArray x, int[] labels, int numClasses, double c,
            double[] warmStart) {
        int n = Math.toIntExact(x.getShape().get(0));
        int d = Math.toIntExact(x.getShape().get(1));
        if (labels.length != n) {
            throw new IllegalArgumentException(labels.length + " labels for " + n + " rows");
        }
        try (NDManager fit = x.getManager().newSubManager()) {
            NDArray oneHot = fit.create(labels, new Shape(n)).oneHot(numClasses, DataType.FLOAT64);
            SoftmaxRegressionLoss loss = new SoftmaxRegressionLoss(x, oneHot, 1.0 / c, precision);
            double[] start = warmStart != null ? warmStart.clone() : new double[loss.parameterCount()];
            if (start.length != loss.parameterCount()) {
                throw new IllegalArgumentException("warm start has " + start.length + " values, expected "
                        + loss.parameterCount());
            }
            Lbfgs.Result r = solver.minimize(loss, start);
            double[] theta = r.x();
            double[] w = new double[numClasses * d];
            double[] b = new double[numClasses];
            System.arraycopy(theta, 0, w, 0, w.length);
            System.arraycopy(theta, w.length, b, 0, b.length);
            return new LogisticModel(scaler, w, b, c, r);
        }
    }
}
