package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TicoLossTest {

    @Test
    void matchesTheValuesWorkedOutByHand() {
        // z′ = (1,0), (0,1); z″ = (1,0), (1,0); β = 0.9, ρ = 20. B = ½(e₁e₁ᵀ + e₂e₂ᵀ) = I/2; invariance −(1 + 0)/2.
        // C₀ = 0: C₁ = 0.1·I/2 = 0.05·I, contrast mean z′ᵀC₁z′ = 0.05, L = 20·0.05 − 0.5 = 0.5.
        // C₀ = diag(1, 0): C₁ = 0.9·diag(1,0) + 0.05·I = diag(0.95, 0.05), contrast (0.95 + 0.05)/2 = 0.5,
        // L = 20·0.5 − 0.5 = 9.5. Unnormalised inputs (2,0), (0,3) give the same: TiCo normalises.
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z1 = m.create(new float[] {2, 0, 0, 3}, new Shape(2, 2));
            NDArray z2 = m.create(new float[] {1, 0, 5, 0}, new Shape(2, 2));
            TicoLoss.Result fresh = TicoLoss.compute(z1, z2, m.zeros(new Shape(2, 2)), 0.9, 20);
            assertThat((double) fresh.loss().getFloat()).isCloseTo(0.5, within(1e-6));
            assertThat(fresh.covariance().toFloatArray()).containsExactly(new float[] {0.05f, 0, 0, 0.05f},
                    within(1e-7f));
            TicoLoss.Result later = TicoLoss.compute(z1, z2, m.create(new float[] {1, 0, 0, 0}, new Shape(2, 2)), 0.9,
                    20);
            assertThat((double) later.loss().getFloat()).isCloseTo(9.5, within(1e-5));
            assertThat(later.covariance().toFloatArray()).containsExactly(new float[] {0.95f, 0, 0, 0.05f},
                    within(1e-7f));
        }
    }

    @Test
    void gradientMatchesFiniteDifferencesThroughTheCurrentBatchButNotThePreviousCovariance() {
        SplittableRandom r = new SplittableRandom(31);
        int n = 5;
        int d = 3;
        float[] prev = FiniteDifferences.gaussian(r, d * d, 0.3);
        double[] previous = new double[d * d];
        for (int i = 0; i < prev.length; i++) {
            previous[i] = prev[i];
        }
        FiniteDifferences.check(
                new float[][] {FiniteDifferences.gaussian(r, n * d, 1), FiniteDifferences.gaussian(r, n * d, 1)},
                new Shape[] {new Shape(n, d), new Shape(n, d)},
                in -> TicoLoss.compute(in.get(0), in.get(1), in.get(0).getManager().create(prev, new Shape(d, d)),
                        0.9, 20).loss(),
                x -> reference(x[0], x[1], previous, n, d, 0.9, 20), 2e-3);
    }

    /** TiCo's loss in double precision with explicit loops; {@code previous} is C_{t−1} (d × d, row-major). */
    static double reference(double[] z1, double[] z2, double[] previous, int n, int d, double beta, double rho) {
        double[][] u1 = new double[n][];
        double invariance = 0;
        for (int i = 0; i < n; i++) {
            u1[i] = FiniteDifferences.unit(FiniteDifferences.row(z1, i, d));
            invariance += FiniteDifferences.dot(u1[i], FiniteDifferences.unit(FiniteDifferences.row(z2, i, d))) / n;
        }
        double[][] c = new double[d][d];
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < d; b++) {
                double batch = 0;
                for (int i = 0; i < n; i++) {
                    batch += u1[i][a] * u1[i][b] / n;
                }
                c[a][b] = beta * previous[a * d + b] + (1 - beta) * batch;
            }
        }
        double contrast = 0;
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    contrast += u1[i][a] * c[a][b] * u1[i][b] / n;
                }
            }
        }
        return rho * contrast - invariance;
    }
}
