package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.pretext.contrastive.FiniteDifferences.dot;
import static org.pretext.contrastive.FiniteDifferences.row;
import static org.pretext.contrastive.FiniteDifferences.unit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InfoNceLossTest {

    @Test
    void matchesTheValueWorkedOutByHand() {
        // q = (1,0), k = (2,0) → unit (1,0); negatives (0,1), (-1,0).
        // τ = 1: logits 1 | 0, -1 → L = log(e + 1 + 1/e) - 1 = 0.4076...
        // τ = 0.5: logits 2 | 0, -2 → L = log(e² + 1 + e⁻²) - 2
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q = m.create(new float[] {1, 0}, new Shape(1, 2));
            NDArray k = m.create(new float[] {2, 0}, new Shape(1, 2));
            NDArray neg = m.create(new float[] {0, 1, -1, 0}, new Shape(2, 2));
            double e = Math.E;
            assertThat((double) InfoNceLoss.compute(q, k, neg, 1).getFloat())
                    .isCloseTo(Math.log(e + 1 + 1 / e) - 1, within(1e-6));
            assertThat((double) InfoNceLoss.compute(q, k, neg, 0.5).getFloat())
                    .isCloseTo(Math.log(e * e + 1 + 1 / (e * e)) - 2, within(1e-6));
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(21);
        int n = 3;
        int d = 4;
        int k = 5;
        FiniteDifferences.check(
                new float[][] {FiniteDifferences.gaussian(r, n * d, 1), FiniteDifferences.gaussian(r, n * d, 1),
                    FiniteDifferences.gaussian(r, k * d, 0.5)},
                new Shape[] {new Shape(n, d), new Shape(n, d), new Shape(k, d)},
                in -> InfoNceLoss.compute(in.get(0), in.get(1), in.get(2), 0.2),
                x -> reference(x[0], x[1], x[2], n, k, d, 0.2), 5e-3);
    }

    static double reference(double[] q, double[] keys, double[] neg, int n, int k, int d, double tau) {
        double total = 0;
        for (int i = 0; i < n; i++) {
            double[] qi = unit(row(q, i, d));
            double pos = dot(qi, unit(row(keys, i, d))) / tau;
            double denom = Math.exp(pos);
            for (int j = 0; j < k; j++) {
                denom += Math.exp(dot(qi, row(neg, j, d)) / tau);
            }
            total += Math.log(denom) - pos;
        }
        return total / n;
    }
}
