package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.engine.Engines;

class NtXentLossTest {

    @Test
    void matchesTheValueWorkedOutByHand() {
        // Views 0 and 2 are (1,0), views 1 and 3 are (0,1); with τ = 1 each row sees its positive at
        // similarity 1 and two negatives at 0: ℓ_i = −log(e / (e + 1 + 1)), so L = log(e + 2) − 1.
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            NDArray z = m.create(new float[] {1, 0, 0, 1, 1, 0, 0, 1}, new Shape(4, 2));
            double expected = Math.log(Math.E + 2) - 1; // 0.551444...
            assertThat(NtXentLoss.compute(z, 1.0).getFloat()).isCloseTo((float) expected, within(1e-6f));
        }
    }

    @Test
    void matchesAPlainLoopOnRandomUnnormalisedInputs() {
        SplittableRandom r = new SplittableRandom(3);
        int twoN = 6;
        int d = 5;
        double tau = 0.3;
        float[] z = new float[twoN * d];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (r.nextGaussian() * 2);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            float loss = NtXentLoss.compute(m.create(z, new Shape(twoN, d)), tau).getFloat();
            assertThat(loss).isCloseTo((float) reference(z, twoN, d, tau), within(1e-5f));
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(11);
        int twoN = 4;
        int d = 3;
        double tau = 0.5;
        float[] z = new float[twoN * d];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) r.nextGaussian();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(z, new Shape(twoN, d));
            x.setRequiresGradient(true);
            float[] grad;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = NtXentLoss.compute(x, tau);
                gc.backward(loss);
            }
            grad = x.getGradient().toFloatArray();
            double h = 1e-3;
            for (int i = 0; i < z.length; i++) {
                float[] plus = z.clone();
                float[] minus = z.clone();
                plus[i] += (float) h;
                minus[i] -= (float) h;
                double numeric = (reference(plus, twoN, d, tau) - reference(minus, twoN, d, tau)) / (2 * h);
                assertThat((double) grad[i]).as("dL/dz[%d]", i).isCloseTo(numeric, within(2e-3));
            }
        }
    }

    @Test
    void isLowerWhenPositivesAgree() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray aligned = m.create(new float[] {1, 0, 0, 1, 1, 0, 0, 1}, new Shape(4, 2));
            NDArray swapped = m.create(new float[] {1, 0, 0, 1, 0, 1, 1, 0}, new Shape(4, 2));
            assertThat(NtXentLoss.compute(aligned, 0.5).getFloat())
                    .isLessThan(NtXentLoss.compute(swapped, 0.5).getFloat());
        }
    }

    /** NT-Xent in double precision with explicit loops. */
    static double reference(float[] z, int twoN, int d, double tau) {
        double[][] u = new double[twoN][d];
        for (int i = 0; i < twoN; i++) {
            double norm = 0;
            for (int k = 0; k < d; k++) {
                norm += z[i * d + k] * (double) z[i * d + k];
            }
            norm = Math.sqrt(norm);
            for (int k = 0; k < d; k++) {
                u[i][k] = z[i * d + k] / norm;
            }
        }
        double total = 0;
        for (int i = 0; i < twoN; i++) {
            int p = (i + twoN / 2) % twoN;
            double denom = 0;
            double pos = 0;
            for (int k = 0; k < twoN; k++) {
                if (k == i) {
                    continue;
                }
                double s = 0;
                for (int c = 0; c < d; c++) {
                    s += u[i][c] * u[k][c];
                }
                denom += Math.exp(s / tau);
                if (k == p) {
                    pos = s / tau;
                }
            }
            total += -(pos - Math.log(denom));
        }
        return total / twoN;
    }
}
