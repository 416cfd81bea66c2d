package org.pretext.contrastive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pretext.engine.Engines;

class NnclrLossTest {

    @Test
    void matchesTheValueWorkedOutByHand() {
        // Support set (1,0), (0,1). z1 = (2,0.5), (0.1,3) and z2 = (1,0.2), (0.3,1) have the nearest neighbours
        // (1,0), (0,1) in both views. p2 = (0,1), (1,0) is swapped: with τ = 1 the logits of L(NN(z1), p2) are
        // [[0,1],[1,0]], each row −log(e^0 / (e^0 + e^1)) = log(1 + e). p1 = (1,0), (0,1) agrees: the logits of
        // L(NN(z2), p1) are [[1,0],[0,1]], each row log(1 + e) − 1. L = ½(log(1 + e) + log(1 + e) − 1)
        // = log(1 + e) − 0.5 = 0.8132617.
        try (NDManager m = NDManager.newBaseManager(Engines.engine().defaultDevice())) {
            NDArray support = m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
            NDArray z1 = m.create(new float[] {2, 0.5f, 0.1f, 3}, new Shape(2, 2));
            NDArray z2 = m.create(new float[] {1, 0.2f, 0.3f, 1}, new Shape(2, 2));
            NDArray p1 = m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
            NDArray p2 = m.create(new float[] {0, 1, 1, 0}, new Shape(2, 2));
            assertThat(NnclrLoss.nearestNeighbours(z1, support).toFloatArray()).containsExactly(1, 0, 0, 1);
            double expected = Math.log(1 + Math.E) - 0.5;
            assertThat((double) NnclrLoss.compute(z1, z2, p1, p2, support, 1.0).getFloat())
                    .isCloseTo(expected, within(1e-6));
        }
    }

    @Test
    void theNearestNeighbourIsByCosineNotByDotProduct() {
        // (3, 0) is nearer to (1, 0) by angle though its dot product with (0.6, 0.8) would be larger if that row
        // were scaled; with unit rows in the support set the argmax of ẑ·q is the angle's.
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray support = m.create(new float[] {0.6f, 0.8f, 1, 0, 0, -1}, new Shape(3, 2));
            NDArray z = m.create(new float[] {3, 0.1f, 1, 1.2f, 0.2f, -5}, new Shape(3, 2));
            assertThat(NnclrLoss.nearestNeighbours(z, support).toFloatArray())
                    .containsExactly(1, 0, 0.6f, 0.8f, 0, -1);
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(23);
        int n = 5;
        int d = 3;
        int k = 7;
        double tau = 0.1;
        double[] q = new double[k * d];
        float[] qf = new float[k * d];
        for (int i = 0; i < k; i++) {
            double[] row = FiniteDifferences.unit(new double[] {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()});
            for (int c = 0; c < d; c++) {
                qf[i * d + c] = (float) row[c];
                q[i * d + c] = qf[i * d + c];
            }
        }
        FiniteDifferences.check(
                new float[][] {FiniteDifferences.gaussian(r, n * d, 1), FiniteDifferences.gaussian(r, n * d, 1),
                    FiniteDifferences.gaussian(r, n * d, 1), FiniteDifferences.gaussian(r, n * d, 1)},
                new Shape[] {new Shape(n, d), new Shape(n, d), new Shape(n, d), new Shape(n, d)},
                in -> NnclrLoss.compute(in.get(0), in.get(1), in.get(2), in.get(3),
                        in.get(0).getManager().create(qf, new Shape(k, d)), tau),
                x -> 0.5 * (reference(nearest(x[0], q, n, k, d), x[3], n, d, tau)
                        + reference(nearest(x[1], q, n, k, d), x[2], n, d, tau)),
                2e-3);
    }

    /** The rows of q nearest to each row of z by cosine. */
    static double[] nearest(double[] z, double[] q, int n, int k, int d) {
        double[] out = new double[n * d];
        for (int i = 0; i < n; i++) {
            double[] zi = FiniteDifferences.row(z, i, d);
            int best = 0;
            double bestSim = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                double s = FiniteDifferences.cosine(zi, FiniteDifferences.row(q, j, d));
                if (s > bestSim) {
                    bestSim = s;
                    best = j;
                }
            }
            System.arraycopy(q, best * d, out, i * d, d);
        }
        return out;
    }

    /** L(a, b) with explicit loops in double precision. */
    static double reference(double[] a, double[] b, int n, int d, double tau) {
        double total = 0;
        for (int i = 0; i < n; i++) {
            double[] ai = FiniteDifferences.row(a, i, d);
            double denom = 0;
            double pos = 0;
            for (int k = 0; k < n; k++) {
                double s = FiniteDifferences.cosine(ai, FiniteDifferences.row(b, k, d)) / tau;
                denom += Math.exp(s);
                if (k == i) {
                    pos = s;
                }
            }
            total += Math.log(denom) - pos;
        }
        return total / n;
    }
}
