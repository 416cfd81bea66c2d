package org.pretext.contrastive;

import org.pretext.engine.Scalars;
import ai.djl.ndarray.NDArray;

/**
 * The VICReg loss (Bardes, Ponce and LeCun 2022, eq. 1–6), normalised as in the authors'
 * reference implementation. For embeddings Z, Z′ of the two views (N × d):
 *
 * <pre>
 *   s(Z, Z′) = 1/(N·d) Σ_i ‖z_i − z′_i‖²                                   (invariance)
 *   v(Z)     = 1/d Σ_j max(0, γ − √(Var(z^j) + ε)),   γ = 1, ε = 1e−4        (variance)
 *   c(Z)     = 1/d Σ_{i≠j} C(Z)_ij²,   C(Z) = 1/(N−1) Σ_i (z_i − z̄)(z_i − z̄)ᵀ   (covariance)
 *   L = λ·s(Z, Z′) + μ·(v(Z) + v(Z′))/2 + ν·(c(Z) + c(Z′))
 * </pre>
 *
 * with Var the unbiased variance over the batch and the paper's weights λ = μ = 25, ν = 1.
 */
public final class VicRegLoss {
    /** γ, the target standard deviation of every feature. */
    public static final float GAMMA = 1f;
    /** ε inside the square root of the variance term. */
    public static final float EPSILON = 1e-4f;

    private VicRegLoss() {}

    /** The three terms and the weighted total. */
    public record Terms(NDArray total, NDArray invariance, NDArray variance, NDArray covariance) {}

    /**
     * @param z1 embeddings of view 1, (N, d), N ≥ 2
     * @param z2 embeddings of view 2, (N, d)
     * @param invarianceWeight λ
     * @param varianceWeight μ
     * @param covarianceWeight ν
     */
    public static Terms compute(NDArray z1, NDArray z2, double invarianceWeight, double varianceWeight,
            double covarianceWeight) {
        long n = z1.getShape().get(0);
        long d = z1.getShape().get(1);
        NDArray invariance = z1.sub(z2).square().mean();
        NDArray c1 = z1.sub(z1.mean(new int[] {0}, true));
        NDArray c2 = z2.sub(z2.mean(new int[] {0}, true));
        NDArray variance = Scalars.div(hinge(c1, n).add(hinge(c2, n)), 2);
        NDArray covariance = Scalars.div(offDiagonalSquares(c1, n).add(offDiagonalSquares(c2, n)), d);
        NDArray total = Scalars.mul(invariance, invarianceWeight).add(Scalars.mul(variance, varianceWeight))
                .add(Scalars.mul(covariance, covarianceWeight));
        return new Terms(total, invariance, variance, covariance);
    }

    /** mean_j max(0, γ − √(Var_j + ε)) of centred embeddings. */
    private static NDArray hinge(NDArray centred, long n) {
        NDArray std = Scalars.div(centred.square().sum(new int[] {0}), n - 1).add(EPSILON).sqrt();
        return Scalars.maximum(std.neg().add(GAMMA), 0).mean();
    }

    /** Σ_{i≠j} C_ij² of the covariance C of centred embeddings. */
    private static NDArray offDiagonalSquares(NDArray centred, long n) {
        NDArray cov = Scalars.div(centred.transpose().matMul(centred), n - 1);
        NDArray diagonal = Scalars.div(centred.square().sum(new int[] {0}), n - 1);
        return cov.square().sum().sub(diagonal.square().sum());
    }
}
