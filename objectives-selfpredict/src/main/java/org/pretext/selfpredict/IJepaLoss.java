package org.pretext.selfpredict;

import ai.djl.ndarray.NDArray;
import org.pretext.engine.Scalars;

/**
 * I-JEPA's loss (Assran et al. 2023, eq. 1 and the authors' training loop). With s_y = the EMA
 * target encoder's final states of the whole image, layer-normalised over the feature axis without
 * a learned scale or shift,
 *
 * <pre>
 *   s̄_y = (s_y − mean(s_y)) / sqrt(var(s_y) + 10⁻⁵)                  (var without Bessel's correction)
 *   L   = 1/(M·T·D) · Σ_{i=1..M} Σ_{j ∈ B_i} Σ_d ℓ(ŝ_y,j,d(i) − s̄_y,j,d) ,  averaged over the batch,
 * </pre>
 *
 * where B_i are the T patches of target block i, ŝ_y(i) the predictor's output for block i, and
 * ℓ is the smooth L1 (Huber, β = 1) function ℓ(x) = x²/2 for |x| < 1, |x| − 1/2 otherwise, as in the
 * authors' code ({@code F.smooth_l1_loss}); the paper's eq. 1 writes the squared L2 distance, which
 * is ℓ(x) = x² here (the {@code l2} choice). The targets carry no gradient.
 */
public final class IJepaLoss {
    /** ε of the target layer norm (PyTorch's {@code F.layer_norm} default). */
    public static final float EPSILON = 1e-5f;

    private IJepaLoss() {}

    /**
     * @param prediction (B, M, T, D) predicted target states
     * @param target (B, M, T, D) layer-normalised target states (see {@link #normalize})
     * @param smoothL1 smooth L1 (the authors' code) instead of the squared error (the paper's eq. 1)
     */
    public static NDArray compute(NDArray prediction, NDArray target, boolean smoothL1) {
        NDArray diff = prediction.sub(target.stopGradient());
        if (!smoothL1) {
            return diff.square().mean();
        }
        NDArray abs = diff.abs();
        NDArray inner = Scalars.minimum(abs, 1.0);
        // ℓ = min(|x|, 1)²/2 + (|x| − min(|x|, 1)): x²/2 below 1, |x| − 1/2 above
        return Scalars.mul(inner.square(), 0.5).add(abs.sub(inner)).mean();
    }

    /** Layer norm over the last axis without scale or shift (I-JEPA's {@code F.layer_norm(h, (h.size(-1),))}). */
    public static NDArray normalize(NDArray states) {
        NDArray centred = states.sub(states.mean(new int[] {-1}, true));
        NDArray variance = centred.square().mean(new int[] {-1}, true);
        return centred.div(variance.add(EPSILON).sqrt());
    }
}
