package org.example.dino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.engine.Engines;
import org.pretext.engine.NoGradient;

/** DinoLoss against values worked out by hand and by numpy, its gradient against finite differences, the centre rule. */
class DinoLossTest {

    @Test
    void matchesTheValueWorkedOutByHand() {
        // N = 1, K = 2, τ_s = 0.1, τ_t = 0.05, c = (0.02, −0.02)
        // student view 1: (0.1·ln 3, 0)/τ_s → softmax (3/4, 1/4); view 2: (0, 0) → (1/2, 1/2)
        // teacher view 1: c + (0.05·ln 4, 0) → softmax((t − c)/τ_t) = (4/5, 1/5); view 2: c → (1/2, 1/2)
        // L = ½ [H((4/5, 1/5), (1/2, 1/2)) + H((1/2, 1/2), (3/4, 1/4))] = ½ ln 2 + ¼ ln(16/3) = 0.765068
        // (pairing each view with itself instead would give 0.600, and leaving the centre out 0.6607)
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray student = m.create(new double[] {0.1 * Math.log(3), 0, 0, 0}, new Shape(2, 2));
            NDArray teacher = m.create(new double[] {0.02 + 0.05 * Math.log(4), -0.02, 0.02, -0.02}, new Shape(2, 2));
            NDArray centre = m.create(new double[] {0.02, -0.02}, new Shape(1, 2));
            NDArray targets = DinoLoss.teacherProbabilities(teacher, centre, 0.05);
            // Scalars makes a temperature a float32 constant (0.05f = 0.05 + 7e−10), hence 1e−7 and not 1e−12
            assertThat(targets.toDoubleArray()).containsExactly(new double[] {0.8, 0.2, 0.5, 0.5}, within(1e-7));
            double l = DinoLoss.crossEntropy(student, targets, 0.1).getDouble();
            assertThat(l).isCloseTo(0.5 * Math.log(2) + 0.25 * Math.log(16.0 / 3), within(1e-7));
            NDArray uncentred = DinoLoss.teacherProbabilities(teacher, m.zeros(new Shape(1, 2), DataType.FLOAT64), 0.05);
            assertThat(DinoLoss.crossEntropy(student, uncentred, 0.1).getDouble()).isCloseTo(0.6607135489228191, within(1e-7));
        }
    }

    @Test
    void matchesAnIndependentNumpyImplementation() {
        // import numpy as np
        // def sm(x): e = np.exp(x - x.max(-1, keepdims=True)); return e / e.sum(-1, keepdims=True)
        // s = np.array([[.3,-.2,.5],[.1,.4,-.3],[-.6,.2,0],[.25,-.15,.05]])     # student, 2 views of N = 2
        // t = np.array([[.2,.1,-.1],[0,-.3,.3],[.5,-.5,.1],[-.2,.2,.4]])        # teacher
        // c = np.array([[.1,-.05,.02]])
        // pt = sm((t - c) / 0.04); ps = np.log(sm(s / 0.1))
        // -(np.concatenate([pt[2:], pt[:2]]) * ps).sum(1).mean()               # 3.241759005574615
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = m.create(new double[] {.3, -.2, .5, .1, .4, -.3, -.6, .2, 0, .25, -.15, .05}, new Shape(4, 3));
            NDArray t = m.create(new double[] {.2, .1, -.1, 0, -.3, .3, .5, -.5, .1, -.2, .2, .4}, new Shape(4, 3));
            NDArray c = m.create(new double[] {.1, -.05, .02}, new Shape(1, 3));
            assertThat(DinoLoss.crossEntropy(s, DinoLoss.teacherProbabilities(t, c, 0.04), 0.1).getDouble())
                    .isCloseTo(3.241759005574615, within(1e-7));
        }
    }

    @Test
    void gradientMatchesFiniteDifferencesAndTheClosedForm() {
        int n = 3;
        int k = 5;
        double tauS = 0.1;
        SplittableRandom r = new SplittableRandom(7);
        double[] s = new double[2 * n * k];
        double[] t = new double[2 * n * k];
        for (int i = 0; i < s.length; i++) {
            s[i] = r.nextGaussian() * 0.3;
            t[i] = r.nextGaussian() * 0.3;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray targets = DinoLoss.teacherProbabilities(m.create(t, new Shape(2 * n, k)),
                    m.create(new double[] {0.1, 0, -0.1, 0.05, 0}, new Shape(1, k)), 0.04);
            NDArray x = m.create(s, new Shape(2 * n, k));
            x.setRequiresGradient(true);
            double[] grad;
            try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                gc.backward(DinoLoss.crossEntropy(x, targets, tauS));
                grad = x.getGradient().toDoubleArray();
            }
            double[] p = targets.toDoubleArray();
            double h = 1e-6;
            for (int i = 0; i < s.length; i++) {
                double[] plus = s.clone();
                double[] minus = s.clone();
                plus[i] += h;
                minus[i] -= h;
                double fd = (loss(m, plus, targets, n, k, tauS) - loss(m, minus, targets, n, k, tauS)) / (2 * h);
                assertThat(grad[i]).as("∂L/∂s[%d]", i).isCloseTo(fd, within(1e-7));
                // ∂L/∂s = (softmax(s/τ_s) − P_t of the other view) / (τ_s · 2N), with τ_s as the float32 the loss uses
                int row = i / k;
                int other = (row + n) % (2 * n);
                double tau = (float) tauS;
                double softmax = softmaxAt(s, row, i % k, k, tau);
                assertThat(grad[i]).isCloseTo((softmax - p[other * k + i % k]) / (tau * 2 * n), within(1e-12));
            }
            assertThat(java.util.Arrays.stream(grad).map(Math::abs).max().orElseThrow()).as("largest |∂L/∂s|")
                    .isGreaterThan(0.01);
        }
    }

    private static double loss(NDManager m, double[] s, NDArray targets, int n, int k, double tauS) {
        try (NDArray x = m.create(s, new Shape(2 * n, k)); NDArray l = DinoLoss.crossEntropy(x, targets, tauS)) {
            return l.getDouble();
        }
    }

    private static double softmaxAt(double[] s, int row, int col, int k, double tau) {
        double sum = 0;
        for (int j = 0; j < k; j++) {
            sum += Math.exp(s[row * k + j] / tau);
        }
        return Math.exp(s[row * k + col] / tau) / sum;
    }

    @Test
    void theCentreMovesTowardsTheBatchMeanInPlace() {
        // c = (1, −2, 0.5), teacher rows (3, 0, 0) and (1, 2, −1): batch mean (2, 1, −0.5)
        // c ← 0.9·c + 0.1·mean = (1.1, −1.7, 0.4)
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray centre = m.create(new float[] {1, -2, 0.5f}, new Shape(1, 3));
            NDArray teacher = m.create(new float[] {3, 0, 0, 1, 2, -1}, new Shape(2, 3));
            NDArray mean = DinoLoss.batchCentre(teacher);
            assertThat(mean.getShape()).isEqualTo(new Shape(1, 3));
            NoGradient.run(() -> DinoLoss.updateCentre(centre, mean, 0.9));
            assertThat(centre.toFloatArray()).containsExactly(new float[] {1.1f, -1.7f, 0.4f}, within(1e-6f));
            // momentum 1 keeps the centre, 0 replaces it by the batch mean
            NoGradient.run(() -> DinoLoss.updateCentre(centre, mean, 1));
            assertThat(centre.toFloatArray()).containsExactly(new float[] {1.1f, -1.7f, 0.4f}, within(1e-6f));
            NoGradient.run(() -> DinoLoss.updateCentre(centre, mean, 0));
            assertThat(centre.toFloatArray()).containsExactly(new float[] {2, 1, -0.5f}, within(1e-6f));
        }
    }

    @Test
    void teacherTemperatureWarmsUpLinearlyThenStays() {
        // 0.04 → 0.07 over the first 30% of 100 steps
        assertThat(DinoLoss.teacherTemperature(0, 100, 0.04, 0.07, 0.3)).isCloseTo(0.04, within(1e-15));
        assertThat(DinoLoss.teacherTemperature(15, 100, 0.04, 0.07, 0.3)).isCloseTo(0.055, within(1e-15));
        assertThat(DinoLoss.teacherTemperature(30, 100, 0.04, 0.07, 0.3)).isEqualTo(0.07);
        assertThat(DinoLoss.teacherTemperature(99, 100, 0.04, 0.07, 0.3)).isEqualTo(0.07);
        assertThat(DinoLoss.teacherTemperature(0, 100, 0.04, 0.07, 0)).as("no warm-up").isEqualTo(0.07);
    }
}
