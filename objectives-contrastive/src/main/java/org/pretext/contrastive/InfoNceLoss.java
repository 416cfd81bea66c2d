package org.pretext.contrastive;

import org.pretext.blocks.Norms;
import org.pretext.engine.Scalars;
import ai.djl.ndarray.NDArray;
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
}
