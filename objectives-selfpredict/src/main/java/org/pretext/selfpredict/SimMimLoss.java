package org.pretext.selfpredict;

import ai.djl.ndarray.NDArray;

/**
 * SimMIM's loss (Xie et al. 2022, §3.4): the L1 distance between predicted and raw pixel values,
 * averaged over the pixels of masked patches only. With predictions ŷ_bi ∈ R^P of patch i of image
 * b (P = p·p·C values), its pixels x_bi, and m_bi = 1 when the patch was masked,
 *
 * <pre>
 *   L = Σ_bi m_bi · (1/P) ‖ŷ_bi − x_bi‖₁ / Σ_bi m_bi ,
 * </pre>
 *
 * the reference's {@code (l1_loss(x, x_rec, reduction='none') * mask).sum() / (mask.sum() + 1e-5) / in_chans}
 * without its 10⁻⁵ (here at least one patch per image is masked, so the count is never zero). The
 * paper's ablation (Table 3) found ℓ1, smooth ℓ1 and ℓ2 alike on ImageNet; {@code l2} replaces
 * ‖·‖₁ by ‖·‖₂², the same average otherwise.
 */
public final class SimMimLoss {
    private SimMimLoss() {}

    /**
     * @param prediction (B, N, P) predicted pixel values of every patch
     * @param target (B, N, P) the patches' pixel values
     * @param mask (B, N) 1 for masked patches, 0 for visible ones
     * @param l1 the L1 distance (the paper's), else the squared distance
     */
    public static NDArray compute(NDArray prediction, NDArray target, NDArray mask, boolean l1) {
        NDArray diff = prediction.sub(target);
        NDArray perPatch = (l1 ? diff.abs() : diff.square()).mean(new int[] {-1});
        return perPatch.mul(mask).sum().div(mask.sum());
    }
}
