package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** SwAV's Sinkhorn-Knopp codes and swapped-prediction loss against the reference code (numpy), by hand, and finite differences. */
class SwavLossTest {
    /**
     * K = 2, N = 1, V = 3, τ = 1: log-probabilities of global 1 (0, 0) → (−ln 2, −ln 2), global 2
     * (ln 3, 0) → (ln ¾, ln ¼), local (0, ln 3) → (ln ¼, ln ¾); codes Q1 = (1, 0), Q2 = (½, ½).
     * L = ½·[ (H(Q1, g2) + H(Q1, l))/2 + (H(Q2, g1) + H(Q2, l))/2 ]
     *   = ¼·[ ln(4/3) + ln 4 + ln 2 + ½ ln 4 + ½ ln(4/3) ].
     */
    @Test
    void matchesTheValueWorkedOutByHand() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray scores = m.create(new float[] {0, 0, (float) Math.log(3), 0, 0, (float) Math.log(3)}, new Shape(3, 2));
            NDArray codes = m.create(new float[] {1, 0, 0.5f, 0.5f}, new Shape(2, 2));
            double expected = (1.5 * Math.log(4.0 / 3) + 4 * Math.log(2)) / 4;
            assertThat((double) SwavLoss.swappedPrediction(scores, codes, 1).getFloat()).isCloseTo(expected, within(1e-6));
        }
    }

    /**
     * N = 3, K = 5, V = 4, scores sin(0.7i + 0.3), ε = 0.05, τ = 0.1: the reference code's
     * distributed_sinkhorn and its loss loop over crops_for_assign = [0, 1], in numpy.
     */
    @Test
    void matchesTheReferenceCode() {
        int n = 3;
        int k = 5;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray scores = m.create(DinoLossTest.floats(DinoLossTest.values(4 * n * k, 1, 0.7, 0.3, true)),
                    new Shape(4 * n, k));
            NDArray q1 = SwavLoss.sinkhorn(scores.get("0:3"), 0.05, 3);
            assertThat(q1.toFloatArray()).containsExactly(new float[] {6.72008176e-06f, 2.20184131e-02f,
                4.88351437e-01f, 4.89101504e-01f, 5.21925787e-04f, 7.64770150e-13f, 3.02472277e-17f, 2.18370574e-16f,
                3.25455261e-09f, 9.99999997e-01f, 5.11108002e-01f, 4.88105661e-01f, 7.85080749e-04f, 1.25542959e-06f,
                9.73518998e-10f}, within(2e-6f));
            NDArray codes = q1.concat(SwavLoss.sinkhorn(scores.get("3:6"), 0.05, 3), 0);
            assertThat((double) SwavLoss.swappedPrediction(scores, codes, 0.1).getFloat())
                    .isCloseTo(8.974530485513739, within(2e-5 * 9));
            // with four stored rows before view 1's: the batch's codes only, as the reference keeps them
            NDArray stored = m.create(DinoLossTest.floats(DinoLossTest.values(4 * k, 1, 0.3, 0, false)), new Shape(4, k));
            NDArray withQueue = SwavLoss.sinkhorn(stored.concat(scores.get("0:3"), 0), 0.05, 3).get("4:");
            assertThat(withQueue.toFloatArray()).containsExactly(new float[] {1.04316027e-07f, 8.89871281e-03f,
                7.82583000e-01f, 2.08518175e-01f, 8.03606923e-09f, 7.70962690e-10f, 7.93876054e-13f, 2.27257386e-11f,
                9.01077539e-05f, 9.99909891e-01f, 3.84285136e-02f, 9.55475255e-01f, 6.09363858e-03f, 2.59239815e-06f,
                7.26011952e-14f}, within(2e-6f));
        }
    }

    @Test
    void codesSumToOneAndShareThePrototypesEquallyOnceConverged() {
        SplittableRandom r = new SplittableRandom(5);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray scores = m.create(FiniteDifferences.gaussian(r, 64 * 8, 0.3), new Shape(64, 8));
            float[] q = SwavLoss.sinkhorn(scores, 0.05, 30).toFloatArray();
            float[] soft = scores.div(m.create(0.05f)).softmax(-1).toFloatArray();
            double[] columns = new double[8];
            double[] softColumns = new double[8];
            for (int i = 0; i < 64; i++) {
                double row = 0;
                for (int j = 0; j < 8; j++) {
                    row += q[i * 8 + j];
                    columns[j] += q[i * 8 + j];
                    softColumns[j] += soft[i * 8 + j];
                }
                assertThat(row).as("row %d", i).isCloseTo(1, within(1e-5));
            }
            // the equal-partition constraint, once the iterations have converged (30 here; SwAV's 3 stop early,
            // and on these sharp scores, 0.3/ε = 6 standard deviations, leave shares from 4.1 to 12.5): every
            // prototype holds B/K = 8 of the batch, where the plain softmax at the same ε gives 4.1 to 13.1
            for (int j = 0; j < 8; j++) {
                assertThat(columns[j]).as("prototype %d of %s", j, java.util.Arrays.toString(columns))
                        .isCloseTo(8, within(0.05));
            }
            assertThat(spread(softColumns)).isGreaterThan(5);
        }
    }

    private static double spread(double[] v) {
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (double x : v) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        return hi - lo;
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(23);
        int n = 3;
        int k = 4;
        int v = 5;
        float[] scores = FiniteDifferences.gaussian(r, v * n * k, 1);
        float[] raw = FiniteDifferences.gaussian(r, 2 * n * k, 1);
        double[] codes = new double[raw.length];
        float[] c32 = new float[raw.length];
        for (int e = 0; e < 2 * n; e++) {
            double z = 0;
            for (int j = 0; j < k; j++) {
                z += Math.exp(raw[e * k + j]);
            }
            for (int j = 0; j < k; j++) {
                codes[e * k + j] = Math.exp(raw[e * k + j]) / z;
                c32[e * k + j] = (float) codes[e * k + j];
            }
        }
        // the same pairs and weights as DINO's loss: 2(V − 1) pairs per example
        FiniteDifferences.check(new float[][] {scores}, new Shape[] {new Shape(v * n, k)},
                in -> SwavLoss.swappedPrediction(in.get(0), in.get(0).getManager().create(c32, new Shape(2 * n, k)), 0.5),
                x -> DinoLossTest.reference(x[0], codes, n, k, 0.5), 2e-4);
    }
}
