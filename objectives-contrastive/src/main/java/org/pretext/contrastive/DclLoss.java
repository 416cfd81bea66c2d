package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import org.pretext.blocks.Norms;
import org.pretext.engine.HostArrays;
import org.pretext.engine.Scalars;

/**
 * The decoupled contrastive loss DCL and its weighted form DCLW (Yeh et al. 2022, eq. 6 and 7),
 * NT-Xent with the positive pair removed from the denominator. With z the 2N projections, rows i and
 * p(i) = (i + N) mod 2N two views of one input, s_ik = ẑ_i·ẑ_k the cosine similarity and τ the
 * temperature:
 *
 * <pre>
 *   L_DCL  = 1/(2N) Σ_i [ −s_{i,p(i)}/τ + log Σ_{k ∉ {i, p(i)}} exp(s_ik/τ) ]
 *   L_DCLW = 1/(2N) Σ_i [ −w_i·s_{i,p(i)}/τ + log Σ_{k ∉ {i, p(i)}} exp(s_ik/τ) ],
 *   w_i    = 2 − exp(s_{i,p(i)}/σ) / ( 1/N Σ_j exp(s_{j,p(j)}/σ) )   (the negative von Mises–Fisher weight)
 * </pre>
 *
 * The paper's defaults: τ = 0.1 and σ = 0.5; w gets gradients, as in the authors' code. DCL is
 * SimCLR's architecture with this loss.
 */
public final class DclLoss {
    private static final float MASK = -1e9f;

    private DclLoss() {}

    /**
     * The loss of 2N projections whose rows i and i+N are positive pairs.
     *
     * @param z projections (2N, d), not necessarily normalised
     * @param temperature τ > 0
     * @param sigma σ > 0 of DCLW's weighting, or 0 for DCL (every w_i = 1)
     */
    public static NDArray compute(NDArray z, double temperature, double sigma) {
        long twoN = z.getShape().get(0);
        if (twoN % 2 != 0 || twoN < 4) {
            throw new IllegalArgumentException("DCL needs an even number >= 4 of views, got " + twoN);
        }
        int n = (int) (twoN / 2);
        NDArray unit = Norms.unitRows(z);
        NDArray scaled = Scalars.mul(unit, 1 / Math.sqrt(temperature));
        // logits s_ik/τ − 1/τ with self and positive masked; cosines ≤ 1, so the shift by 1/τ keeps exp finite
        NDArray logits = Linear.linear(scaled, scaled, mask(z, n)).singletonOrThrow();
        NDArray negative = logits.sub(1 / temperature).exp().sum(new int[] {1}).log().add(1 / temperature);
        NDList views = unit.split(2);
        NDArray pairCosine = views.get(0).mul(views.get(1)).sum(new int[] {1});
        NDArray positive = Scalars.div(pairCosine, temperature);
        if (sigma > 0) {
            NDArray weight = Scalars.mul(Scalars.div(pairCosine, sigma).softmax(0), -n).add(2);
            positive = positive.mul(weight);
        }
        return negative.mean().sub(positive.mean());
    }

    /** −1e9 on the diagonal and at (i, p(i)), 0 elsewhere, in z's manager and type. */
    private static NDArray mask(NDArray z, int n) {
        int twoN = 2 * n;
        float[] m = new float[twoN * twoN];
        for (int i = 0; i < twoN; i++) {
            m[i * twoN + i] = MASK;
            m[i * twoN + (i + n) % twoN] = MASK;
        }
        return HostArrays.floats(z.getManager(), m, new Shape(twoN, twoN)).toType(z.getDataType(), false);
    }
}
