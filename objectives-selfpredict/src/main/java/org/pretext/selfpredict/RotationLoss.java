package org.pretext.selfpredict;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The cross-entropy of RotNet (Gidaris et al. 2018): with logits z_n ∈ R⁴ of the four rotations
 * (0°, 90°, 180°, 270°) and r_n the rotation applied to input n,
 *
 * <pre>
 *   L = −1/N Σ_n log softmax(z_n)_{r_n}.
 * </pre>
 */
public final class RotationLoss {
    private RotationLoss() {}

    /**
     * @param logits (N, 4) scores of the four rotations
     * @param rotations (N) int indices 0..3 of the rotations applied
     */
    public static NDArray compute(NDArray logits, NDArray rotations) {
        long n = logits.getShape().get(0);
        NDArray index = rotations.toType(DataType.INT64, false).reshape(n, 1);
        return logits.logSoftmax(1).gather(index, 1).mean().neg();
    }
}
