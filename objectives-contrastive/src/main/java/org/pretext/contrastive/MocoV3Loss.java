package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import org.pretext.engine.Scalars;

/**
 * The MoCo v3 loss (Chen, Xie and He 2021, Algorithm 1): with q¹, q² the base encoder's
 * predictions of the two views, k¹, k² the momentum encoder's projections (no gradient) and τ the
 * temperature, the symmetrised in-batch InfoNCE ({@link InfoNceLoss#inBatch}) scaled by 2τ:
 *
 * <pre>
 *   ctr(q, k) = 2τ · ( −1/N Σ_i log [ exp(q̂_i·k̂_i/τ) / Σ_j exp(q̂_i·k̂_j/τ) ] )
 *   L         = ctr(q¹, k²) + ctr(q², k¹)
 * </pre>
 *
 * The paper's defaults: τ = 0.2 (ViT; 1.0 for ResNet), momentum 0.99 rising to 1 on a cosine
 * schedule, a 3-layer projector and a 2-layer predictor of 4,096 hidden and 256 output units with
 * batch norm. No queue: the negatives are the batch's other keys.
 */
public final class MocoV3Loss {
    private MocoV3Loss() {}

    /**
     * @param q1 predictions of view 1 (N, d)
     * @param q2 predictions of view 2 (N, d)
     * @param k1 momentum projections of view 1 (N, d), gradient stopped by the caller
     * @param k2 momentum projections of view 2 (N, d)
     */
    public static NDArray compute(NDArray q1, NDArray q2, NDArray k1, NDArray k2, double temperature) {
        NDArray sum = InfoNceLoss.inBatch(q1, k2, temperature).add(InfoNceLoss.inBatch(q2, k1, temperature));
        return Scalars.mul(sum, 2 * temperature);
    }
}
