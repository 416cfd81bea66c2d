package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DclLossTest {

    @Test
    void matchesTheValuesWorkedOutByHand() {
        // Views u0 = (1,0), u1 = (0,1) and their partners u2 = (1,0), u3 = (1,0); τ = 1, N = 2, p(i) = i + 2 mod 4.
        // Denominators without self and positive: row 0 over {1, 3}: log(e^0 + e^1); row 1 over {0, 2}: log 2;
        // row 2 over {1, 3}: log(1 + e); row 3 over {0, 2}: log(2e) = 1 + log 2. Positives s02 = s20 = 1, s13 = s31 = 0.
        // Mean of the log-denominators: (2·log(1 + e) + 2·log 2 + 1)/4 = (log(1 + e) + log 2)/2 + 0.25 = 1.2532044.
        // DCL: 1.2532044 − (1 + 0 + 1 + 0)/4 = 0.7532044.
        // DCLW, σ = 0.5: pair cosines (1, 0), softmax(2, 0) = (e²/(e² + 1), 1/(e² + 1)), w = 2 − 2·softmax, so
        // w₀ = 2/(e² + 1); positive mean = 2·w₀/4 = 1/(e² + 1) = 0.1192029; L = 1.2532044 − 0.1192029 = 1.1340015.
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.create(new float[] {1, 0, 0, 1, 1, 0, 1, 0}, new Shape(4, 2));
            double negatives = (Math.log(1 + Math.E) + Math.log(2)) / 2 + 0.25;
            assertThat((double) DclLoss.compute(z, 1, 0).getFloat()).isCloseTo(negatives - 0.5, within(1e-6));
            assertThat((double) DclLoss.compute(z, 1, 0.5).getFloat())
                    .isCloseTo(negatives - 1 / (Math.exp(2) + 1), within(1e-6));
        }
    }

    @Test
    void theWeightIsOneWhenEveryPairIsEquallySimilarAndThePositiveLeavesTheDenominator() {
        // (1,0), (0,1) twice: every pair at cosine 1, so DCLW's weights are 2 − N·(1/N) = 1 and DCLW = DCL;
        // each row's denominator holds only the two orthogonal negatives: L = −1 + log 2 (NT-Xent's is log(e+2) − 1)
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.create(new float[] {1, 0, 0, 1, 1, 0, 0, 1}, new Shape(4, 2));
            assertThat((double) DclLoss.compute(z, 1, 0).getFloat()).isCloseTo(Math.log(2) - 1, within(1e-6));
            assertThat((double) DclLoss.compute(z, 1, 0.5).getFloat()).isCloseTo(Math.log(2) - 1, within(1e-6));
        }
    }

    @Test
    void aSmallTemperatureStaysFinite() {
        // τ = 0.005: logits up to 200 would overflow exp in float32 without the shift by 1/τ
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.create(new float[] {1, 0, 0.6f, 0.8f, 1, 0.01f, 0.5f, 0.8f}, new Shape(4, 2));
            float loss = DclLoss.compute(z, 0.005, 0).getFloat();
            assertThat(loss).isFinite();
            double[] x = {1, 0, 0.6, 0.8, 1, 0.01, 0.5, 0.8};
            assertThat((double) loss).isCloseTo(reference(x, 4, 2, 0.005, 0), within(1e-3 * Math.abs(loss)));
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(29);
        int twoN = 6;
        int d = 4;
        for (double sigma : new double[] {0, 0.5}) {
            FiniteDifferences.check(new float[][] {FiniteDifferences.gaussian(r, twoN * d, 1)},
                    new Shape[] {new Shape(twoN, d)}, in -> DclLoss.compute(in.get(0), 0.3, sigma),
                    x -> reference(x[0], twoN, d, 0.3, sigma), 2e-3);
        }
    }

    /** DCL / DCLW in double precision with explicit loops (σ = 0: DCL). */
    static double reference(double[] z, int twoN, int d, double tau, double sigma) {
        int n = twoN / 2;
        double[] pair = new double[n];
        double norm = 0;
        for (int i = 0; i < n; i++) {
            pair[i] = FiniteDifferences.cosine(FiniteDifferences.row(z, i, d), FiniteDifferences.row(z, i + n, d));
            norm += Math.exp(pair[i] / Math.max(sigma, 1e-300)) / n;
        }
        double total = 0;
        for (int i = 0; i < twoN; i++) {
            int p = (i + n) % twoN;
            double[] zi = FiniteDifferences.row(z, i, d);
            double denom = 0;
            for (int k = 0; k < twoN; k++) {
                if (k != i && k != p) {
                    denom += Math.exp(FiniteDifferences.cosine(zi, FiniteDifferences.row(z, k, d)) / tau);
                }
            }
            double s = pair[i % n];
            double w = sigma > 0 ? 2 - Math.exp(s / sigma) / norm : 1;
            total += -w * s / tau + Math.log(denom);
        }
        return total / twoN;
    }
}
