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

class SimSiamLossTest {

    @Test
    void matchesTheValueWorkedOutByHand() {
        // p = (1,0), (0,3); z = (1,1), (0,-1): cosines 1/√2 and -1, D = -(1/√2 - 1)/2 = 0.14645...
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new float[] {1, 0, 0, 3}, new Shape(2, 2));
            NDArray z = m.create(new float[] {1, 1, 0, -1}, new Shape(2, 2));
            double d = -(1 / Math.sqrt(2) - 1) / 2;
            assertThat((double) SimSiamLoss.compute(p, z).getFloat()).isCloseTo(d, within(1e-6));
            // ½D(p, z) + ½D(z, z) = d/2 - 1/2
            assertThat((double) SimSiamLoss.symmetric(p, z, z, z).getFloat()).isCloseTo(d / 2 - 0.5, within(1e-6));
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(8);
        int n = 3;
        int d = 4;
        FiniteDifferences.check(
                new float[][] {FiniteDifferences.gaussian(r, n * d, 1), FiniteDifferences.gaussian(r, n * d, 1)},
                new Shape[] {new Shape(n, d), new Shape(n, d)},
                in -> SimSiamLoss.compute(in.get(0), in.get(1)),
                x -> {
                    double s = 0;
                    for (int i = 0; i < n; i++) {
                        s -= cosine(row(x[0], i, d), row(x[1], i, d));
                    }
                    return s / n;
                }, 2e-3);
    }
}
