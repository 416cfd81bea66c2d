package org.pretext.contrastive;

import org.pretext.blocks.Norms;
import org.pretext.engine.Scalars;
import ai.djl.ndarray.NDArray;

/**
 * BYOL's normalised mean squared error (Grill et al. 2020, eq. 2) between the online prediction
 * q_θ(z) and the target projection z′ of the other view:
 *
 * <pre>
 *   L(p, z′) = 1/N Σ_i ‖ p_i/‖p_i‖ − z′_i/‖z′_i‖ ‖² = 1/N Σ_i (2 − 2·⟨p_i, z′_i⟩ / (‖p_i‖·‖z′_i‖)),
 * </pre>
 *
 * and the symmetrised loss of two views, L_total = L(p₁, z′₂) + L(p₂, z′₁). Stopping the
 * target's gradient is the caller's choice (BYOL always does).
 */
public final class ByolLoss {
    private ByolLoss() {}

    /** L(p, z′) for predictions and targets of shape (N, d). */
    public static NDArray compute(NDArray predictions, NDArray targets) {
        NDArray cos = Norms.unitRows(predictions).mul(Norms.unitRows(targets)).sum(new int[] {1});
        return Scalars.mul(cos.mean(), -2).add(2f);
    }

    /** L(p₁, z′₂) + L(p₂, z′₁). */
    public static NDArray symmetric(NDArray p1, NDArray p2, NDArray target1, NDArray target2) {
        return compute(p1, target2).add(compute(p2, target1));
    }
}
