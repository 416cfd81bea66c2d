package ${package};

import ai.djl.ndarray.NDArray;
import org.pretext.engine.Scalars;

/**
 * The alignment and uniformity loss of Wang and Isola (2020) on L2-normalised features f of two
 * views of N inputs (rows i of {@code a} and {@code b} are positives):
 *
 * <pre>
 *   L_align   = (1/N) Σ_i ‖f(x_i) − f(x_i⁺)‖²                                 (α = 2)
 *   L_uniform = log( mean_{i≠j} exp(−t‖f(x_i) − f(x_j)‖²) ), averaged over both views
 *   L = L_align + λ·L_uniform
 * </pre>
 *
 * Every constant that multiplies, divides or bounds an array on the gradient path goes through
 * {@link Scalars}: DJL's {@code NDArray.mul(Number)}, {@code maximum(float)} and the like free
 * their constant before the backward pass reads it. Adding or subtracting a constant is safe.
 * Arrays made from scratch (the diagonal mask) take the features' data type, so the loss also
 * runs in float64, where the test kit checks its gradients.
 */
public final class ${className}Loss {
    private ${className}Loss() {}

    /** The loss of two (N, d) batches of features, normalised here. */
    public static NDArray compute(NDArray a, NDArray b, double t, double lambda) {
        NDArray za = unitRows(a);
        NDArray zb = unitRows(b);
        NDArray align = za.sub(zb).square().sum(new int[] {1}).mean();
        NDArray uniform = uniformity(za, t).add(uniformity(zb, t));
        return align.add(Scalars.mul(uniform, 0.5 * lambda));
    }

    /** Each row divided by max(‖row‖, 1e−12). */
    static NDArray unitRows(NDArray z) {
        return z.div(Scalars.maximum(z.norm(new int[] {1}, true), 1e-12));
    }

    /** log of the mean of exp(−t‖z_i − z_j‖²) over pairs i ≠ j, for unit rows z. */
    static NDArray uniformity(NDArray z, double t) {
        int n = (int) z.getShape().get(0);
        // for unit vectors ‖z_i − z_j‖² = 2 − 2 z_i·z_j
        NDArray sq = Scalars.mul(z.matMul(z.transpose()), -2).add(2);
        NDArray offDiagonal = Scalars.mul(z.getManager().eye(n, n, 0, z.getDataType()), -1e9);
        NDArray logits = Scalars.mul(sq, -t).add(offDiagonal);
        NDArray max = logits.max().stopGradient(); // log Σ exp, computed stably; the shift cancels
        return logits.sub(max).exp().sum().log().add(max).sub(Math.log((double) n * (n - 1)));
    }
}
