package org.pretext.selfpredict;

import org.pretext.engine.Scalars;
import ai.djl.ndarray.NDArray;

/**
 * The masked autoencoder's loss (He et al. 2022): mean squared error per patch, averaged over the
 * masked patches only. With predictions ŷ_bi ∈ R^P of patch i of image b, its pixels t_bi, and
 * m_bi = 1 when the patch was masked (0 when the encoder saw it):
 *
 * <pre>
 *   t̂_bi = (t_bi − mean(t_bi)) / sqrt(var(t_bi) + 10⁻⁶)      (per-patch normalised target)
 *   L = Σ_bi m_bi · (1/P) ‖ŷ_bi − t̂_bi‖² / Σ_bi m_bi
 * </pre>
 *
 * where mean and var are over the patch's P values and var has Bessel's correction (÷ (P − 1)),
 * as in the reference implementation ({@code norm_pix_loss}); without normalisation t̂ = t.
 */
public final class MaeLoss {
    /** The ε added to the per-patch variance. */
    public static final float EPSILON = 1e-6f;

    private MaeLoss() {}

    /**
     * @param prediction (B, N, P) decoder outputs for every patch
     * @param target (B, N, P) pixel values of every patch, in the same order
     * @param mask (B, N) 1 for masked patches, 0 for visible ones
     * @param normalizeTarget whether targets are normalised per patch
     */
    public static NDArray compute(NDArray prediction, NDArray target, NDArray mask, boolean normalizeTarget) {
        NDArray t = normalizeTarget ? normalize(target) : target;
        NDArray perPatch = prediction.sub(t).square().mean(new int[] {-1});
        return perPatch.mul(mask).sum().div(mask.sum());
    }

    /** Per-patch normalised targets t̂ (last axis = patch values). */
    public static NDArray normalize(NDArray target) {
        long p = target.getShape().get(target.getShape().dimension() - 1);
        NDArray centred = target.sub(target.mean(new int[] {-1}, true));
        NDArray variance = Scalars.div(centred.square().sum(new int[] {-1}, true), p - 1);
        return centred.div(variance.add(EPSILON).sqrt());
    }
}
