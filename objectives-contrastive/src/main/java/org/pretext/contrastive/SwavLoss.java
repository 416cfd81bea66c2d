package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import org.pretext.engine.Scalars;

/**
 * SwAV's loss (Caron et al. 2020, "Unsupervised Learning of Visual Features by Contrasting Cluster
 * Assignments", arXiv 2006.09882, §3.1 and the reference code's {@code main_swav.py}). Each of N
 * examples gives V = 2 + L views (two global, L local: multi-crop); z is a view's ℓ2-normalised
 * projection, C the K prototypes (unit rows), s = z·Cᵀ its scores:
 *
 * <pre>
 *   p_v = softmax( s_v / τ )                                   τ = 0.1
 *   Q_i = SinkhornKnopp( s_i ),  i ∈ {1, 2}  (the global views; no gradient)
 *   L = 1/2 · Σ_{i ∈ {1,2}} 1/(V − 1) · Σ_{v ≠ i} 1/N · Σ_n H( Q_i[n], p_v[n] ),   H(a, b) = − Σ_k a_k log b_k
 *
 *   SinkhornKnopp(s) over B rows:  Q = exp(s/ε)ᵀ (K × B),  Q ← Q / ΣQ,  then 3 times:
 *       Q ← Q / (K · row sums of Q),  Q ← Q / (B · column sums of Q);    finally Q ← B·Q, transposed
 *       (ε = 0.05: each code is a distribution over the K prototypes, and the prototypes share the batch equally)
 * </pre>
 *
 * With a queue, the scores of the last R stored projections of view i (with today's prototypes) are
 * put before s_i for the Sinkhorn-Knopp iterations, and only the batch's N codes are kept: the
 * equal-partition constraint then holds over R + N rows, which a small batch needs. The prototypes
 * are renormalised to unit length before every step and not updated during the first part of the
 * run (SwAV: 313 iterations).
 */
public final class SwavLoss {
    private SwavLoss() {}

    /**
     * The codes Q of {@code scores} (B, K) by {@code iterations} Sinkhorn-Knopp steps at ε, (B, K),
     * without gradient; every row sums to 1.
     */
    public static NDArray sinkhorn(NDArray scores, double epsilon, int iterations) {
        NDArray s = scores.stopGradient();
        long b = s.getShape().get(0);
        long k = s.getShape().get(1);
        // exp(s/ε) with the largest score subtracted first: the same Q after the first normalisation, no overflow
        NDArray q = Scalars.div(s.sub(s.max()), epsilon).exp().transpose(); // (K, B)
        q = q.div(q.sum());
        for (int i = 0; i < iterations; i++) {
            q = Scalars.div(q.div(q.sum(new int[] {1}, true)), (double) k);
            q = Scalars.div(q.div(q.sum(new int[] {0}, true)), (double) b);
        }
        return Scalars.mul(q, (double) b).transpose();
    }

    /**
     * L of the student scores of every view against the codes of the two global views.
     *
     * @param scores (V·N, K): global view 1's rows, global view 2's, then each local view's
     * @param codes (2N, K) the codes Q_1 then Q_2 (no gradient)
     * @param temperature τ
     */
    public static NDArray swappedPrediction(NDArray scores, NDArray codes, double temperature) {
        long n = codes.getShape().get(0) / 2;
        long v = scores.getShape().get(0) / n;
        if (n * v != scores.getShape().get(0) || v < 2) {
            throw new IllegalArgumentException("the scores have " + scores.getShape().get(0) + " rows, not a multiple"
                    + " (at least 2) of the codes' " + n + " examples");
        }
        NDArray first = codes.get("0:" + n);
        NDArray second = codes.get(n + ":");
        NDList targets = new NDList(second, first); // view 1 predicts view 2's code, and the other way round
        if (v > 2) {
            NDArray both = first.add(second); // each local view predicts both global views' codes
            for (long i = 2; i < v; i++) {
                targets.add(both);
            }
        }
        NDArray target = NDArrays.concat(targets, 0);
        NDArray logP = Scalars.div(scores, temperature).logSoftmax(-1);
        return Scalars.div(target.mul(logP).sum().neg(), (double) (2 * n * (v - 1)));
    }
}
