package org.pretext.selfpredict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.engine.Engines;

class MlmLossTest {

    @Test
    void matchesTheValueWorkedOutByHand() {
        // vocabulary of 3; row 0 lists 2 positions, row 1 one position and one list padding (weight 0)
        // (0,0): logits (0, 0, 0), target 2: −log(1/3) = log 3
        // (0,1): logits (ln 2, 0, 0), target 0: −log(2/4) = log 2
        // (1,0): logits (0, ln 3, 0), target 1: −log(3/5) = log(5/3)
        // (1,1): weight 0, ignored whatever its logits
        // L = (log 3 + log 2 + log(5/3))/3 = log(10)/3
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            float ln2 = (float) Math.log(2);
            float ln3 = (float) Math.log(3);
            NDArray logits = m.create(new float[] {0, 0, 0, ln2, 0, 0, 0, ln3, 0, 9, -9, 4}, new Shape(2, 2, 3));
            NDArray targets = m.create(new int[] {2, 0, 1, 0}, new Shape(2, 2));
            NDArray weights = m.create(new float[] {1, 1, 1, 0}, new Shape(2, 2));
            assertThat(MlmLoss.compute(logits, targets, weights).getFloat())
                    .isCloseTo((float) (Math.log(10) / 3), within(1e-6f));
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(8);
        int b = 2;
        int m = 3;
        int v = 5;
        float[] z = new float[b * m * v];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) r.nextGaussian();
        }
        int[] targets = {4, 0, 2, 1, 1, 3};
        float[] weights = {1, 1, 0, 1, 1, 1};
        try (NDManager manager = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            NDArray x = manager.create(z, new Shape(b, m, v));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                NDArray loss = MlmLoss.compute(x, manager.create(targets, new Shape(b, m)),
                        manager.create(weights, new Shape(b, m)));
                assertThat(loss.getFloat()).isCloseTo((float) reference(z, targets, weights, v), within(1e-5f));
                gc.backward(loss);
            }
            float[] grad = x.getGradient().toFloatArray();
            double h = 1e-3;
            for (int i = 0; i < z.length; i++) {
                float[] plus = z.clone();
                float[] minus = z.clone();
                plus[i] += (float) h;
                minus[i] -= (float) h;
                double numeric = (reference(plus, targets, weights, v) - reference(minus, targets, weights, v)) / (2 * h);
                assertThat((double) grad[i]).as("dL/dz[%d]", i).isCloseTo(numeric, within(1e-4));
            }
        }
    }

    /** The loss in double precision with explicit loops. */
    static double reference(float[] z, int[] targets, float[] weights, int v) {
        double total = 0;
        double count = 0;
        for (int i = 0; i < targets.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < v; k++) {
                max = Math.max(max, z[i * v + k]);
            }
            double sum = 0;
            for (int k = 0; k < v; k++) {
                sum += Math.exp(z[i * v + k] - max);
            }
            total += weights[i] * -(z[i * v + targets[i]] - max - Math.log(sum));
            count += weights[i];
        }
        return total / count;
    }
}
