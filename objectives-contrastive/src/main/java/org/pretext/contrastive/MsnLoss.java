package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import org.pretext.blocks.Norms;
import org.pretext.engine.Scalars;

/**
 * MSN's loss (Assran et al. 2022, "Masked Siamese Networks for Label-Efficient Learning", arXiv
 * 2204.07141, §3 and eq. 1–2, and the reference code's {@code msn_train.py}). Each of N examples
 * gives one target view (unmasked, through the EMA target encoder and head) and V anchor views
 * (the masked view and any focal views, through the encoder being trained and its head); z is a
 * view's projection, q_1…q_K the K learned prototypes, and ẑ, q̂ their ℓ2-normalised versions:
 *
 * <pre>
 *   s(z)_k  = ẑ · q̂_k                                      cosine to every prototype
 *   p_v     = softmax( s(z_v) / τ )                          anchor view v, τ = 0.1
 *   p⁺      = softmax( s(z⁺) / τ⁺ )                          target, τ⁺ = 0.025 (sharper); no gradient
 *   p⁺      ← SinkhornKnopp(p⁺), 3 iterations (optional)      equal share of the prototypes over the batch
 *   p̄       = 1/(V·N) · Σ_{v,n} p_{v,n}                       mean anchor prediction
 *
 *   L = 1/(V·N) · Σ_{v,n} H( p⁺_n, p_{v,n} )  −  λ · ( H(p̄) − log K ),    H(a, b) = − Σ_k a_k log b_k,
 *                                                                         H(a) = H(a, a),  λ = 1
 * </pre>
 *
 * The second term is the mean-entropy maximisation regulariser (me-max): it pushes the batch to use
 * all prototypes, which with the sharpened targets is what prevents collapse. The constant log K
 * makes the regulariser non-negative and the loss equal to the reference code's and lightly's
 * {@code MSNLoss}. Sharpening as lightly writes it, p^(1/T) renormalised for p = softmax(s/τ), is
 * the same as softmax(s/(τ·T)): τ⁺ = τ·T = 0.1 × 0.25. Sinkhorn-Knopp here runs on the probabilities
 * (as in the MSN code), not on exp(s/ε) as in SwAV: with p⁺ as P (B × K), P ← P/ΣP, then per
 * iteration each prototype's column is scaled to sum 1/K and each example's row to sum 1/B, and
 * finally P ← B·P.
 */
public final class MsnLoss {
    private MsnLoss() {}

    /** Cosines ẑ·q̂ᵀ (B, K) of rows {@code x} (B, d) to prototypes (K, d); differentiable in both. */
    public static NDArray cosines(NDArray x, NDArray prototypes) {
        return Norms.unitRows(x).matMul(Norms.unitRows(prototypes).transpose());
    }

    /**
     * The targets p⁺: softmax(s/τ⁺) over the last axis, then {@code sinkhornIterations} Sinkhorn-Knopp
     * iterations (0: none), without gradient; every row sums to 1.
     *
     * @param targetScores cosines (N, K) of the target views to the prototypes
     */
    public static NDArray targetProbabilities(NDArray targetScores, double targetTemperature, int sinkhornIterations) {
        NDArray p = Scalars.div(targetScores.stopGradient(), targetTemperature).softmax(-1);
        return sinkhornIterations > 0 ? sinkhorn(p, sinkhornIterations) : p;
    }

    /** Sinkhorn-Knopp on probabilities (B, K) as the MSN code does it (see the class comment); (B, K), no gradient. */
    public static NDArray sinkhorn(NDArray probabilities, int iterations) {
        NDArray p = probabilities.stopGradient();
        long b = p.getShape().get(0);
        long k = p.getShape().get(1);
        p = p.div(p.sum());
        for (int i = 0; i < iterations; i++) {
            p = Scalars.div(p.div(p.sum(new int[] {0}, true)), (double) k); // each prototype: total 1/K
            p = Scalars.div(p.div(p.sum(new int[] {1}, true)), (double) b); // each example: total 1/B
        }
        return Scalars.mul(p, (double) b);
    }

    /**
     * L of the anchors' scores against the targets.
     *
     * @param anchorScores cosines (V·N, K): the first anchor view's N rows, then each other view's
     * @param targets {@link #targetProbabilities} (N, K), example n's target for every view's row n
     * @param temperature τ of the anchors' softmax
     * @param meMaxWeight λ of the mean-entropy regulariser (0 leaves it out)
     */
    public static NDArray loss(NDArray anchorScores, NDArray targets, double temperature, double meMaxWeight) {
        long n = targets.getShape().get(0);
        long rows = anchorScores.getShape().get(0);
        long v = rows / n;
        if (n * v != rows || v < 1) {
            throw new IllegalArgumentException("the anchors have " + rows + " rows, not a multiple of the targets' "
                    + n + " examples");
        }
        NDArray target = targets.toType(anchorScores.getDataType(), false);
        if (v > 1) {
            NDList copies = new NDList();
            for (long i = 0; i < v; i++) {
                copies.add(target);
            }
            target = NDArrays.concat(copies, 0);
        }
        NDArray logP = Scalars.div(anchorScores, temperature).logSoftmax(-1);
        NDArray loss = Scalars.div(target.mul(logP).sum().neg(), (double) rows);
        if (meMaxWeight == 0) {
            return loss;
        }
        long k = anchorScores.getShape().get(1);
        NDArray mean = logP.exp().mean(new int[] {0}); // p̄ (K,)
        // −H(p̄) + log K = Σ p̄ log p̄ + log K
        NDArray negEntropy = mean.mul(mean.log()).sum();
        NDArray regulariser;
        try (NDArray logK = Scalars.constant(negEntropy, Math.log(k))) {
            regulariser = negEntropy.add(logK); // add's backward never reads the constant
        }
        return loss.add(Scalars.mul(regulariser, meMaxWeight));
    }
}
