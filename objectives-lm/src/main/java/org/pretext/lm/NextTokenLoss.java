package org.pretext.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Next-token cross-entropy of a causal language model (Radford et al. 2018), in nats: with logits
 * z_{b,t} ∈ ℝ^V at position t of sequence b and the token that follows, y_{b,t},
 *
 * <pre>
 *   L = −1/(B·T) Σ_b Σ_t log softmax(z_{b,t})[y_{b,t}]
 * </pre>
 *
 * the mean over every position of every sequence. Computed as log-softmax, one gather, mean.
 */
public final class NextTokenLoss {
    private NextTokenLoss() {}

    /**
     * The mean loss.
     *
     * @param logits (B, T, V)
     * @param targets (B, T) token ids, int32 or int64
     */
    public static NDArray compute(NDArray logits, NDArray targets) {
        return logProbabilities(logits, targets).mean().neg();
    }

    /** The summed loss Σ_b Σ_t −log p(y_{b,t}), for averaging over many batches. */
    public static NDArray total(NDArray logits, NDArray targets) {
        return logProbabilities(logits, targets).sum().neg();
    }

    private static NDArray logProbabilities(NDArray logits, NDArray targets) {
        NDArray index = (targets.getDataType() == DataType.INT64 ? targets : targets.toType(DataType.INT64, false))
                .expandDims(-1);
        return logits.logSoftmax(-1).gather(index, -1);
    }
}
