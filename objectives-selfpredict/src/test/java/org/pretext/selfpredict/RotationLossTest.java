package org.pretext.selfpredict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.pretext.engine.Engines;

class RotationLossTest {

    @Test
    void matchesTheValueWorkedOutByHand() {
        // row 0: equal logits, any label: −log(1/4) = log 4
        // row 1: logits (0, ln 3, 0, 0), label 1: −log(3/6) = log 2
        // mean: (log 4 + log 2)/2 = 1.5·log 2
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            NDArray logits = m.create(new float[] {5, 5, 5, 5, 0, (float) Math.log(3), 0, 0}, new Shape(2, 4));
            NDArray labels = m.create(new int[] {2, 1});
            assertThat(RotationLoss.compute(logits, labels).getFloat())
                    .isCloseTo((float) (1.5 * Math.log(2)), within(1e-6f));
        }
    }

    @Test
    void gradientIsSoftmaxMinusOneHotOverN() {
        // dL/dz = (softmax(z) − onehot(r)) / N; row 1: (1/6, 3/6 − 1, 1/6, 1/6)/2
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            NDArray logits = m.create(new float[] {5, 5, 5, 5, 0, (float) Math.log(3), 0, 0}, new Shape(2, 4));
            logits.setRequiresGradient(true);
            try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                gc.backward(RotationLoss.compute(logits, m.create(new int[] {2, 1})));
            }
            float s = 1 / 6f / 2;
            assertThat(logits.getGradient().toFloatArray()).containsExactly(
                    new float[] {0.125f, 0.125f, -0.375f, 0.125f, s, -0.25f, s, s}, within(1e-6f));
        }
    }
}
