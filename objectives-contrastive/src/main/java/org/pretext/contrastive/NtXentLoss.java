package org.pretext.contrastive;

import org.pretext.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.core.Linear;

/**
 * NT-Xent, the normalised-temperature cross-entropy of SimCLR (Chen et al. 2020), InfoNCE over 2N
 * views. With z the 2N projections, rows i and i+N (mod 2N) two views of one input,
 * s_ik = ẑ_i·ẑ_k the cosine similarity and τ the temperature:
 *
 * <pre>
 *   L = −1/(2N) Σ_i log [ exp(s_{i,p(i)}/τ) / Σ_{k≠i} exp(s_ik/τ) ],   p(i) = (i + N) mod 2N.
 * </pre>
 *
 * Computed with few engine ops: normalise and scale by τ^−½, then one {@code linear(z, z, −1e9·I)}
 * gives the similarities over τ with the self-similarity masked, then log-softmax and a gather.
 */
public final class NtXentLoss {
    private static final float MASK = -1e9f;

    private NtXentLoss() {}

    /**
     * The loss of 2N projections whose rows i and i+N are positive pairs.
     *
     * @param z projections (2N, d), not necessarily normalised
     * @param temperature τ > 0
     */
    public static NDArray compute(NDArray z, double temperature) {
        long twoN = z.getShape().get(0);
        if (twoN % 2 != 0 || twoN < 4) {
            throw new IllegalArgumentException("NT-Xent needs an even number >= 4 of views, got " + twoN);
        }
        NDManager m = z.getManager();
        NDArray unit = z.div(Scalars.maximum(z.norm(new int[] {1}, true), 1e-12));
        NDArray scaled = Scalars.mul(unit, 1 / Math.sqrt(temperature));
        NDArray selfMask = Scalars.mul(m.eye((int) twoN, (int) twoN, 0, z.getDataType()), MASK);
        NDArray logits = Linear.linear(scaled, scaled, selfMask).singletonOrThrow();
        NDArray logProb = logits.logSoftmax(1);
        NDArray positive = m.arange(0, twoN, 1, DataType.INT64).add(twoN / 2).mod(twoN).reshape(twoN, 1);
        return logProb.gather(positive, 1).mean().neg();
    }

    /** The loss of two batches of views, z1[i] and z2[i] positives: {@code compute(concat(z1, z2))}. */
    public static NDArray compute(NDArray z1, NDArray z2, double temperature) {
        return compute(z1.concat(z2, 0), temperature);
    }
}
