package org.pretext.contrastive;

import org.pretext.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The Barlow Twins loss (Zbontar et al. 2021, eq. 1 and 2): the embeddings of each view are
 * standardised along the batch, z̃ = (z − mean_b z) / √(var_b z + ε) (biased variance, ε = 1e−5,
 * as BatchNorm without affine parameters in the reference code), their cross-correlation
 * matrix is C = z̃₁ᵀ z̃₂ / N (d × d), and
 *
 * <pre>
 *   L = Σ_i (1 − C_ii)² + λ · Σ_i Σ_{j≠i} C_ij²,
 * </pre>
 *
 * the first term making the two views' features agree (invariance), the second decorrelating
 * different features (redundancy reduction), weighted by λ.
 */
public final class BarlowTwinsLoss {
    /** ε of the standardisation. */
    public static final float EPSILON = 1e-5f;

    private BarlowTwinsLoss() {}

    /**
     * @param z1 embeddings of view 1, (N, d), N ≥ 2
     * @param z2 embeddings of view 2, (N, d)
     * @param lambda λ, the weight of the off-diagonal terms
     */
    public static NDArray compute(NDArray z1, NDArray z2, double lambda) {
        long n = z1.getShape().get(0);
        long d = z1.getShape().get(1);
        NDArray c = Scalars.div(standardize(z1).transpose().matMul(standardize(z2)), n);
        NDManager m = c.getManager();
        NDArray diag = c.mul(m.eye((int) d)).sum(new int[] {1});
        NDArray onDiagonal = diag.sub(1f).square().sum();
        NDArray offDiagonal = c.square().sum().sub(diag.square().sum());
        return onDiagonal.add(Scalars.mul(offDiagonal, lambda));
    }

    static NDArray standardize(NDArray z) {
        NDArray centred = z.sub(z.mean(new int[] {0}, true));
        NDArray var = centred.square().mean(new int[] {0}, true);
        return centred.div(var.add(EPSILON).sqrt());
    }
}
