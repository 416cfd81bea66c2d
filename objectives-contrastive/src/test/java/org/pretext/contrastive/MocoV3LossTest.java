package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MocoV3LossTest {

    @Test
    void matchesTheValueWorkedOutByHand() {
        // τ = 1, so 2τ = 2. q1 = (1,0), (0,1) against k2 = (1,0), (0,1): logits I, each row log(1 + e) − 1.
        // q2 = (0,1), (3,0) against k1 = (1,0), (0,2): logits [[0,1],[1,0]], each row log(1 + e).
        // L = 2(log(1 + e) − 1) + 2·log(1 + e) = 4·log(1 + e) − 2 = 3.2530468.
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q1 = m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
            NDArray q2 = m.create(new float[] {0, 1, 3, 0}, new Shape(2, 2));
            NDArray k1 = m.create(new float[] {1, 0, 0, 2}, new Shape(2, 2));
            NDArray k2 = m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
            assertThat((double) MocoV3Loss.compute(q1, q2, k1, k2, 1).getFloat())
                    .isCloseTo(4 * Math.log(1 + Math.E) - 2, within(1e-5));
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(41);
        int n = 5;
        int d = 3;
        double tau = 0.2;
        float[][] v = new float[4][];
        Shape[] shapes = new Shape[4];
        for (int i = 0; i < 4; i++) {
            v[i] = FiniteDifferences.gaussian(r, n * d, 1);
            shapes[i] = new Shape(n, d);
        }
        FiniteDifferences.check(v, shapes,
                in -> MocoV3Loss.compute(in.get(0), in.get(1), in.get(2), in.get(3), tau),
                x -> 2 * tau * (NnclrLossTest.reference(x[0], x[3], n, d, tau)
                        + NnclrLossTest.reference(x[1], x[2], n, d, tau)), 2e-3);
    }
}
