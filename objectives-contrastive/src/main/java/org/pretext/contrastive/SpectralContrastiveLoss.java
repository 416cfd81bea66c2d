package org.pretext.contrastive;

import org.pretext.engine.Scalars;
import ai.djl.ndarray.NDArray;

/**
 * The spectral contrastive loss (HaoChen, Wei, Gaidon and Ma 2021, eq. 5): with f(x), f(x⁺) the
 * embeddings of a positive pair and x, x⁻ independent draws,
 *
 * <pre>
 *   L(f) = −2·E[f(x)ᵀ f(x⁺)] + E[(f(x)ᵀ f(x⁻))²],
 * </pre>
 *
 * estimated on a batch of N pairs (z₁_i, z₂_i) with every other pair's second view as a
 * negative, as in the authors' code:
 *
 * <pre>
 *   L = −2/N Σ_i z₁_i·z₂_i + 1/(N(N−1)) Σ_{i≠j} (z₁_i·z₂_j)².
 * </pre>
 *
 * Minimising it is a low-rank approximation of the augmentation graph's normalised adjacency
 * matrix, so it needs no normalisation of the embeddings.
 */
public final class SpectralContrastiveLoss {
    private SpectralContrastiveLoss() {}

    /** L for embeddings (N, d) of two views, N ≥ 2. */
    public static NDArray compute(NDArray z1, NDArray z2) {
        long n = z1.getShape().get(0);
        NDArray positive = z1.mul(z2).sum(new int[] {1});
        NDArray all = z1.matMul(z2.transpose()).square().sum();
        NDArray negative = Scalars.div(all.sub(positive.square().sum()), (double) n * (n - 1));
        return Scalars.mul(positive.sum(), -2.0 / n).add(negative);
    }
}
