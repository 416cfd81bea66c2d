package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.pretext.contrastive.FiniteDifferences.cosine;
import static org.pretext.contrastive.FiniteDifferences.row;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ByolLossTest {

    @Test
    void matchesTheValueWorkedOutByHand() {
        // p = (1,0), (0,3); z' = (1,1), (0,-1): cosines 1/√2 and -1
        // L = ((2 - √2) + (2 + 2)) / 2 = 3 - √2/2 = 2.29289...
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new float[] {1, 0, 0, 3}, new Shape(2, 2));
            NDArray z = m.create(new float[] {1, 1, 0, -1}, new Shape(2, 2));
            assertThat((double) ByolLoss.compute(p, z).getFloat()).isCloseTo(3 - Math.sqrt(2) / 2, within(1e-6));
            // symmetric: L(p₁, z₂) + L(p₂, z₁) with p₂ = z₁ = p and z₂ = z gives L(p, z) + 0
            assertThat((double) ByolLoss.symmetric(p, p, p, z).getFloat())
                    .isCloseTo(3 - Math.sqrt(2) / 2, within(1e-6));
        }
    }

    @Test
    void isTheSquaredDistanceOfUnitVectors() {
        // ‖p/‖p‖ - z/‖z‖‖² for p = (3,4), z = (0,2): unit (0.6, 0.8) and (0, 1) → 0.36 + 0.04 = 0.4
        try (NDManager m = NDManager.newBaseManager()) {
            assertThat((double) ByolLoss.compute(m.create(new float[] {3, 4}, new Shape(1, 2)),
                    m.create(new float[] {0, 2}, new Shape(1, 2))).getFloat()).isCloseTo(0.4, within(1e-6));
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(4);
        int n = 3;
        int d = 4;
        FiniteDifferences.check(
                new float[][] {FiniteDifferences.gaussian(r, n * d, 1), FiniteDifferences.gaussian(r, n * d, 1)},
                new Shape[] {new Shape(n, d), new Shape(n, d)},
                in -> ByolLoss.compute(in.get(0), in.get(1)),
                x -> {
                    double s = 0;
                    for (int i = 0; i < n; i++) {
                        s += 2 - 2 * cosine(row(x[0], i, d), row(x[1], i, d));
                    }
                    return s / n;
                }, 2e-3);
    }
}
