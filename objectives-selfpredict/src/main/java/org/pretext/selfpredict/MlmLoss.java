package org.pretext.selfpredict;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * BERT's masked-language-model loss (Devlin et al. 2019): cross-entropy of the original token at
 * the chosen positions only. With logits z_bm ∈ R^V at chosen position m of row b, its original
 * token y_bm, and weights w_bm = 1 for a chosen position (0 for padding of the list):
 *
 * <pre>
 *   L = −Σ_bm w_bm log softmax(z_bm)_{y_bm} / Σ_bm w_bm.
 * </pre>
 */
public final class MlmLoss {
    private MlmLoss() {}

    /**
     * @param logits (B, M, V) scores of the vocabulary at the M listed positions of each row
     * @param targets (B, M) int original tokens
     * @param weights (B, M) 1 for a chosen position, 0 for list padding
     */
    public static NDArray compute(NDArray logits, NDArray targets, NDArray weights) {
        long b = targets.getShape().get(0);
        long m = targets.getShape().get(1);
        NDArray index = targets.toType(DataType.INT64, false).reshape(b, m, 1);
        NDArray logProb = logits.logSoftmax(-1).gather(index, 2).reshape(b, m);
        return logProb.mul(weights).sum().div(weights.sum()).neg();
    }
}
