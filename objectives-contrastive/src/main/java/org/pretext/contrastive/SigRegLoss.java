package org.pretext.contrastive;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.pretext.engine.HostArrays;
import org.pretext.engine.Scalars;

/**
 * LeJEPA's loss (Balestriero and LeCun 2025): SIGReg, the sketched isotropic Gaussian regulariser,
 * plus the prediction term. For embeddings z of N inputs (N × K), M random unit directions
 * a_1 … a_M ∈ S^{K−1} (drawn afresh every step) and the Epps–Pulley statistic of each 1-D
 * projection x_n = a·z_n against N(0, 1):
 *
 * <pre>
 *   EP(x)   = N ∫ |φ̂_x(t) − φ(t)|² φ(t) dt,   φ̂_x(t) = 1/N Σ_n e^{i t x_n},   φ(t) = e^{−t²/2}
 *           ≈ N Σ_j w_j [ (1/N Σ_n cos(t_j x_n) − φ(t_j))² + (1/N Σ_n sin(t_j x_n))² ]
 *   SIGReg  = 1/M Σ_m EP({a_m·z_n}_n)
 *   L_pred  = 1/(V·N·K) Σ_v Σ_n ‖z_{v,n} − μ_n‖²,   μ_n = 1/V Σ_v z_{v,n}   (the views' centre)
 *   L       = λ · 1/V Σ_v SIGReg(z_v) + (1 − λ) · L_pred
 * </pre>
 *
 * The integral is the authors' quadrature ({@code lejepa.univariate.EppsPulley}): 17 knots t_j
 * evenly on [0, 3], trapezoid weights doubled for the symmetric half t &lt; 0, times φ(t_j). The
 * defaults: M = 256 directions, shared by the views; λ = 0.05 (the paper's experiments as we read
 * them; the authors' minimal example uses 0.02). The statistic is zero only when every projection's
 * characteristic function matches the standard normal's at the knots; a collapsed embedding
 * (every x_n = 0) scores N Σ_j w_j (1 − φ(t_j))².
 */
public final class SigRegLoss {
    /** Knots of the quadrature. */
    public static final int KNOTS = 17;
    /** The quadrature's upper limit t_max. */
    public static final double T_MAX = 3;

    private SigRegLoss() {}

    /** The total and its two terms. */
    public record Terms(NDArray total, NDArray sigreg, NDArray prediction) {}

    /** The knots t_j, φ(t_j) and the weights w_j (trapezoid, doubled, times φ), in double precision. */
    static double[][] quadrature() {
        double[] t = new double[KNOTS];
        double[] phi = new double[KNOTS];
        double[] w = new double[KNOTS];
        double dt = T_MAX / (KNOTS - 1);
        for (int j = 0; j < KNOTS; j++) {
            t[j] = j * dt;
            phi[j] = Math.exp(-t[j] * t[j] / 2);
            w[j] = (j == 0 || j == KNOTS - 1 ? dt : 2 * dt) * phi[j];
        }
        return new double[][] {t, phi, w};
    }

    /**
     * SIGReg of one batch of embeddings along the given directions.
     *
     * @param z embeddings (N, K)
     * @param directions (K, M), not necessarily unit columns (each is normalised); no gradient
     */
    public static NDArray sigreg(NDArray z, NDArray directions) {
        long n = z.getShape().get(0);
        NDManager m = z.getManager();
        double[][] q = quadrature();
        NDArray t = constant(m, q[0], z);
        NDArray phi = constant(m, q[1], z);
        NDArray w = constant(m, q[2], z).reshape(KNOTS, 1);
        NDArray a = directions.div(Scalars.maximum(directions.norm(new int[] {0}, true), 1e-12)).stopGradient();
        NDArray xt = z.matMul(a).expandDims(2).mul(t); // (N, M, knots)
        NDArray cos = xt.cos().mean(new int[] {0});
        NDArray sin = xt.sin().mean(new int[] {0});
        NDArray err = cos.sub(phi).square().add(sin.square()); // (M, knots)
        return Scalars.mul(err.matMul(w).mean(), n);
    }

    /** L_pred: mean squared distance of every view's embedding from the views' centre. */
    public static NDArray prediction(List<NDArray> views) {
        NDArray stacked = NDArrays.stack(new NDList(views), 0);
        NDArray centre = stacked.mean(new int[] {0}, true);
        return stacked.sub(centre).square().mean();
    }

    /**
     * The LeJEPA loss of V ≥ 2 views' embeddings (each N × K), SIGReg along shared directions.
     *
     * @param lambda λ in [0, 1]
     */
    public static Terms compute(List<NDArray> views, NDArray directions, double lambda) {
        if (views.size() < 2) {
            throw new IllegalArgumentException("LeJEPA needs at least two views, got " + views.size());
        }
        NDArray sigreg = null;
        for (NDArray v : views) {
            NDArray s = sigreg(v, directions);
            sigreg = sigreg == null ? s : sigreg.add(s);
        }
        sigreg = Scalars.div(sigreg, views.size());
        NDArray prediction = prediction(views);
        NDArray total = Scalars.mul(sigreg, lambda).add(Scalars.mul(prediction, 1 - lambda));
        return new Terms(total, sigreg, prediction);
    }

    private static NDArray constant(NDManager m, double[] v, NDArray like) {
        return HostArrays.doubles(m, v, new Shape(v.length)).toType(like.getDataType(), false);
    }
}
