package org.pretext.contrastive;

import org.pretext.blocks.Norms;
import org.pretext.engine.Scalars;
import ai.djl.ndarray.NDArray;

/**
 * SimSiam's negative cosine similarity (Chen and He 2021, eq. 1 and 2): for predictions p and
 * projections z of the other view,
 *
 * <pre>
 *   D(p, z) = −1/N Σ_i ⟨p_i, z_i⟩ / (‖p_i‖·‖z_i‖),
 *   L = ½·D(p₁, stopgrad(z₂)) + ½·D(p₂, stopgrad(z₁)).
 * </pre>
 *
 * The stop-gradient is applied by the caller (SimSiam always does; without it the
 * representation collapses, the paper's Figure 2).
 */
public final class SimSiamLoss {
    private SimSiamLoss() {}

    /** D(p, z) for (N, d) inputs. */
    public static NDArray compute(NDArray predictions, NDArray projections) {
        return Norms.unitRows(predictions).mul(Norms.unitRows(projections)).sum(new int[] {1}).mean().neg();
    }

    /** ½·D(p₁, z₂) + ½·D(p₂, z₁). */
    public static NDArray symmetric(NDArray p1, NDArray p2, NDArray z1, NDArray z2) {
        return Scalars.mul(compute(p1, z2).add(compute(p2, z1)), 0.5);
    }
}
