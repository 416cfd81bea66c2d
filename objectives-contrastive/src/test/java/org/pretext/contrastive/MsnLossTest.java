package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** MSN's loss, targets and Sinkhorn-Knopp against hand-worked values, and its gradient against finite differences. */
class MsnLossTest {
    /**
     * N = 1, K = 2, V = 2 anchor views, τ = 1. Anchor probabilities: view 1 (0, 0) → (½, ½), view 2
     * (ln 3, 0) → (¾, ¼); target (1, 0). Cross-entropy ½·(ln 2 + ln 4/3); p̄ = (5/8, 3/8), so the
     * regulariser is ⅝ ln ⅝ + ⅜ ln ⅜ + ln 2 (= ln 2 − H(p̄) ≈ 0.0338).
     */
    @Test
    void matchesTheValueWorkedOutByHand() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray anchors = m.create(new float[] {0, 0, (float) Math.log(3), 0}, new Shape(2, 2));
            NDArray targets = m.create(new float[] {1, 0}, new Shape(1, 2));
            double ce = (Math.log(2) + Math.log(4.0 / 3)) / 2;
            double reg = 0.625 * Math.log(0.625) + 0.375 * Math.log(0.375) + Math.log(2);
            assertThat((double) MsnLoss.loss(anchors, targets, 1, 0).getFloat()).isCloseTo(ce, within(1e-6));
            assertThat((double) MsnLoss.loss(anchors, targets, 1, 1).getFloat()).isCloseTo(ce + reg, within(1e-6));
            assertThat((double) MsnLoss.loss(anchors, targets, 1, 0.5).getFloat()).isCloseTo(ce + reg / 2, within(1e-6));
            // τ = 0.5 doubles the scores: view 2 becomes (9/10, 1/10)
            double ceHalf = (Math.log(2) + Math.log(10.0 / 9)) / 2;
            assertThat((double) MsnLoss.loss(anchors, targets, 0.5, 0).getFloat()).isCloseTo(ceHalf, within(1e-6));
        }
    }

    /**
     * p⁺ = [[¾, ¼], [½, ½]] (scores ln p at τ⁺ = 1). One Sinkhorn-Knopp iteration: P/ΣP = [[⅜, ⅛],
     * [¼, ¼]]; columns to 1/K: [[3/10, 1/6], [1/5, 1/3]]; rows to 1/B, times B: [[9/14, 5/14], [3/8, 5/8]].
     * At τ⁺ = ½ the softmax squares and renormalises p: [[9/10, 1/10], [½, ½]] (lightly's sharpening).
     */
    @Test
    void targetsAreSharpenedThenBalancedAsWorkedOutByHand() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray scores = m.create(new float[] {(float) Math.log(0.75), (float) Math.log(0.25),
                (float) Math.log(0.5), (float) Math.log(0.5)}, new Shape(2, 2));
            assertThat(MsnLoss.targetProbabilities(scores, 1, 0).toFloatArray())
                    .containsExactly(new float[] {0.75f, 0.25f, 0.5f, 0.5f}, within(1e-6f));
            assertThat(MsnLoss.targetProbabilities(scores, 1, 1).toFloatArray())
                    .containsExactly(new float[] {9f / 14, 5f / 14, 3f / 8, 5f / 8}, within(1e-6f));
            assertThat(MsnLoss.targetProbabilities(scores, 0.5, 0).toFloatArray())
                    .containsExactly(new float[] {0.9f, 0.1f, 0.5f, 0.5f}, within(1e-6f));
        }
    }

    /** Many iterations balance the prototypes: every column of B = 32 rows over K = 4 sums to B/K = 8. */
    @Test
    void sinkhornSharesThePrototypesEquallyOnceConverged() {
        SplittableRandom r = new SplittableRandom(3);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray scores = m.create(FiniteDifferences.gaussian(r, 32 * 4, 0.5), new Shape(32, 4));
            float[] plain = MsnLoss.targetProbabilities(scores, 0.1, 0).toFloatArray();
            float[] q = MsnLoss.targetProbabilities(scores, 0.1, 50).toFloatArray();
            double[] columns = new double[4];
            double[] plainColumns = new double[4];
            for (int i = 0; i < 32; i++) {
                double row = 0;
                for (int j = 0; j < 4; j++) {
                    row += q[i * 4 + j];
                    columns[j] += q[i * 4 + j];
                    plainColumns[j] += plain[i * 4 + j];
                }
                assertThat(row).as("row %d", i).isCloseTo(1, within(1e-5));
            }
            double plainSpread = 0;
            for (int j = 0; j < 4; j++) {
                assertThat(columns[j]).as("prototype %d", j).isCloseTo(8, within(1e-3));
                plainSpread = Math.max(plainSpread, Math.abs(plainColumns[j] - 8));
            }
            assertThat(plainSpread).as("without Sinkhorn-Knopp the shares are unequal").isGreaterThan(1);
        }
    }

    /**
     * The loss of raw anchors (V·N, d) and prototypes (K, d) through {@link MsnLoss#cosines}: autograd
     * against central differences of a double-precision reference, N = 3, V = 2, d = 4, K = 5, τ = 0.5,
     * λ = 1; the targets are fixed probabilities.
     */
    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(19);
        int n = 3;
        int v = 2;
        int d = 4;
        int k = 5;
        float[] anchors = FiniteDifferences.gaussian(r, v * n * d, 1);
        float[] prototypes = FiniteDifferences.gaussian(r, k * d, 1);
        float[] raw = FiniteDifferences.gaussian(r, n * k, 1);
        double[] targets = new double[n * k];
        float[] t32 = new float[n * k];
        for (int e = 0; e < n; e++) {
            double z = 0;
            for (int j = 0; j < k; j++) {
                z += Math.exp(raw[e * k + j]);
            }
            for (int j = 0; j < k; j++) {
                targets[e * k + j] = Math.exp(raw[e * k + j]) / z;
                t32[e * k + j] = (float) targets[e * k + j];
            }
        }
        FiniteDifferences.check(new float[][] {anchors, prototypes}, new Shape[] {new Shape(v * n, d), new Shape(k, d)},
                in -> MsnLoss.loss(MsnLoss.cosines(in.get(0), in.get(1)),
                        in.get(0).getManager().create(t32, new Shape(n, k)), 0.5, 1),
                x -> reference(x[0], x[1], targets, n, v, d, k, 0.5, 1), 2e-4);
    }

    /** L in double precision, written out loop by loop. */
    static double reference(double[] anchors, double[] prototypes, double[] targets, int n, int v, int d, int k,
            double tau, double lambda) {
        double[][] unitP = unitRows(prototypes, k, d);
        double[][] unitA = unitRows(anchors, v * n, d);
        double ce = 0;
        double[] mean = new double[k];
        for (int row = 0; row < v * n; row++) {
            double[] s = new double[k];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                for (int c = 0; c < d; c++) {
                    s[j] += unitA[row][c] * unitP[j][c];
                }
                s[j] /= tau;
                max = Math.max(max, s[j]);
            }
            double z = 0;
            for (int j = 0; j < k; j++) {
                z += Math.exp(s[j] - max);
            }
            int e = row % n;
            for (int j = 0; j < k; j++) {
                double logP = s[j] - max - Math.log(z);
                ce -= targets[e * k + j] * logP;
                mean[j] += Math.exp(logP) / (v * n);
            }
        }
        double reg = Math.log(k);
        for (double p : mean) {
            reg += p * Math.log(p);
        }
        return ce / (v * n) + lambda * reg;
    }

    private static double[][] unitRows(double[] x, int rows, int d) {
        double[][] out = new double[rows][d];
        for (int i = 0; i < rows; i++) {
            double norm = 0;
            for (int c = 0; c < d; c++) {
                norm += x[i * d + c] * x[i * d + c];
            }
            norm = Math.sqrt(norm);
            for (int c = 0; c < d; c++) {
                out[i][c] = x[i * d + c] / norm;
            }
        }
        return out;
    }
}
