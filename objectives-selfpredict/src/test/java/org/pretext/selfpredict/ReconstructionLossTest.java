package org.pretext.selfpredict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.pretext.engine.Engines;

class ReconstructionLossTest {

    @Test
    void matchesTheValueWorkedOutByHand() {
        // errors (1, -2 | 0, 3): (1 + 4 + 0 + 9) / 4 = 3.5
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            NDArray prediction = m.create(new float[] {2, 0, 1, 4}, new Shape(2, 2));
            NDArray target = m.create(new float[] {1, 2, 1, 1}, new Shape(2, 1, 2));
            assertThat(ReconstructionLoss.compute(prediction, target).getFloat()).isCloseTo(3.5f, within(1e-6f));
        }
    }

    @Test
    void gradientIsTwoErrorsOverTheCount() {
        // dL/dŷ = 2(ŷ − y)/(B·D): (2·1, 2·(−2), 0, 2·3)/4
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            NDArray prediction = m.create(new float[] {2, 0, 1, 4}, new Shape(2, 2));
            prediction.setRequiresGradient(true);
            NDArray target = m.create(new float[] {1, 2, 1, 1}, new Shape(2, 2));
            try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                gc.backward(ReconstructionLoss.compute(prediction, target));
            }
            assertThat(prediction.getGradient().toFloatArray()).containsExactly(new float[] {0.5f, -1f, 0f, 1.5f},
                    within(1e-6f));
        }
    }
}
