package org.example.pretext;

import ai.djl.ndarray.NDArray;

/**
 * The alignment and uniformity loss of Wang and Isola (2020) on L2-normalised features f of two
 * views of N inputs (rows i of {@code a} and {@code b} are positives):
 *
 * <pre>
 *   L_align   = (1/N) Σ_i ‖f(x_i) − f(x_i⁺)‖²                                 (α = 2)
 *   L_uniform = log( mean_{i≠j} exp(−t‖f(x_i) − f(x_j)‖²) ), averaged over both views
 *   L = L_align + λ·L_uniform
 * </pre>
 */
public final class AlignUniformLoss {
    private AlignUniformLoss() {}

    /** The loss of two (N, d) batches of features, normalised here. */
    public static NDArray compute(NDArray a, NDArray b, double t, double lambda) {
        NDArray za = a.div(a.norm(new int[] {1}, true).maximum(1e-12f));
        NDArray zb = b.div(b.norm(new int[] {1}, true).maximum(1e-12f));
        NDArray align = za.sub(zb).square().sum(new int[] {1}).mean();
        return align.add(uniformity(za, t).add(uniformity(zb, t)).mul(0.5 * lambda));
    }

    /** log of the mean of exp(−t‖z_i − z_j‖²) over pairs i ≠ j, for unit rows z. */
    static NDArray uniformity(NDArray z, double t) {
        long n = z.getShape().get(0);
        // for unit vectors ‖z_i − z_j‖² = 2 − 2 z_i·z_j
        NDArray sq = z.matMul(z.transpose()).mul(-2).add(2);
        NDArray offDiagonal = z.getManager().eye((int) n).mul(-1e9f);
        NDArray logits = sq.mul(-t).add(offDiagonal);
        NDArray max = logits.max(); // log Σ exp, computed stably
        return logits.sub(max).exp().sum().log().add(max).sub((float) Math.log((double) n * (n - 1)));
    }
}
