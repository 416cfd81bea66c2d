package org.pretext.selfpredict;

import ai.djl.ndarray.NDArray;

/**
 * Mean squared reconstruction error, the loss of the denoising autoencoder (Vincent et al. 2008)
 * and of reconstruction-based pretext tasks (Lee et al. 2021): for predictions ŷ and targets y of
 * B examples with D values each,
 *
 * <pre>
 *   L = 1/(B·D) Σ_b Σ_j (ŷ_bj − y_bj)².
 * </pre>
 */
public final class ReconstructionLoss {
    private ReconstructionLoss() {}

    /**
     * The loss of predictions against targets of the same number of values per example.
     *
     * @param prediction (B, D) or any shape with B·D values
     * @param target the targets, reshaped to the prediction's shape
     */
    public static NDArray compute(NDArray prediction, NDArray target) {
        if (prediction.size() != target.size()) {
            throw new IllegalArgumentException("prediction " + prediction.getShape() + " and target "
                    + target.getShape() + " hold different numbers of values");
        }
        return prediction.sub(target.reshape(prediction.getShape())).square().mean();
    }
}
