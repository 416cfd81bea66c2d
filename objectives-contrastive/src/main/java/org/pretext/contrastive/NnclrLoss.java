package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import org.pretext.blocks.Norms;
import org.pretext.engine.Scalars;

/**
 * The NNCLR loss (Dwibedi, Aytar, Tompson, Sermanet and Zisserman 2021, eq. 2 and Algorithm 1).
 * With z¹, z² the projections of the two views (N × d), p¹, p² their predictions, Q the support
 * set of earlier projections (K × d, unit rows), NN(z) = argmax_{q∈Q} ẑ·q the nearest neighbour of
 * z in Q (no gradient), x̂ = x/‖x‖ and τ the temperature:
 *
 * <pre>
 *   L(a, b) = −1/N Σ_i log [ exp(â_i·b̂_i/τ) / Σ_k exp(â_i·b̂_k/τ) ]
 *   L_NNCLR = ½ L(NN(z¹), p²) + ½ L(NN(z²), p¹)
 * </pre>
 *
 * L is in-batch InfoNCE ({@link InfoNceLoss#inBatch}). The paper's defaults: τ = 0.1, a support set of 98,304 projections of width 256 (the first
 * view's normalised projections, enqueued after every step), a 2,048-2,048-256 projector and a
 * 4,096-256 predictor, each with batch norm.
 */
public final class NnclrLoss {
    private NnclrLoss() {}

    /**
     * Each row's nearest neighbour in the support set by cosine similarity, without gradient.
     *
     * @param z projections (N, d), not necessarily normalised
     * @param support the support set (K, d), rows of unit length
     * @return (N, d): row i is the row of {@code support} most similar to z_i
     */
    public static NDArray nearestNeighbours(NDArray z, NDArray support) {
        // linear(x, W) = x·Wᵀ and oneHot(i)·Q belong to the first operand's manager (the step's), not Q's
        NDArray sim = Linear.linear(Norms.unitRows(z.stopGradient()).toType(support.getDataType(), false), support)
                .singletonOrThrow();
        NDArray oneHot = sim.argMax(1).oneHot((int) support.getShape().get(0), support.getDataType());
        return oneHot.matMul(support).stopGradient();
    }

    /**
     * The symmetric loss ½ L(NN(z¹), p²) + ½ L(NN(z²), p¹), nearest neighbours taken in {@code support}.
     */
    public static NDArray compute(NDArray z1, NDArray z2, NDArray p1, NDArray p2, NDArray support,
            double temperature) {
        NDArray nn1 = nearestNeighbours(z1, support).toType(p2.getDataType(), false);
        NDArray nn2 = nearestNeighbours(z2, support).toType(p1.getDataType(), false);
        return Scalars.mul(InfoNceLoss.inBatch(nn1, p2, temperature).add(InfoNceLoss.inBatch(nn2, p1, temperature)), 0.5);
    }
}
