package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * SIGReg and LeJEPA's loss. The reference values come from this numpy script, which follows the
 * authors' {@code lejepa.univariate.EppsPulley} (run with Debian's {@code /usr/bin/python3}, numpy 1.24):
 *
 * <pre>
 * import numpy as np
 * t = np.linspace(0, 3, 17); dt = 3 / 16
 * w = np.full(17, 2 * dt); w[[0, -1]] = dt
 * phi = np.exp(-t**2 / 2); w = w * phi
 * def ep(x):  # one slice
 *     x = np.asarray(x, dtype=np.float64)
 *     c = np.cos(np.outer(x, t)).mean(0); s = np.sin(np.outer(x, t)).mean(0)
 *     return len(x) * (((c - phi)**2 + s**2) @ w)
 * ep([0, 0, 0, 0])   # 1.6081903189266578, a collapsed batch: 4·Σ_j w_j (1 − φ_j)²
 * ep([1, -1])        # 0.20565923192631902
 * ep([0, 1, 2])      # 1.4897930889191424
 * z = np.array([[1, 0], [0, 2], [-1, 1]], dtype=np.float64)
 * A = np.array([[1, 1], [0, 1]], dtype=np.float64); A = A / np.linalg.norm(A, axis=0)
 * np.mean([ep(z @ A[:, k]) for k in range(2)])   # 0.6375431677257164
 * </pre>
 */
class SigRegLossTest {

    @Test
    void matchesTheAuthorsQuadratureOnOneSlice() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray e1 = m.create(new float[] {1}, new Shape(1, 1));
            assertThat((double) SigRegLoss.sigreg(m.zeros(new Shape(4, 1)), e1).getFloat())
                    .isCloseTo(1.6081903189266578, within(1e-5));
            assertThat((double) SigRegLoss.sigreg(m.create(new float[] {1, -1}, new Shape(2, 1)), e1).getFloat())
                    .isCloseTo(0.20565923192631902, within(1e-6));
            // the direction's length does not matter: it is normalised
            NDArray three = m.create(new float[] {3}, new Shape(1, 1));
            assertThat((double) SigRegLoss.sigreg(m.create(new float[] {0, 1, 2}, new Shape(3, 1)), three).getFloat())
                    .isCloseTo(1.4897930889191424, within(1e-5));
        }
    }

    @Test
    void averagesOverUnitDirections() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.create(new float[] {1, 0, 0, 2, -1, 1}, new Shape(3, 2));
            NDArray a = m.create(new float[] {1, 1, 0, 1}, new Shape(2, 2));
            assertThat((double) SigRegLoss.sigreg(z, a).getFloat()).isCloseTo(0.6375431677257164, within(1e-5));
        }
    }

    @Test
    void aStandardNormalSampleScoresFarBelowACollapsedOrAScaledOne() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 512;
        int k = 8;
        float[] gauss = FiniteDifferences.gaussian(r, n * k, 1);
        float[] wide = gauss.clone();
        for (int i = 0; i < wide.length; i++) {
            wide[i] *= 3;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(FiniteDifferences.gaussian(r, k * 64, 1), new Shape(k, 64));
            float normal = SigRegLoss.sigreg(m.create(gauss, new Shape(n, k)), a).getFloat();
            float scaled = SigRegLoss.sigreg(m.create(wide, new Shape(n, k)), a).getFloat();
            float collapsed = SigRegLoss.sigreg(m.zeros(new Shape(n, k)), a).getFloat();
            // for N(0,1) samples N·E|φ̂ − φ|² stays O(1) whatever N; a collapsed batch scores N·Σ w (1 − φ)²
            assertThat(normal).isLessThan(1f);
            assertThat(scaled).isGreaterThan(20 * normal);
            assertThat((double) collapsed).isCloseTo(1.6081903189266578 / 4 * n, within(1e-2));
        }
    }

    @Test
    void predictionIsTheMeanSquaredDistanceToTheViewsCentre() {
        // two views (0,0) and (2,4): centre (1,2); squared distances 1, 4 per view, mean over 2·1·2 elements = 2.5;
        // λ = 0.25 with SIGReg of both views along e1: view 1 x = 0 → 0.4020475797 (collapsed N = 1), view 2 x = 2
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray v1 = m.create(new float[] {0, 0}, new Shape(1, 2));
            NDArray v2 = m.create(new float[] {2, 4}, new Shape(1, 2));
            NDArray e1 = m.create(new float[] {1, 0}, new Shape(2, 1));
            SigRegLoss.Terms t = SigRegLoss.compute(List.of(v1, v2), e1, 0.25);
            assertThat((double) t.prediction().getFloat()).isCloseTo(2.5, within(1e-6));
            double sig = (SigRegLoss.sigreg(v1, e1).getFloat() + SigRegLoss.sigreg(v2, e1).getFloat()) / 2;
            assertThat((double) t.sigreg().getFloat()).isCloseTo(sig, within(1e-6));
            assertThat((double) SigRegLoss.sigreg(v1, e1).getFloat()).isCloseTo(1.6081903189266578 / 4, within(1e-6));
            assertThat((double) t.total().getFloat()).isCloseTo(0.25 * sig + 0.75 * 2.5, within(1e-5));
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(37);
        int n = 6;
        int k = 3;
        int slices = 4;
        float[] a = FiniteDifferences.gaussian(r, k * slices, 1);
        FiniteDifferences.check(
                new float[][] {FiniteDifferences.gaussian(r, n * k, 1), FiniteDifferences.gaussian(r, n * k, 1)},
                new Shape[] {new Shape(n, k), new Shape(n, k)},
                in -> SigRegLoss.compute(List.of(in.get(0), in.get(1)),
                        in.get(0).getManager().create(a, new Shape(k, slices)), 0.3).total(),
                x -> reference(x[0], x[1], a, n, k, slices, 0.3), 2e-3);
    }

    /** LeJEPA's loss of two views in double precision with explicit loops. */
    static double reference(double[] z1, double[] z2, float[] a, int n, int k, int slices, double lambda) {
        double sig = (sigreg(z1, a, n, k, slices) + sigreg(z2, a, n, k, slices)) / 2;
        double pred = 0;
        for (int i = 0; i < z1.length; i++) {
            double c = (z1[i] + z2[i]) / 2;
            pred += (Math.pow(z1[i] - c, 2) + Math.pow(z2[i] - c, 2)) / (2.0 * z1.length);
        }
        return lambda * sig + (1 - lambda) * pred;
    }

    static double sigreg(double[] z, float[] a, int n, int k, int slices) {
        double[][] q = SigRegLoss.quadrature();
        double total = 0;
        for (int s = 0; s < slices; s++) {
            double norm = 0;
            for (int c = 0; c < k; c++) {
                norm += a[c * slices + s] * (double) a[c * slices + s];
            }
            norm = Math.sqrt(norm);
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < k; c++) {
                    x[i] += z[i * k + c] * a[c * slices + s] / norm;
                }
            }
            double stat = 0;
            for (int j = 0; j < SigRegLoss.KNOTS; j++) {
                double cos = 0;
                double sin = 0;
                for (double xi : x) {
                    cos += Math.cos(q[0][j] * xi) / n;
                    sin += Math.sin(q[0][j] * xi) / n;
                }
                stat += q[2][j] * (Math.pow(cos - q[1][j], 2) + sin * sin);
            }
            total += n * stat;
        }
        return total / slices;
    }
}
