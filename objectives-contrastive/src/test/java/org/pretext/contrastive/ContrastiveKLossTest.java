package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.pretext.contrastive.FiniteDifferences.dot;
import static org.pretext.contrastive.FiniteDifferences.row;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ContrastiveKLossTest {

    @Test
    void matchesTheValueWorkedOutByHand() {
        // candidates (1,0), (0,1), (-1,0); τ = 1.
        // anchor (1,0), positive 0, negatives 1 and 2: similarities 1 | 0, -1
        //   ℓ₁ = -log(e / (e + 1 + 1/e)) = log(e + 1 + 1/e) - 1
        // anchor (0,1), positive 1, negatives 0 and 2: similarities 1 | 0, 0
        //   ℓ₂ = log(e + 2) - 1
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray anchors = m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
            NDArray candidates = m.create(new float[] {1, 0, 0, 1, -1, 0}, new Shape(3, 2));
            NDArray columns = m.create(new int[] {0, 1, 2, 1, 0, 2}, new Shape(2, 3));
            double e = Math.E;
            double expected = ((Math.log(e + 1 + 1 / e) - 1) + (Math.log(e + 2) - 1)) / 2; // 0.4795...
            assertThat((double) ContrastiveKLoss.compute(anchors, candidates, columns, 1.0).getFloat())
                    .isCloseTo(expected, within(1e-6));
            // τ = 0.5 doubles every similarity: ℓ₁ = log(e² + 1 + e⁻²) - 2, ℓ₂ = log(e² + 2) - 2
            double half = ((Math.log(e * e + 1 + 1 / (e * e)) - 2) + (Math.log(e * e + 2) - 2)) / 2;
            assertThat((double) ContrastiveKLoss.compute(anchors, candidates, columns, 0.5).getFloat())
                    .isCloseTo(half, within(1e-6));
        }
    }

    @Test
    void equalsTheLogisticFormOfArora() {
        // L = mean_i log(1 + Σ_j exp(s_ij⁻ − s_i⁺)) on random inputs with repeated negatives
        SplittableRandom r = new SplittableRandom(5);
        float[] a = FiniteDifferences.gaussian(r, 3 * 4, 1);
        float[] c = FiniteDifferences.gaussian(r, 5 * 4, 1);
        int[] cols = {0, 2, 2, 4, 1, 0, 3, 3, 2, 4, 4, 0};
        try (NDManager m = NDManager.newBaseManager()) {
            float got = ContrastiveKLoss.compute(m.create(a, new Shape(3, 4)), m.create(c, new Shape(5, 4)),
                    m.create(cols, new Shape(3, 4)), 0.7).getFloat();
            assertThat((double) got).isCloseTo(logistic(toDouble(a), toDouble(c), cols, 3, 4, 4, 0.7), within(1e-5));
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(9);
        int n = 3;
        int mRows = 4;
        int d = 3;
        int[] cols = {0, 1, 3, 1, 2, 2, 2, 0, 1};
        FiniteDifferences.check(
                new float[][] {FiniteDifferences.gaussian(r, n * d, 1), FiniteDifferences.gaussian(r, mRows * d, 1)},
                new Shape[] {new Shape(n, d), new Shape(mRows, d)},
                in -> ContrastiveKLoss.compute(in.get(0), in.get(1),
                        in.get(0).getManager().create(cols, new Shape(n, 3)), 0.5),
                x -> logistic(x[0], x[1], cols, n, d, 3, 0.5), 2e-3);
    }

    /** Arora et al.'s logistic loss in double precision. */
    static double logistic(double[] anchors, double[] candidates, int[] cols, int n, int d, int width, double tau) {
        double total = 0;
        for (int i = 0; i < n; i++) {
            double[] a = row(anchors, i, d);
            double pos = dot(a, row(candidates, cols[i * width], d)) / tau;
            double sum = 1;
            for (int j = 1; j < width; j++) {
                sum += Math.exp(dot(a, row(candidates, cols[i * width + j], d)) / tau - pos);
            }
            total += Math.log(sum);
        }
        return total / n;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
