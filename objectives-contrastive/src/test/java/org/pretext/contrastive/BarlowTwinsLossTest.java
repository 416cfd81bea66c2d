package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BarlowTwinsLossTest {

    @Test
    void matchesTheValueWorkedOutByHand() {
        // N = 4, d = 2. Columns of view 1: a = (1,-1,1,-1), b = (1,1,-1,-1), scaled by 3 and shifted by 5;
        // view 2 has them swapped: (b, a). Each column has mean 0 and biased variance 1 before scaling, so
        // standardising gives a·s, b·s with s = 3/√(9 + ε) (view 1) and 1/√(1 + ε) (view 2).
        // C = z̃₁ᵀz̃₂ / 4: C₀₀ = a·b/4 = 0, C₁₁ = b·a/4 = 0, C₀₁ = a·a/4 · s₁s₂ = s₁s₂, C₁₀ = s₁s₂.
        // L = (1 - 0)² + (1 - 0)² + λ·2(s₁s₂)², with λ = 0.25: 2 + 0.5·(s₁s₂)² ≈ 2.5
        float[] a = {1, -1, 1, -1};
        float[] b = {1, 1, -1, -1};
        float[] z1 = new float[8];
        float[] z2 = new float[8];
        for (int i = 0; i < 4; i++) {
            z1[2 * i] = 3 * a[i] + 5;
            z1[2 * i + 1] = 3 * b[i] + 5;
            z2[2 * i] = b[i];
            z2[2 * i + 1] = a[i];
        }
        double eps = BarlowTwinsLoss.EPSILON;
        double s1 = 3 / Math.sqrt(9 + eps);
        double s2 = 1 / Math.sqrt(1 + eps);
        double expected = 2 + 0.25 * 2 * Math.pow(s1 * s2, 2);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray l = BarlowTwinsLoss.compute(m.create(z1, new Shape(4, 2)), m.create(z2, new Shape(4, 2)), 0.25);
            assertThat((double) l.getFloat()).isCloseTo(expected, within(1e-5));
            // identical views: C = diag(s²) with s = 1/√(1+ε), so L = 2(1 - s²)² ≈ 2e-10
            NDArray same = BarlowTwinsLoss.compute(m.create(z2, new Shape(4, 2)), m.create(z2, new Shape(4, 2)), 0.25);
            assertThat((double) same.getFloat()).isCloseTo(0, within(1e-6));
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(13);
        int n = 5;
        int d = 3;
        double lambda = 0.3;
        FiniteDifferences.check(
                new float[][] {FiniteDifferences.gaussian(r, n * d, 1), FiniteDifferences.gaussian(r, n * d, 1)},
                new Shape[] {new Shape(n, d), new Shape(n, d)},
                in -> BarlowTwinsLoss.compute(in.get(0), in.get(1), lambda),
                x -> reference(x[0], x[1], n, d, lambda), 5e-3);
    }

    static double reference(double[] z1, double[] z2, int n, int d, double lambda) {
        double[][] a = standardize(z1, n, d);
        double[][] b = standardize(z2, n, d);
        double loss = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double c = 0;
                for (int k = 0; k < n; k++) {
                    c += a[k][i] * b[k][j];
                }
                c /= n;
                loss += i == j ? (1 - c) * (1 - c) : lambda * c * c;
            }
        }
        return loss;
    }

    private static double[][] standardize(double[] z, int n, int d) {
        double[][] out = new double[n][d];
        for (int j = 0; j < d; j++) {
            double mean = 0;
            for (int k = 0; k < n; k++) {
                mean += z[k * d + j];
            }
            mean /= n;
            double var = 0;
            for (int k = 0; k < n; k++) {
                var += Math.pow(z[k * d + j] - mean, 2);
            }
            var /= n;
            for (int k = 0; k < n; k++) {
                out[k][j] = (z[k * d + j] - mean) / Math.sqrt(var + BarlowTwinsLoss.EPSILON);
            }
        }
        return out;
    }
}
