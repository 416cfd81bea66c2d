package org.pretext.probe;

import org.pretext.engine.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;

/**
 * The multinomial logistic regression objective of scikit-learn's
 * {@code LogisticRegression(multi_class="multinomial", solver="lbfgs")}, evaluated full-batch on
 * the device of the feature matrix:
 *
 * <pre>
 *   f(W, b) = Σ<sub>i</sub> [ log Σ<sub>k</sub> exp(z<sub>ik</sub>) − z<sub>i,y<sub>i</sub></sub> ]  +  ½·λ·‖W‖²<sub>F</sub>,
 *   z<sub>i</sub> = W x<sub>i</sub> + b,   λ = 1/C  (the intercept b is not penalised)
 *
 *   ∇<sub>W</sub> f = (P − Y)ᵀ X + λW,   ∇<sub>b</sub> f = (P − Y)ᵀ 1,   P = softmax(Z) row-wise
 * </pre>
 *
 * The parameter vector is θ = [W row-major (C × d), b (C)]. One evaluation is a few large engine
 * ops (one fused linear, log-softmax, two reductions, one transposed GEMM) and one transfer of the
 * gradient back to the host. With {@link Precision#FLOAT64} everything is in double precision,
 * as in scikit-learn; with {@link Precision#FLOAT32} only the two GEMMs with X run in single
 * precision (X is stored in float32, half the memory traffic), the log-softmax, loss and
 * gradient accumulation stay in double.
 */
public final class SoftmaxRegressionLoss implements DifferentiableFunction {
    private final NDArray x;
    private final NDArray oneHot;
    private final int rows;
    private final int dim;
    private final int classes;
    private final double l2;
    private final Precision precision;

    /**
     * @param x standardised features (n × d), in {@code precision.dataType()}; not owned
     * @param oneHot the labels one-hot (n × C), float64; not owned
     * @param l2 λ = 1/C ≥ 0
     */
    public SoftmaxRegressionLoss(NDArray x, NDArray oneHot, double l2, Precision precision) {
        Shape xs = x.getShape();
        Shape ys = oneHot.getShape();
        if (xs.dimension() != 2 || ys.dimension() != 2 || xs.get(0) != ys.get(0)) {
            throw new IllegalArgumentException("features " + xs + " and one-hot labels " + ys + " do not match");
        }
        if (x.getDataType() != precision.dataType() || oneHot.getDataType() != DataType.FLOAT64) {
            throw new IllegalArgumentException("expected features in " + precision.dataType()
                    + " and float64 one-hot labels, got " + x.getDataType() + " and " + oneHot.getDataType());
        }
        if (!(l2 >= 0)) {
            throw new IllegalArgumentException("L2 strength must be >= 0, was " + l2);
        }
        this.x = x;
        this.oneHot = oneHot;
        this.rows = Math.toIntExact(xs.get(0));
        this.dim = Math.toIntExact(xs.get(1));
        this.classes = Math.toIntExact(ys.get(1));
        this.l2 = l2;
        this.precision = precision;
    }

    /** Number of parameters C·(d + 1). */
    public int parameterCount() {
        return classes * (dim + 1);
    }

    public int classes() {
        return classes;
    }

    public int dim() {
        return dim;
    }

    public int rows() {
        return rows;
    }

    @Override
    public double evaluate(double[] theta, double[] gradient) {
        int wSize = classes * dim;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDManager m = x.getManager();
            NDArray z = logits(m, theta, x);
            NDArray logP = z.logSoftmax(1);
            NDArray nll = logP.mul(oneHot).sum().neg();
            NDArray residual = logP.exp().sub(oneHot);
            NDArray gw = residual.toType(precision.dataType(), false).transpose().matMul(x)
                    .toType(DataType.FLOAT64, false);
            NDArray gb = residual.sum(new int[] {0});
            // read in place (a view of the engine's CPU memory; a copy from a GPU) before the scope frees it:
            // no Java array per evaluation, which two probes fitting at once made the collector's heap grow for
            java.nio.DoubleBuffer host = NDArrays.concat(new NDList(gw.reshape(-1), gb, nll.reshape(1)))
                    .toByteBuffer(true).order(java.nio.ByteOrder.nativeOrder()).asDoubleBuffer();
            double penalty = 0;
            for (int i = 0; i < wSize; i++) {
                penalty += theta[i] * theta[i];
                gradient[i] = host.get(i) + l2 * theta[i];
            }
            for (int k = 0; k < classes; k++) {
                gradient[wSize + k] = host.get(wSize + k);
            }
            return host.get(wSize + classes) + 0.5 * l2 * penalty;
        }
    }

    /**
     * Class scores Z = X Wᵀ + b (n × C, float64) of features {@code features} (in the precision's
     * type) under parameters θ; the arrays are created in the caller's NDScope or manager.
     */
    NDArray logits(NDManager m, double[] theta, NDArray features) {
        return logits(m, theta, features, classes, dim, precision);
    }

    static NDArray logits(NDManager m, double[] theta, NDArray features, int classes, int dim, Precision precision) {
        NDArray params = HostArrays.doubles(m, theta, new Shape(theta.length));
        NDArray w = params.get("0:" + classes * dim).reshape(classes, dim).toType(precision.dataType(), false);
        NDArray b = params.get(classes * dim + ":").toType(precision.dataType(), false);
        NDArray z = Linear.linear(features, w, b).singletonOrThrow();
        return z.toType(DataType.FLOAT64, false);
    }
}
