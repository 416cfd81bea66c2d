package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VicRegLossTest {

    @Test
    void matchesTheValueWorkedOutByHand() {
        // z1 = (1,0), (-1,0); z2 = (1,0), (-1,2); N = 2, d = 2.
        // invariance: squared differences 0,0,0,4 over 4 elements = 1
        // variance: z1 column 0 has unbiased variance 2 (std √2.0001 > 1 → 0), column 1 variance 0 (std 0.01 →
        //   hinge 0.99), so v(z1) = 0.495; both columns of z2 have variance 2, v(z2) = 0; term = (0.495 + 0)/2
        // covariance: C(z1) = [[2,0],[0,0]] → 0; C(z2) = [[2,-2],[-2,2]] → (4 + 4)/d = 4; term = 0 + 4
        // L = 25·1 + 25·0.2475 + 1·4 = 35.1875
        try (NDManager m = NDManager.newBaseManager()) {
            VicRegLoss.Terms t = VicRegLoss.compute(m.create(new float[] {1, 0, -1, 0}, new Shape(2, 2)),
                    m.create(new float[] {1, 0, -1, 2}, new Shape(2, 2)), 25, 25, 1);
            assertThat((double) t.invariance().getFloat()).isCloseTo(1, within(1e-6));
            assertThat((double) t.variance().getFloat()).isCloseTo(0.2475, within(1e-6));
            assertThat((double) t.covariance().getFloat()).isCloseTo(4, within(1e-5));
            assertThat((double) t.total().getFloat()).isCloseTo(35.1875, within(1e-4));
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(17);
        int n = 6;
        int d = 3;
        // scale 0.6 keeps every feature's std below γ = 1, away from the hinge's kink
        FiniteDifferences.check(
                new float[][] {FiniteDifferences.gaussian(r, n * d, 0.6), FiniteDifferences.gaussian(r, n * d, 0.6)},
                new Shape[] {new Shape(n, d), new Shape(n, d)},
                in -> VicRegLoss.compute(in.get(0), in.get(1), 25, 25, 1).total(),
                x -> reference(x[0], x[1], n, d, 25, 25, 1), 2e-2);
    }

    static double reference(double[] z1, double[] z2, int n, int d, double lam, double mu, double nu) {
        double inv = 0;
        for (int i = 0; i < z1.length; i++) {
            inv += Math.pow(z1[i] - z2[i], 2);
        }
        inv /= n * d;
        return lam * inv + mu * (variance(z1, n, d) + variance(z2, n, d)) / 2 + nu * (cov(z1, n, d) + cov(z2, n, d));
    }

    private static double[] means(double[] z, int n, int d) {
        double[] m = new double[d];
        for (int k = 0; k < n; k++) {
            for (int j = 0; j < d; j++) {
                m[j] += z[k * d + j] / n;
            }
        }
        return m;
    }

    private static double variance(double[] z, int n, int d) {
        double[] m = means(z, n, d);
        double s = 0;
        for (int j = 0; j < d; j++) {
            double v = 0;
            for (int k = 0; k < n; k++) {
                v += Math.pow(z[k * d + j] - m[j], 2);
            }
            s += Math.max(0, 1 - Math.sqrt(v / (n - 1) + VicRegLoss.EPSILON));
        }
        return s / d;
    }

    private static double cov(double[] z, int n, int d) {
        double[] m = means(z, n, d);
        double s = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                if (i == j) {
                    continue;
                }
                double c = 0;
                for (int k = 0; k < n; k++) {
                    c += (z[k * d + i] - m[i]) * (z[k * d + j] - m[j]);
                }
                c /= n - 1;
                s += c * c;
            }
        }
        return s / d;
    }
}
