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

class SimMimLossTest {

    @Test
    void matchesTheValueWorkedOutByHand() {
        // one image, three patches of two values; patches 0 and 2 masked.
        // patch 0: |0.5 − 1| + |0 − 0| = 0.5, mean 0.25; patch 2: |2 − 0| + |−1 − 1| = 4, mean 2;
        // patch 1 (visible, error 100) does not count: L = (0.25 + 2)/2 = 1.125
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            NDArray prediction = m.create(new float[] {0.5f, 0, 100, -100, 2, -1}, new Shape(1, 3, 2));
            NDArray target = m.create(new float[] {1, 0, 0, 0, 0, 1}, new Shape(1, 3, 2));
            NDArray mask = m.create(new float[] {1, 0, 1}, new Shape(1, 3));
            assertThat((double) SimMimLoss.compute(prediction, target, mask, true).getFloat()).isCloseTo(1.125,
                    within(1e-6));
            // squared: patch 0 (0.25 + 0)/2 = 0.125, patch 2 (4 + 4)/2 = 4: L = 2.0625
            assertThat((double) SimMimLoss.compute(prediction, target, mask, false).getFloat()).isCloseTo(2.0625,
                    within(1e-6));
        }
    }

    @Test
    void gradientMatchesFiniteDifferencesAndIsZeroOnVisiblePatches() {
        SplittableRandom r = new SplittableRandom(8);
        int b = 2;
        int n = 4;
        int p = 3;
        float[] pred = new float[b * n * p];
        float[] target = new float[b * n * p];
        for (int i = 0; i < pred.length; i++) {
            pred[i] = (float) r.nextGaussian();
            target[i] = (float) r.nextDouble();
        }
        float[] mask = {1, 0, 1, 1, 0, 1, 0, 1};
        for (boolean l1 : new boolean[] {true, false}) {
            try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
                NDArray x = m.create(pred, new Shape(b, n, p));
                x.setRequiresGradient(true);
                try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                    NDArray loss = SimMimLoss.compute(x, m.create(target, new Shape(b, n, p)), m.create(mask,
                            new Shape(b, n)), l1);
                    assertThat((double) loss.getFloat()).isCloseTo(reference(pred, target, mask, p, l1), within(1e-6));
                    gc.backward(loss);
                }
                float[] grad = x.getGradient().toFloatArray();
                double h = 1e-3;
                for (int i = 0; i < pred.length; i++) {
                    float[] plus = pred.clone();
                    float[] minus = pred.clone();
                    plus[i] += (float) h;
                    minus[i] -= (float) h;
                    double numeric = (reference(plus, target, mask, p, l1) - reference(minus, target, mask, p, l1))
                            / (2 * h);
                    assertThat((double) grad[i]).as("dL/dpred[%d], l1 %s", i, l1).isCloseTo(numeric, within(1e-4));
                    if (mask[i / p] == 0) {
                        assertThat(grad[i]).isZero();
                    }
                }
            }
        }
    }

    /** The loss in double precision with explicit loops. */
    static double reference(float[] pred, float[] target, float[] mask, int p, boolean l1) {
        double total = 0;
        double count = 0;
        for (int i = 0; i < mask.length; i++) {
            double err = 0;
            for (int j = 0; j < p; j++) {
                double d = pred[i * p + j] - (double) target[i * p + j];
                err += (l1 ? Math.abs(d) : d * d) / p;
            }
            total += mask[i] * err;
            count += mask[i];
        }
        return total / count;
    }
}
