package org.pretext.contrastive;

import org.pretext.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.core.Linear;

/**
 * The contrastive loss with one positive and k negatives of Arora et al. 2019 ("A theoretical
 * analysis of contrastive unsupervised representation learning", §5, logistic loss ℓ(v) =
 * log(1 + Σ_j exp(−v_j))). For an anchor f(x), its positive f(x⁺) and k negatives f(x⁻_1..k),
 * with s(a, b) = aᵀb / τ:
 *
 * <pre>
 *   L = 1/N Σ_i log( 1 + Σ_{j=1..k} exp( s(f(x_i), f(x⁻_ij)) − s(f(x_i), f(x⁺_i)) ) )
 *     = −1/N Σ_i log( e^{s(x_i, x⁺_i)} / ( e^{s(x_i, x⁺_i)} + Σ_j e^{s(x_i, x⁻_ij)} ) ).
 * </pre>
 *
 * The paper's form is τ = 1 on unnormalised features; the caller normalises when it wants
 * cosine similarities. Positives and negatives are rows of one candidate matrix picked by index:
 * one matrix product gives every similarity, a gather picks each anchor's k + 1 of them.
 */
public final class ContrastiveKLoss {
    private ContrastiveKLoss() {}

    /**
     * @param anchors f(x_i), (N, d)
     * @param candidates the rows positives and negatives are taken from, (M, d)
     * @param columns (N, k + 1) integer indices into {@code candidates}: column 0 is anchor i's
     *     positive, columns 1..k its negatives
     * @param temperature τ > 0
     */
    public static NDArray compute(NDArray anchors, NDArray candidates, NDArray columns, double temperature) {
        NDArray scaled = Scalars.mul(anchors, 1 / temperature);
        NDArray all = Linear.linear(scaled, candidates).singletonOrThrow();
        NDArray idx = columns.getDataType() == DataType.INT64 ? columns : columns.toType(DataType.INT64, false);
        NDArray picked = all.gather(idx, 1);
        return picked.logSoftmax(1).get(":, 0").mean().neg();
    }
}
