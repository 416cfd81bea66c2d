package org.pretext.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pretext.engine.Engines;

class SoftmaxRegressionLossTest {
    private static NDManager manager;

    @BeforeAll
    static void start() {
        Engines.engine();
        manager = NDManager.newBaseManager(Device.cpu());
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static SoftmaxRegressionLoss loss(NDManager m, double[] x, int n, int d, int[] y, int classes, double l2,
            Precision p) {
        NDArray features = m.create(x, new Shape(n, d)).toType(p.dataType(), false);
        NDArray oneHot = m.create(y).oneHot(classes, DataType.FLOAT64);
        return new SoftmaxRegressionLoss(features, oneHot, l2, p);
    }

    @Test
    void valueWorkedOutByHand() {
        try (NDManager m = manager.newSubManager()) {
            // One example x = 2 of class 0, two classes, W = [[1], [-1]], b = [0.5, -0.5], λ = 0.5:
            // z = [2.5, -2.5]; log-loss = log(e^2.5 + e^-2.5) - 2.5 = log(1 + e^-5);
            // penalty = ½·0.5·(1 + 1) = 0.5.
            SoftmaxRegressionLoss f = loss(m, new double[] {2}, 1, 1, new int[] {0}, 2, 0.5, Precision.FLOAT64);
            double[] g = new double[4];
            double value = f.evaluate(new double[] {1, -1, 0.5, -0.5}, g);
            assertThat(value).isCloseTo(Math.log1p(Math.exp(-5)) + 0.5, within(1e-15));
            // p0 = 1/(1+e^-5), residual r = [p0 - 1, 1 - p0]; ∇W = r·x + λW, ∇b = r (unpenalised).
            double p0 = 1 / (1 + Math.exp(-5));
            assertThat(g).containsExactly(new double[] {(p0 - 1) * 2 + 0.5, (1 - p0) * 2 - 0.5, p0 - 1, 1 - p0},
                    within(1e-15));

            // At θ = 0 every class has probability 1/C: f = n·log C, whatever the data.
            SoftmaxRegressionLoss g3 = loss(m, new double[] {1, 2, 3, 4, 5, 6}, 3, 2, new int[] {0, 2, 1}, 4, 3.0,
                    Precision.FLOAT64);
            assertThat(g3.evaluate(new double[g3.parameterCount()], new double[g3.parameterCount()]))
                    .isCloseTo(3 * Math.log(4), within(1e-14));
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(11);
        int n = 9;
        int d = 4;
        int classes = 3;
        double[] x = new double[n * d];
        int[] y = new int[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(classes);
        }
        try (NDManager m = manager.newSubManager()) {
            SoftmaxRegressionLoss f = loss(m, x, n, d, y, classes, 0.7, Precision.FLOAT64);
            double[] theta = new double[f.parameterCount()];
            for (int i = 0; i < theta.length; i++) {
                theta[i] = r.nextGaussian();
            }
            double[] g = new double[theta.length];
            f.evaluate(theta, g);
            double h = 1e-6;
            for (int i = 0; i < theta.length; i++) {
                double[] plus = theta.clone();
                double[] minus = theta.clone();
                plus[i] += h;
                minus[i] -= h;
                double numeric = (f.evaluate(plus, new double[theta.length]) - f.evaluate(minus, new double[theta.length]))
                        / (2 * h);
                assertThat(g[i]).as("parameter %d", i).isCloseTo(numeric, within(1e-7));
            }
            // The float32 variant (GEMMs with X in single precision) gives the same value and gradient
            // to single-precision accuracy.
            SoftmaxRegressionLoss f32 = loss(m, x, n, d, y, classes, 0.7, Precision.FLOAT32);
            double[] g32 = new double[theta.length];
            double v32 = f32.evaluate(theta, g32);
            assertThat(v32).isCloseTo(f.evaluate(theta, new double[theta.length]), within(1e-4));
            assertThat(g32).containsExactly(g, within(1e-4));
        }
    }

    @Test
    void gradientKeepsClassSumsAtZero() {
        // Σ_k ∂f/∂W_k = Σ_i x_i Σ_k (p_ik − y_ik) + λ Σ_k W_k = λ Σ_k W_k, so from W with zero class
        // sums every gradient step stays in that subspace: the minimiser is unique there.
        try (NDManager m = manager.newSubManager()) {
            SoftmaxRegressionLoss f = loss(m, new double[] {1, -2, 0.5, 3, 2, 2}, 3, 2, new int[] {0, 1, 2}, 3, 0.1,
                    Precision.FLOAT64);
            double[] theta = {1, 2, -0.5, -1, -0.5, -1, 0.3, 0.2, -0.5};
            double[] g = new double[9];
            f.evaluate(theta, g);
            assertThat(g[0] + g[2] + g[4]).isCloseTo(0, within(1e-14));
            assertThat(g[1] + g[3] + g[5]).isCloseTo(0, within(1e-14));
            assertThat(g[6] + g[7] + g[8]).isCloseTo(0, within(1e-14));
        }
    }
}
