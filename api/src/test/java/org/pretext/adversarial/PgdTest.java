package org.pretext.adversarial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.pretext.engine.Engines;

class PgdTest {

    @Test
    void climbsALinearLossToTheCornerOfTheBallInsideTheValidRange() {
        // L(x) = Σ w·x with w = (1, -2, 3, -1): every step moves x by α·sign(w), projected on the
        // ε-ball around x and clamped to [0, 1]
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {0.5f, 0.5f, 0.98f, 0.01f}, new Shape(1, 4));
            NDArray w = m.create(new float[] {1, -2, 3, -1}, new Shape(1, 4));
            NDArray index = m.create(new int[] {7, 8}, new Shape(2));
            Pgd.Settings s = new Pgd.Settings(0.1, 0.04, 3, false, 0, 1);
            Pgd.Result r = Pgd.attack(new NDList(x, index), in -> in.get(0).mul(w).sum(), s);
            // three steps of 0.04 reach 0.12, projected back to ε = 0.1; 0.98 + 0.1 and 0.01 - 0.1 are clamped
            assertThat(r.inputs().get(0).toFloatArray()).usingComparatorWithPrecision(1e-6f)
                    .containsExactly(0.6f, 0.4f, 1.0f, 0.0f);
            assertThat(r.inputs().get(1).toIntArray()).containsExactly(7, 8);
            assertThat(r.inputs().get(0).hasGradient()).isFalse();
            // losses seen: at x (0.5 - 1 + 2.94 - 0.01 = 2.43) and after two steps
            assertThat(r.firstLoss()).isCloseTo(2.43, within(1e-5));
            assertThat(r.lastLoss()).isGreaterThan(r.firstLoss());
            // its collectors are closed: another may open
            try (GradientCollector gc = Engines.engine().newGradientCollector()) {
                assertThat(gc).isNotNull();
            }
        }
    }

    @Test
    void aRandomStartStaysInTheBall() {
        Engines.engine().setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.full(new Shape(100), 0.5f);
            Pgd.Result r = Pgd.attack(new NDList(x), in -> in.get(0).sum(), new Pgd.Settings(0.05, 0.01, 0, true,
                    0, 1));
            float[] v = r.inputs().get(0).toFloatArray();
            boolean moved = false;
            for (float f : v) {
                assertThat(f).isBetween(0.45f, 0.55f);
                moved |= f != 0.5f;
            }
            assertThat(moved).isTrue();
            assertThat(r.firstLoss()).isNaN();
        }
    }
}
