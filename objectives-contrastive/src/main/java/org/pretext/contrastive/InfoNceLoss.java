package org.pretext.contrastive;

import org.pretext.blocks.Norms;
import org.pretext.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.core.Linear;

/**
 * InfoNCE with a dictionary of negatives, as in MoCo (He et al. 2020; MoCo v2, Chen et al.
 * 2020): for queries q_i, their keys k⁺_i and K negative keys n_j, all ℓ2-normalised, and
 * temperature τ,
 *
 * <pre>
 *   L = −1/N Σ_i log( exp(q_i·k⁺_i / τ) / ( exp(q_i·k⁺_i / τ) + Σ_{j=1..K} exp(q_i·n_j / τ) ) ),
 * </pre>
 *
 * the cross-entropy of a (1 + K)-way classification whose right answer is the positive key.
 * {@link #inBatch} is the form whose negatives are the other examples' keys of the batch
 * (NNCLR, MoCo v3): L = −1/N Σ_i log( exp(q_i·k_i / τ) / Σ_j exp(q_i·k_j / τ) ).
 */
public final class InfoNceLoss {
    private InfoNceLoss() {}

    /**
     * @param queries q (N, d), normalised here
     * @param keys k⁺ (N, d), normalised here; the caller stops their gradient
     * @param negatives n (K, d), rows already of unit length (MoCo's queue)
     * @param temperature τ > 0
     */
    public static NDArray compute(NDArray queries, NDArray keys, NDArray negatives, double temperature) {
        NDArray q = Scalars.mul(Norms.unitRows(queries), 1 / temperature);
        NDArray k = Norms.unitRows(keys);
        NDArray positive = q.mul(k).sum(new int[] {1}, true);
        NDArray negative = Linear.linear(q, negatives).singletonOrThrow();
        return positive.concat(negative, 1).logSoftmax(1).get(":, 0").mean().neg();
    }

    /**
     * In-batch InfoNCE: the cross-entropy of the N × N cosine similarities over τ, the diagonal the target.
     *
     * @param queries q (N, d), normalised here
     * @param keys k (N, d), normalised here; key j ≠ i is a negative of query i
     */
    public static NDArray inBatch(NDArray queries, NDArray keys, double temperature) {
        long n = queries.getShape().get(0);
        if (n < 2 || keys.getShape().get(0) != n) {
            throw new IllegalArgumentException("in-batch InfoNCE needs two batches of the same size >= 2, got "
                    + queries.getShape() + " and " + keys.getShape());
        }
        NDArray q = Scalars.mul(Norms.unitRows(queries), 1 / temperature);
        NDArray logits = Linear.linear(q, Norms.unitRows(keys)).singletonOrThrow();
        NDArray diagonal = queries.getManager().arange(0, n, 1, DataType.INT64).reshape(n, 1);
        return logits.logSoftmax(1).gather(diagonal, 1).mean().neg();
    }
}
