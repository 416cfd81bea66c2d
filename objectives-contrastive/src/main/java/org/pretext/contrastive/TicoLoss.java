package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import org.pretext.blocks.Norms;
import org.pretext.engine.Scalars;

/**
 * The TiCo loss, transformation invariance and covariance contrast (Zhu, Ding, Cao and LeCun 2022,
 * eq. 6–7 and Algorithm 1). With z′, z″ the two branches' embeddings of N inputs normalised to unit
 * length, C_{t−1} the running covariance of earlier steps (d × d, no gradient, zero at the start),
 * β its decay and ρ the weight of the covariance contrast:
 *
 * <pre>
 *   B_t = 1/N Σ_i z′_i z′_iᵀ
 *   C_t = β·C_{t−1} + (1 − β)·B_t
 *   L   = −1/N Σ_i z′_i·z″_i + ρ/N Σ_i z′_iᵀ C_t z′_i
 * </pre>
 *
 * The gradient flows through B_t (the current batch) but not C_{t−1}, as in the paper's
 * pseudo-code; C_t is kept for the next step. The paper's defaults: β = 0.9, ρ = 20 (lightly's
 * {@code TiCoLoss} adds the constant 1 and detaches B_t).
 */
public final class TicoLoss {
    private TicoLoss() {}

    /** The loss and the covariance C_t to keep for the next step (it carries the step's gradient graph). */
    public record Result(NDArray loss, NDArray covariance) {}

    /**
     * @param z1 the online branch's embeddings (N, d), not necessarily normalised
     * @param z2 the other branch's embeddings (N, d)
     * @param previous C_{t−1} (d, d), of z1's type and in a manager that lives as long as the step's
     * @param beta β in [0, 1]
     * @param rho ρ ≥ 0
     */
    public static Result compute(NDArray z1, NDArray z2, NDArray previous, double beta, double rho) {
        long n = z1.getShape().get(0);
        NDArray u1 = Norms.unitRows(z1);
        NDArray u2 = Norms.unitRows(z2);
        NDArray batch = Scalars.div(u1.transpose().matMul(u1), n);
        NDArray covariance = Scalars.mul(batch, 1 - beta).add(Scalars.mul(previous, beta));
        NDArray invariance = u1.mul(u2).sum(new int[] {1}).mean();
        NDArray contrast = u1.matMul(covariance).mul(u1).sum(new int[] {1}).mean();
        return new Result(Scalars.mul(contrast, rho).sub(invariance), covariance);
    }
}
